// The DaemonSet controller: DaemonSet, pod and node events feed DaemonSet keys to a queue.
import { objectKey } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { ControllerExpectations } from '../../client/expectations.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { childEventHandlers } from '../common/child-events.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import type { Pod } from '../common/pods.js';
import type { ControllerRevision } from '../statefulset/sync.js';
import type { NodeObject } from './eligibility.js';
import type { DaemonSet } from './reconcile.js';
import { DaemonSetSync } from './sync.js';

export class DaemonSetController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: DaemonSetSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('daemonset-controller');
    const f = options.informers;
    const dsInformer = f.informerFor<DaemonSet>(KINDS.daemonSet);
    const podInformer = f.informerFor<Pod>(KINDS.pod);
    const nodeInformer = f.informerFor<NodeObject>(KINDS.node);
    const revInformer = f.informerFor<ControllerRevision>(KINDS.controllerRevision);
    const daemonSets = dsInformer.lister();
    const expectations = new ControllerExpectations();
    const enqueue = (ds: DaemonSet): void => this.queue.add(objectKey(ds));
    dsInformer.addHandlers({ onAdd: enqueue, onUpdate: (_o, ds) => enqueue(ds), onDelete: (ds) => expectations.deleteExpectations(objectKey(ds)) });
    podInformer.addHandlers(childEventHandlers<Pod, DaemonSet>({ ownerKind: 'DaemonSet', owners: daemonSets, selectorOf: () => undefined, enqueue: (key) => this.queue.add(key), expectations }));
    const all = (): void => {
      for (const ds of daemonSets.list()) enqueue(ds);
    };
    nodeInformer.addHandlers({
      onAdd: all,
      onUpdate: (oldNode, node) => {
        if (JSON.stringify([oldNode.metadata.labels, oldNode.spec?.taints]) !== JSON.stringify([node.metadata.labels, node.spec?.taints])) all();
      },
      onDelete: all,
    });
    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'daemonset-controller', log: this.log });
    this.syncer = new DaemonSetSync({ client: options.client, daemonSets, nodes: nodeInformer.lister(), pods: podInformer.lister(), revisions: revInformer.lister(), expectations, recorder, log: this.log, now: options.now });
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 3, signal, log: this.log, sync: (key) => this.syncer.sync(key) });
  }
}
