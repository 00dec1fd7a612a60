// One Job sync: count finished pods safely (interim status, then finalizer removal), start and
// stop pods under expectations, write status, and delete the Job once its TTL has passed.
import { isApiError } from '../../api/errors.js';
import { cloneObject } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { ControllerExpectations } from '../../client/expectations.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import { PatchTypes, type RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import { isControlledBy, slowStartBatch, type Pod } from '../common/pods.js';
import { statusEqual } from '../replicaset/sync.js';
import { jobPod, reconcileJob } from './reconcile.js';
import { JOB_TRACKING_FINALIZER, type Job, type JobStatus } from './types.js';

export interface JobSyncOptions {
  client: RestClient;
  jobs: Lister<Job>;
  pods: Lister<Pod>;
  expectations: ControllerExpectations;
  recorder: EventRecorder;
  log: Logger;
  now?: () => Date;
}

export class JobSync {
  private readonly now: () => Date;
  constructor(private readonly o: JobSyncOptions) {
    this.now = o.now ?? (() => new Date());
  }

  async sync(key: string): Promise<{ requeueAfterMs?: number }> {
    const { client, expectations, recorder, log } = this.o;
    const [namespace, name] = key.split('/') as [string, string];
    const cached = this.o.jobs.get(namespace, name);
    if (!cached) {
      expectations.deleteExpectations(key);
      return {};
    }
    const pods = this.o.pods.list(namespace, (p) => isControlledBy(p, cached));
    const plan = reconcileJob({ job: cached, pods, now: this.now(), expectationsSatisfied: expectations.satisfied(key) });
    if (plan.deleteJob) {
      log.info('deleting finished job after its TTL', { object: key });
      try {
        await client.delete(KINDS.job, namespace, name, { propagationPolicy: 'Background', preconditions: { uid: cached.metadata.uid } });
      } catch (err) {
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
      }
      return {};
    }
    let current = cached;
    if (plan.interimStatus) current = await this.writeStatus(current, plan.interimStatus);
    for (const pod of plan.removeFinalizers) await this.removeFinalizer(pod);

    let failure: unknown;
    if (plan.delete.length > 0) {
      expectations.expectDeletions(key, plan.delete.length);
      for (const pod of plan.delete) {
        try {
          await client.delete(KINDS.pod, namespace, pod.metadata.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: pod.metadata.uid } });
          recorder.event(cached, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          expectations.deletionObserved(key);
          if (!isApiError(err, 'NotFound')) failure ??= err;
        }
      }
    }
    if (plan.create.length > 0) {
      expectations.expectCreations(key, plan.create.length);
      const result = await slowStartBatch(plan.create.length, 1, async (i) => {
        try {
          const created = await client.create<Pod>(KINDS.pod, jobPod(cached, plan.create[i]));
          recorder.event(cached, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (err) {
          expectations.creationObserved(key);
          recorder.event(cached, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          throw err;
        }
      });
      for (let i = result.successes + (result.error ? 1 : 0); i < plan.create.length; i++) expectations.creationObserved(key);
      failure ??= result.error;
    }
    for (const e of plan.events) recorder.event(cached, e.type, e.reason, e.message);
    await this.writeStatus(current, plan.status);
    if (failure) throw failure;
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  private async removeFinalizer(pod: Pod): Promise<void> {
    const kept = (pod.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    const patch = [{ op: 'test', path: '/metadata/uid', value: pod.metadata.uid }, kept.length ? { op: 'replace', path: '/metadata/finalizers', value: kept } : { op: 'remove', path: '/metadata/finalizers' }];
    try {
      await this.o.client.patch(KINDS.pod, pod.metadata.namespace, pod.metadata.name ?? '', PatchTypes.json, patch);
    } catch (err) {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Invalid')) throw err;
    }
  }

  private async writeStatus(job: Job, status: JobStatus): Promise<Job> {
    if (statusEqual(job.status as Record<string, unknown> | undefined, status as Record<string, unknown>)) return job;
    const next = cloneObject(job);
    next.status = status;
    return this.o.client.updateStatus<Job>(KINDS.job, next);
  }
}
