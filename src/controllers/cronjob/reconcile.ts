// Pure CronJob logic: keep status.active in line with the owned Jobs, decide whether a run is
// due (schedule, time zone, startingDeadlineSeconds, concurrencyPolicy, suspend), and trim history.
import { rfc3339, type KubeObject } from '../../api/meta.js';
import { timeMs } from '../common/pods.js';
import { isJobFinished } from '../job/reconcile.js';
import type { Job } from '../job/types.js';
import { mostRecentTime, nextTime, parseSchedule, zoneOffsetMinutes, type CronSchedule } from './schedule.js';
import type { ObjectReference } from '../../api/meta.js';


export interface CronJob extends KubeObject {
  spec?: {
    schedule?: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Job['spec'] };
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobPlan {
  status: NonNullable<CronJob['status']>;
  /** A Job to create (added to status.active once created). */
  create?: Job;
  /** Jobs to delete: replaced active runs and history beyond the limits. */
  delete: Array<{ job: Job; reason: 'replace' | 'history' }>;
  events: Array<{ type: 'Normal' | 'Warning'; reason: string; message: string }>;
  requeueAfterMs?: number;
}

export function jobReference(job: Job): ObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion };
}

/** RFC 3339 with the zone's offset, as Kubernetes writes the scheduled-timestamp annotation. */
export function formatInZone(at: Date, zone: string | undefined): string {
  const offset = zone ? zoneOffsetMinutes(zone, at) : 0;
  if (offset === 0) return rfc3339(at);
  const local = rfc3339(new Date(at.getTime() + offset * 60_000)).slice(0, -1);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function jobNameFor(cronJobName: string, scheduled: Date): string {
  return `${cronJobName}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

export function reconcileCronJob(input: { cronJob: CronJob; jobs: Job[]; now: Date }): CronJobPlan {
  const { cronJob: cj, now } = input;
  const spec = cj.spec ?? {};
  const status = structuredClone(cj.status ?? {});
  const plan: CronJobPlan = { status, delete: [], events: [] };
  const byUid = new Map(input.jobs.map((j) => [j.metadata.uid, j]));

  // Reconcile status.active with the jobs we own.
  let active = (status.active ?? []).filter((ref) => {
    const job = byUid.get(ref.uid);
    if (!job) {
      plan.events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
      return false;
    }
    return true;
  });
  for (const job of input.jobs) {
    const finished = isJobFinished(job);
    const listed = active.some((r) => r.uid === job.metadata.uid);
    if (finished && listed) {
      active = active.filter((r) => r.uid !== job.metadata.uid);
      plan.events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata.name}, condition: ${finished.type}` });
    } else if (!finished && !listed && !job.metadata.deletionTimestamp) {
      active.push(jobReference(job));
    }
    if (finished?.type === 'Complete') {
      const done = job.status?.completionTime ?? finished.at;
      if (done && timeMs(done) > timeMs(status.lastSuccessfulTime)) status.lastSuccessfulTime = done;
    }
  }
  status.active = active;
  if (active.length === 0) delete status.active;

  plan.delete.push(...historyToDelete(spec, input.jobs).map((job) => ({ job, reason: 'history' as const })));
  if (cj.metadata.deletionTimestamp) return plan;

  let schedule: CronSchedule;
  try {
    schedule = parseSchedule(spec.schedule ?? '', spec.timeZone);
  } catch (err) {
    const unknownZone = err instanceof RangeError;
    plan.events.push({ type: 'Warning', reason: unknownZone ? 'UnknownTimeZone' : 'UnparseableSchedule', message: unknownZone ? `invalid timeZone: "${spec.timeZone}": ${(err as Error).message}` : `unparseable schedule: "${spec.schedule}" : ${(err as Error).message}` });
    return plan;
  }
  const next = nextTime(schedule, now);
  const requeue = next ? next.getTime() - now.getTime() + 100 : undefined;
  plan.requeueAfterMs = requeue;
  if (spec.suspend) return plan;

  let earliest = new Date(timeMs(status.lastScheduleTime ?? cj.metadata.creationTimestamp) || now.getTime());
  const deadline = spec.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) earliest = new Date(Math.max(earliest.getTime(), now.getTime() - deadline * 1000));
  const { time: scheduled, missed } = mostRecentTime(schedule, earliest, now);
  if (!scheduled) return plan;
  if (missed > 100) plan.events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
  if (deadline !== undefined && deadline !== null && scheduled.getTime() + deadline * 1000 < now.getTime()) {
    plan.events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${rfc3339(scheduled)}` });
    return plan;
  }
  const name = jobNameFor(cj.metadata.name ?? '', scheduled);
  if (input.jobs.some((j) => j.metadata.name === name)) return plan;

  const policy = spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    plan.events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return plan;
  }
  if (policy === 'Replace') {
    for (const ref of active) {
      const job = byUid.get(ref.uid);
      if (job) plan.delete.push({ job, reason: 'replace' });
    }
    delete status.active;
  }
  const template = spec.jobTemplate ?? {};
  plan.create = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduled, schedule.timeZone) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name ?? '', uid: cj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(template.spec ?? {}),
  };
  status.lastScheduleTime = rfc3339(scheduled);
  return plan;
}

/** Finished jobs beyond the history limits, oldest first. */
export function historyToDelete(spec: NonNullable<CronJob['spec']>, jobs: Job[]): Job[] {
  const startOf = (j: Job): number => timeMs(j.status?.startTime ?? j.metadata.creationTimestamp);
  const pick = (type: 'Complete' | 'Failed', limit: number): Job[] => {
    const done = jobs.filter((j) => isJobFinished(j)?.type === type && !j.metadata.deletionTimestamp).sort((a, b) => startOf(a) - startOf(b));
    return done.slice(0, Math.max(0, done.length - limit));
  };
  return [...pick('Complete', spec.successfulJobsHistoryLimit ?? 3), ...pick('Failed', spec.failedJobsHistoryLimit ?? 1)];
}
