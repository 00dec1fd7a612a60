// The pvc-protection and pv-protection controllers (Kubernetes' StorageObjectInUseProtection):
// claims and volumes are created with a protection finalizer (API admission); these remove it
// from a terminating claim once no scheduled, unfinished pod mounts it, and from a terminating
// volume once it is no longer bound.
import type { KubeObject } from '../../api/meta.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import { claimNamesOf, type PodLike } from './reconcile.js';
import { StorageProtectionSync } from './sync.js';

function makeSync(options: WorkloadControllerOptions, log: Logger): StorageProtectionSync {
  return new StorageProtectionSync({
    client: options.client,
    claims: options.informers.informerFor(KINDS.pvc).lister(),
    volumes: options.informers.informerFor(KINDS.persistentVolume).lister(),
    pods: options.informers.informerFor<PodLike>(KINDS.pod).lister(),
    log,
  });
}

export class PvcProtectionController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: StorageProtectionSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('pvc-protection-controller');
    const enqueueClaim = (claim: KubeObject): void => {
      if (claim.metadata.deletionTimestamp) this.queue.add(`${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`);
    };
    options.informers.informerFor(KINDS.pvc).addHandlers({ onAdd: enqueueClaim, onUpdate: (_old, claim) => enqueueClaim(claim) });
    // A pod that goes away or finishes may free its claims.
    const enqueueClaimsOf = (pod: PodLike): void => {
      for (const name of claimNamesOf(pod)) this.queue.add(`${pod.metadata.namespace ?? ''}/${name}`);
    };
    options.informers.informerFor<PodLike>(KINDS.pod).addHandlers({
      onDelete: enqueueClaimsOf,
      onUpdate: (old, pod) => {
        if (old.status?.phase !== pod.status?.phase && (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')) enqueueClaimsOf(pod);
      },
    });
    this.syncer = makeSync(options, this.log);
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 1, signal, log: this.log, sync: (key) => this.syncer.syncClaim(key) });
  }
}

export class PvProtectionController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: StorageProtectionSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('pv-protection-controller');
    const enqueue = (volume: KubeObject): void => {
      if (volume.metadata.deletionTimestamp) this.queue.add(volume.metadata.name ?? '');
    };
    options.informers.informerFor(KINDS.persistentVolume).addHandlers({ onAdd: enqueue, onUpdate: (_old, volume) => enqueue(volume) });
    this.syncer = makeSync(options, this.log);
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 1, signal, log: this.log, sync: (name) => this.syncer.syncVolume(name) });
  }
}
