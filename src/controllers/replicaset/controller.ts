// The ReplicaSet controller: ReplicaSet and pod events feed ReplicaSet keys to a work queue.
import { objectKey } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { ControllerExpectations } from '../../client/expectations.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { childEventHandlers } from '../common/child-events.js';
import { KINDS } from '../common/kinds.js';
import type { Pod } from '../common/pods.js';
import type { ReplicaSet } from './reconcile.js';
import { ReplicaSetSync } from './sync.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';


export class ReplicaSetController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: ReplicaSetSync;
  private readonly workers: number;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('replicaset-controller');
    this.workers = options.workers ?? 5;
    const rsInformer = options.informers.informerFor<ReplicaSet>(KINDS.replicaSet);
    const podInformer = options.informers.informerFor<Pod>(KINDS.pod);
    const expectations = new ControllerExpectations();
    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'replicaset-controller', log: this.log });
    const enqueue = (rs: ReplicaSet): void => this.queue.add(objectKey(rs));
    rsInformer.addHandlers({
      onAdd: enqueue,
      onUpdate: (_old, rs) => enqueue(rs),
      onDelete: (rs) => {
        expectations.deleteExpectations(objectKey(rs));
        enqueue(rs);
      },
    });
    const replicaSets = rsInformer.lister();
    podInformer.addHandlers(
      childEventHandlers<Pod, ReplicaSet>({
        ownerKind: 'ReplicaSet',
        owners: replicaSets,
        selectorOf: (rs) => rs.spec?.selector,
        enqueue: (key) => this.queue.add(key),
        expectations,
      }),
    );
    this.syncer = new ReplicaSetSync({ client: options.client, replicaSets, pods: podInformer.lister(), expectations, recorder, log: this.log, now: options.now });
  }

  /** Runs until `signal` aborts; the informer factory must be started by the caller. */
  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.workers, signal, log: this.log, sync: async (key) => {
      const result = await this.syncer.sync(key);
      return result.requeueAfterMs === undefined ? {} : { requeueAfterMs: result.requeueAfterMs + 50 };
    } });
  }
}
