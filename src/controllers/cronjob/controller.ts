// The CronJob controller: CronJob and Job events, plus a timer per CronJob for its next run.
import { controllerOf, objectKey } from '../../api/meta.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import type { Job } from '../job/types.js';
import { runWhenSynced, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import type { CronJob } from './reconcile.js';
import { CronJobSync } from './sync.js';

export class CronJobController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: CronJobSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('cronjob-controller');
    const cjInformer = options.informers.informerFor<CronJob>(KINDS.cronJob);
    const jobInformer = options.informers.informerFor<Job>(KINDS.job);
    const enqueue = (cj: CronJob): void => this.queue.add(objectKey(cj));
    cjInformer.addHandlers({ onAdd: enqueue, onUpdate: (_o, cj) => enqueue(cj) });
    const enqueueOwner = (job: Job): void => {
      const ref = controllerOf(job);
      if (ref?.kind === 'CronJob') this.queue.add(`${job.metadata.namespace}/${ref.name}`);
    };
    jobInformer.addHandlers({ onAdd: enqueueOwner, onUpdate: (_o, job) => enqueueOwner(job), onDelete: enqueueOwner });
    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'cronjob-controller', log: this.log });
    this.syncer = new CronJobSync({ client: options.client, cronJobs: cjInformer.lister(), jobs: jobInformer.lister(), recorder, log: this.log, now: options.now });
  }

  async start(signal: AbortSignal): Promise<void> {
    // Timers are not exact over hours; cap the wait so a late wake-up is at most a minute late.
    await runWhenSynced(this.options.informers, { queue: this.queue, workers: this.options.workers ?? 5, signal, log: this.log, sync: async (key) => {
      const result = await this.syncer.sync(key);
      return result.requeueAfterMs === undefined ? {} : { requeueAfterMs: Math.min(result.requeueAfterMs, 60_000) };
    } });
  }
}
