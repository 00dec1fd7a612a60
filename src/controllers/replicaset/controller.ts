// The ReplicaSet controller: ReplicaSet and pod events feed ReplicaSet keys to a work queue.
import { objectKey } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { ControllerExpectations } from '../../client/expectations.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { createLogger, type Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { isApiError } from '../../api/errors.js';
import { runWorkers, WorkQueue } from '../../client/work-queue.js';
import { childEventHandlers } from './child-events.js';
import { KINDS } from './kinds.js';
import type { Pod } from './pods.js';
import type { ReplicaSet } from './reconcile.js';
import { ReplicaSetSync } from './sync.js';

export interface WorkloadControllerOptions {
  client: RestClient;
  informers: InformerFactory;
  log?: Logger;
  workers?: number;
  recorder?: EventRecorder;
  now?: () => Date;
}

/**
 * runWorkers, except that a write conflict (our cache was behind) is an expected race rather than a
 * failure: it is retried shortly and logged at debug level. `sync` returns an optional requeue delay.
 */
export function runControllerWorkers(options: { queue: WorkQueue<string>; workers: number; signal: AbortSignal; log: Logger; sync: (key: string) => Promise<{ requeueAfterMs?: number } | void> }): Promise<void> {
  const { queue, log } = options;
  return runWorkers(
    queue,
    options.workers,
    async (key) => {
      try {
        const result = await options.sync(key);
        if (result && result.requeueAfterMs !== undefined) queue.addAfter(key, Math.max(0, result.requeueAfterMs));
      } catch (err) {
        if (!isApiError(err, 'Conflict')) throw err;
        log.debug('write conflict; retrying', { object: key });
        queue.addAfter(key, 200);
      }
    },
    options.signal,
    log,
  );
}

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
    if (await this.options.informers.waitForSync(signal)) {
      await runControllerWorkers({ queue: this.queue, workers: this.workers, signal, log: this.log, sync: async (key) => {
        const result = await this.syncer.sync(key);
        return result.requeueAfterMs === undefined ? {} : { requeueAfterMs: result.requeueAfterMs + 50 };
      } });
    }
    this.queue.shutDown();
  }
}
