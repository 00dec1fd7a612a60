// The Job controller: Job and pod events feed Job keys to a work queue.
import { objectKey } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { ControllerExpectations } from '../../client/expectations.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { childEventHandlers } from '../common/child-events.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import type { Pod } from '../common/pods.js';
import { JobSync } from './sync.js';
import type { Job } from './types.js';

export class JobController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: JobSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('job-controller');
    const jobInformer = options.informers.informerFor<Job>(KINDS.job);
    const podInformer = options.informers.informerFor<Pod>(KINDS.pod);
    const expectations = new ControllerExpectations();
    const jobs = jobInformer.lister();
    const enqueue = (job: Job): void => this.queue.add(objectKey(job));
    jobInformer.addHandlers({
      onAdd: enqueue,
      onUpdate: (_o, job) => enqueue(job),
      onDelete: (job) => expectations.deleteExpectations(objectKey(job)),
    });
    // Jobs do not adopt orphans (their selector carries the job's uid), so no selector matching.
    podInformer.addHandlers(childEventHandlers<Pod, Job>({ ownerKind: 'Job', owners: jobs, selectorOf: () => undefined, enqueue: (key) => this.queue.add(key), expectations }));
    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'job-controller', log: this.log });
    this.syncer = new JobSync({ client: options.client, jobs, pods: podInformer.lister(), expectations, recorder, log: this.log, now: options.now });
  }

  async start(signal: AbortSignal): Promise<void> {
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 5, signal, log: this.log, sync: async (key) => {
      const result = await this.syncer.sync(key);
      return result.requeueAfterMs === undefined ? {} : { requeueAfterMs: Math.max(0, result.requeueAfterMs) + 100 };
    } });
  }
}
