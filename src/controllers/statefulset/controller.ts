// The StatefulSet controller: StatefulSet, pod and ControllerRevision events feed set keys to a queue.
import { objectKey, type KubeObject } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { childEventHandlers } from '../common/child-events.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import type { Pod } from '../common/pods.js';
import type { StatefulSet } from './reconcile.js';
import { StatefulSetSync, type ControllerRevision } from './sync.js';

export class StatefulSetController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: StatefulSetSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('statefulset-controller');
    const f = options.informers;
    const stsInformer = f.informerFor<StatefulSet>(KINDS.statefulSet);
    const podInformer = f.informerFor<Pod>(KINDS.pod);
    const revInformer = f.informerFor<ControllerRevision>(KINDS.controllerRevision);
    const pvcInformer = f.informerFor<KubeObject>(KINDS.pvc);
    const statefulSets = stsInformer.lister();
    const enqueue = (s: StatefulSet): void => this.queue.add(objectKey(s));
    stsInformer.addHandlers({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s) });
    const children = { ownerKind: 'StatefulSet', owners: statefulSets, selectorOf: () => undefined, enqueue: (key: string) => this.queue.add(key) };
    podInformer.addHandlers(childEventHandlers<Pod, StatefulSet>(children));
    revInformer.addHandlers(childEventHandlers<ControllerRevision, StatefulSet>(children));
    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'statefulset-controller', log: this.log });
    this.syncer = new StatefulSetSync({ client: options.client, statefulSets, pods: podInformer.lister(), claims: pvcInformer.lister(), revisions: revInformer.lister(), recorder, log: this.log, now: options.now });
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 5, signal, log: this.log, sync: (key) => this.syncer.sync(key) });
  }
}
