// The Deployment controller: Deployment, ReplicaSet and pod events feed Deployment keys to a queue.
import { controllerOf, objectKey } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { matchesLabelSelector } from '../../client/label-selector.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import type { Pod } from '../common/pods.js';
import type { ReplicaSet } from '../replicaset/reconcile.js';
import { DeploymentSync } from './sync.js';
import type { Deployment } from './types.js';

export class DeploymentController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: DeploymentSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('deployment-controller');
    const dInformer = options.informers.informerFor<Deployment>(KINDS.deployment);
    const rsInformer = options.informers.informerFor<ReplicaSet>(KINDS.replicaSet);
    const podInformer = options.informers.informerFor<Pod>(KINDS.pod);
    const deployments = dInformer.lister();
    const replicaSets = rsInformer.lister();
    const enqueue = (d: Deployment): void => this.queue.add(objectKey(d));
    dInformer.addHandlers({ onAdd: enqueue, onUpdate: (_o, d) => enqueue(d), onDelete: enqueue });
    const enqueueOwner = (rs: ReplicaSet): void => {
      const ref = controllerOf(rs);
      if (ref?.kind === 'Deployment') {
        this.queue.add(`${rs.metadata.namespace}/${ref.name}`);
        return;
      }
      if (ref) return;
      for (const d of deployments.list(rs.metadata.namespace)) if (matchesLabelSelector(d.spec?.selector, rs.metadata.labels)) enqueue(d);
    };
    rsInformer.addHandlers({
      onAdd: enqueueOwner,
      onUpdate: (oldRs, rs) => {
        if (oldRs.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        if (controllerOf(oldRs)?.uid !== controllerOf(rs)?.uid) enqueueOwner(oldRs);
        enqueueOwner(rs);
      },
      onDelete: enqueueOwner,
    });
    // Recreate waits for old pods to be gone: their deletion must wake the deployment.
    podInformer.onDelete((pod) => {
      const ref = controllerOf(pod);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = replicaSets.get(pod.metadata.namespace, ref.name);
      if (rs) enqueueOwner(rs);
    });
    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'deployment-controller', log: this.log });
    this.syncer = new DeploymentSync({ client: options.client, deployments, replicaSets, pods: podInformer.lister(), recorder, log: this.log, now: options.now });
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 5, signal, log: this.log, sync: (key) => this.syncer.sync(key) });
  }
}
