// The local-path provisioner: creates the volumes of claims of the default `local-path` class on
// the node the scheduler picked (see reconcile.ts). Deleting them (reclaim policy Delete) is the PV
// controller's; removing their directories is the node agent's.
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import type { ClaimLike, StorageClassInfo } from '../../machinery/volumes/claim-matching.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import { ANN_LOCAL_PATH_DIR, DEFAULT_LOCAL_PATH_DIR, nodeToProvisionOn, provisionedVolume, unsupportedClaim, volumeNameFor } from './reconcile.js';

export class LocalPathProvisioner {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly recorder: EventRecorder;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('local-path-provisioner');
    this.recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'kijabi.io/local-path', log: this.log });
    const enqueue = (claim: KubeObject): void => {
      if (nodeToProvisionOn(claim as ClaimLike)) this.queue.add(`${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`);
    };
    options.informers.informerFor(KINDS.pvc).addHandlers({ onAdd: enqueue, onUpdate: (_old, claim) => enqueue(claim) });
    options.informers.informerFor(KINDS.persistentVolume);
    options.informers.informerFor(KINDS.storageClass);
    options.informers.informerFor(KINDS.node);
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 2, signal, log: this.log, sync: (key) => this.sync(key) });
  }

  private async sync(key: string): Promise<void> {
    const { informers, client } = this.options;
    const [namespace, name] = key.split('/') as [string, string];
    const claim = informers.informerFor(KINDS.pvc).lister().get(namespace, name) as (ClaimLike & KubeObject) | undefined;
    const node = claim ? nodeToProvisionOn(claim) : undefined;
    if (!claim || !node) return;
    if (informers.informerFor(KINDS.persistentVolume).lister().get(undefined, volumeNameFor(claim))) return;
    const className = claim.spec?.storageClassName ?? '';
    const storageClass = informers.informerFor(KINDS.storageClass).lister().get(undefined, className) as (StorageClassInfo & KubeObject) | undefined;
    if (!storageClass) return;
    const unsupported = unsupportedClaim(claim);
    if (unsupported) {
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${unsupported}`);
      return;
    }
    const nodeObject = informers.informerFor(KINDS.node).lister().get(undefined, node);
    const baseDir = nodeObject?.metadata.annotations?.[ANN_LOCAL_PATH_DIR] ?? DEFAULT_LOCAL_PATH_DIR;
    this.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${namespace}/${name}"`);
    try {
      await client.create(KINDS.persistentVolume, provisionedVolume(claim, storageClass, node, baseDir));
    } catch (err) {
      if (isApiError(err, 'AlreadyExists')) return;
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${(err as Error).message}`);
      throw err;
    }
    this.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${volumeNameFor(claim)}`);
    this.log.info('provisioned volume', { claim: key, volume: volumeNameFor(claim), node });
  }
}
