// The PersistentVolume binder: binds claims to matching volumes, keeps volume and claim phases
// (Available, Bound, Released, Failed; Pending, Bound, Lost) and runs reclaim policies, as
// kube-controller-manager's persistentvolume-binder controller. One worker: two claims decided at
// once could pick the same volume (the API's optimistic concurrency would refuse the second write,
// but one at a time wastes no round).
import type { KubeObject } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import type { StorageClassInfo } from '../../machinery/volumes/claim-matching.js';
import type { Claim, Volume } from './reconcile.js';
import { PersistentVolumeSync } from './sync.js';

const CLAIM = 'claim:';
const VOLUME = 'volume:';

export class PersistentVolumeController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: PersistentVolumeSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('persistentvolume-binder-controller');
    const claimInformer = options.informers.informerFor<Claim & KubeObject>(KINDS.pvc);
    const volumeInformer = options.informers.informerFor<Volume & KubeObject>(KINDS.persistentVolume);
    const classInformer = options.informers.informerFor<StorageClassInfo & KubeObject>(KINDS.storageClass);
    const claims = claimInformer.lister();
    const enqueueClaim = (claim: KubeObject): void => this.queue.add(`${CLAIM}${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`);
    const enqueueVolume = (volume: KubeObject): void => this.queue.add(`${VOLUME}${volume.metadata.name ?? ''}`);
    // Claims still waiting get another look whenever a volume or class could now satisfy them.
    const enqueueUnboundClaims = (): void => {
      for (const claim of claims.list()) if (claim.status?.phase !== 'Bound') enqueueClaim(claim);
    };
    claimInformer.addHandlers({
      onAdd: enqueueClaim,
      onUpdate: (_old, claim) => enqueueClaim(claim),
      onDelete: (claim) => {
        // The claim's volume is released.
        const name = (claim as Claim).spec?.volumeName;
        if (name) this.queue.add(`${VOLUME}${name}`);
      },
    });
    volumeInformer.addHandlers({
      onAdd: (volume) => {
        enqueueVolume(volume);
        enqueueUnboundClaims();
      },
      onUpdate: (_old, volume) => {
        enqueueVolume(volume);
        if (volume.status?.phase === 'Available') enqueueUnboundClaims();
        const ref = volume.spec?.claimRef;
        if (ref?.name) this.queue.add(`${CLAIM}${ref.namespace ?? ''}/${ref.name}`);
      },
      onDelete: (volume) => {
        const ref = (volume as Volume).spec?.claimRef;
        if (ref?.name) this.queue.add(`${CLAIM}${ref.namespace ?? ''}/${ref.name}`);
      },
    });
    classInformer.addHandlers({ onAdd: enqueueUnboundClaims, onUpdate: enqueueUnboundClaims });
    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'persistentvolume-controller', log: this.log });
    this.syncer = new PersistentVolumeSync({
      client: options.client,
      claims,
      volumes: volumeInformer.lister(),
      classes: classInformer.lister(),
      recorder,
      log: this.log,
      now: options.now,
      enqueueClaim: (key) => this.queue.add(`${CLAIM}${key}`),
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, {
      queue: this.queue,
      workers: 1,
      signal,
      log: this.log,
      sync: (key) => (key.startsWith(CLAIM) ? this.syncer.syncClaim(key.slice(CLAIM.length)) : this.syncer.syncVolume(key.slice(VOLUME.length))),
    });
  }
}
