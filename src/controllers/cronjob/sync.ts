// One CronJob sync: start the due Job, delete replaced runs and old history, write status.
import { isApiError } from '../../api/errors.js';
import { cloneObject } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Job } from '../job/types.js';
import { KINDS } from '../common/kinds.js';
import { isControlledBy } from '../common/pods.js';
import { statusEqual } from '../replicaset/sync.js';
import { jobReference, reconcileCronJob, type CronJob } from './reconcile.js';

export interface CronJobSyncOptions {
  client: RestClient;
  cronJobs: Lister<CronJob>;
  jobs: Lister<Job>;
  recorder: EventRecorder;
  log: Logger;
  now?: () => Date;
}

export class CronJobSync {
  private readonly now: () => Date;
  constructor(private readonly o: CronJobSyncOptions) {
    this.now = o.now ?? (() => new Date());
  }

  async sync(key: string): Promise<{ requeueAfterMs?: number }> {
    const { client, recorder } = this.o;
    const [namespace, name] = key.split('/') as [string, string];
    const cj = this.o.cronJobs.get(namespace, name);
    if (!cj) return {};
    const plan = reconcileCronJob({ cronJob: cj, jobs: this.o.jobs.list(namespace, (j) => isControlledBy(j, cj)), now: this.now() });
    for (const { job, reason } of plan.delete) {
      try {
        await client.delete(KINDS.job, namespace, job.metadata.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
        recorder.event(cj, 'Normal', reason === 'replace' ? 'SuccessfulDelete' : 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      } catch (err) {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
      }
    }
    if (plan.create) {
      try {
        const created = await client.create<Job>(KINDS.job, plan.create);
        recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
        plan.status.active = [...(plan.status.active ?? []), jobReference(created)];
      } catch (err) {
        if (!isApiError(err, 'AlreadyExists')) {
          recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
          throw err;
        }
      }
    }
    for (const e of plan.events) recorder.event(cj, e.type, e.reason, e.message);
    if (!statusEqual(cj.status as Record<string, unknown> | undefined, plan.status as Record<string, unknown>)) {
      const next = cloneObject(cj);
      next.status = plan.status;
      try {
        await client.updateStatus(KINDS.cronJob, next);
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    }
    return { requeueAfterMs: plan.requeueAfterMs };
  }
}
