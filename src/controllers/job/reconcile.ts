// Pure Job logic: count finished pods (through the tracking finalizer), decide success or failure
// (completions, backoffLimit, activeDeadlineSeconds), start or stop pods (parallelism, indexes,
// suspend, failure backoff), and compute status and conditions.
import { rfc3339 } from '../../api/meta.js';
import { isPodReady, timeMs, type Pod } from '../common/pods.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, JOB_LABELS, JOB_TRACKING_FINALIZER, type Job, type JobCondition, type JobStatus } from './types.js';

export interface JobInput {
  job: Job;
  /** Pods controlled by the job. */
  pods: Pod[];
  now: Date;
  expectationsSatisfied: boolean;
}

export interface JobPlan {
  /** Status to write before removing finalizers, so a crash never counts a pod twice. */
  interimStatus?: JobStatus;
  /** Finished pods whose tracking finalizer can go once interimStatus is stored. */
  removeFinalizers: Pod[];
  /** Completion indexes to create (NonIndexed jobs use undefined). */
  create: Array<number | undefined>;
  delete: Pod[];
  status: JobStatus;
  deleteJob: boolean;
  events: Array<{ type: 'Normal' | 'Warning'; reason: string; message: string }>;
  requeueAfterMs?: number;
}

const isSucceeded = (p: Pod): boolean => p.status?.phase === 'Succeeded';
/** A tracked pod deleted before it finished counts as failed. */
const isFailed = (p: Pod): boolean => p.status?.phase === 'Failed' || (p.metadata.deletionTimestamp !== undefined && !isSucceeded(p));
const isFinished = (p: Pod): boolean => isSucceeded(p) || isFailed(p);
const hasFinalizer = (p: Pod): boolean => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

export function isJobFinished(job: Job): { type: 'Complete' | 'Failed'; at: string | undefined } | undefined {
  for (const c of job.status?.conditions ?? []) if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return { type: c.type, at: c.lastTransitionTime };
  return undefined;
}

export function completionIndexOf(pod: Pod): number | undefined {
  const raw = pod.metadata.annotations?.[JOB_LABELS.completionIndex] ?? pod.metadata.labels?.[JOB_LABELS.completionIndex];
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Delay before a replacement pod after `failures` failures: 10 s doubling, capped at 6 minutes. */
export function failureBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS);
}

function finishedAt(pod: Pod): number {
  let latest = 0;
  for (const c of pod.status?.containerStatuses ?? []) latest = Math.max(latest, timeMs(c.state?.terminated?.finishedAt));
  if (!latest) latest = timeMs(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
  return latest || timeMs(pod.metadata.deletionTimestamp) || timeMs(pod.metadata.creationTimestamp);
}

function setCondition(conditions: JobCondition[], type: string, status: JobCondition['status'], reason: string, message: string, now: Date): JobCondition[] {
  const current = conditions.find((c) => c.type === type);
  if (current && current.status === status && current.reason === reason) return conditions;
  const t = rfc3339(now);
  return [...conditions.filter((c) => c.type !== type), { type, status, reason, message, lastProbeTime: t, lastTransitionTime: t }];
}

const hasTrue = (conditions: JobCondition[], type: string): JobCondition | undefined => conditions.find((c) => c.type === type && c.status === 'True');

export function reconcileJob(input: JobInput): JobPlan {
  const { job, now } = input;
  const spec = job.spec ?? {};
  const old = job.status ?? {};
  const plan: JobPlan = { removeFinalizers: [], create: [], delete: [], status: {}, deleteJob: false, events: [] };
  const indexed = spec.completionMode === 'Indexed';
  const completions = spec.completions;

  // Counting: finished pods with our finalizer move to the uncounted lists first, then into the totals.
  const uncountedSucceeded = new Set(old.uncountedTerminatedPods?.succeeded ?? []);
  const uncountedFailed = new Set(old.uncountedTerminatedPods?.failed ?? []);
  let interimNeeded = false;
  for (const pod of input.pods) {
    const uid = pod.metadata.uid ?? '';
    if (!hasFinalizer(pod) || !isFinished(pod)) continue;
    if (!uncountedSucceeded.has(uid) && !uncountedFailed.has(uid)) {
      (isSucceeded(pod) ? uncountedSucceeded : uncountedFailed).add(uid);
      interimNeeded = true;
    }
    plan.removeFinalizers.push(pod);
  }
  if (interimNeeded) plan.interimStatus = { ...structuredClone(old), uncountedTerminatedPods: { succeeded: [...uncountedSucceeded], failed: [...uncountedFailed] } };
  const stillTracked = new Set(input.pods.filter(hasFinalizer).map((p) => p.metadata.uid));
  const removing = new Set(plan.removeFinalizers.map((p) => p.metadata.uid));
  // A uid is counted once its finalizer is (about to be) gone; the rest stay uncounted.
  const settled = (uid: string): boolean => !stillTracked.has(uid) || removing.has(uid);
  const succeededUids = [...uncountedSucceeded].filter(settled);
  const failedUids = [...uncountedFailed].filter(settled);
  let succeeded = (old.succeeded ?? 0) + succeededUids.length;
  const failed = (old.failed ?? 0) + failedUids.length;
  const leftSucceeded = [...uncountedSucceeded].filter((u) => !settled(u));
  const leftFailed = [...uncountedFailed].filter((u) => !settled(u));

  let completed = indexed ? parseIndexes(old.completedIndexes, completions ?? 0) : new Set<number>();
  if (indexed) {
    for (const pod of input.pods) {
      const index = completionIndexOf(pod);
      if (index !== undefined && isSucceeded(pod) && index < (completions ?? 0)) completed.add(index);
    }
    completed = new Set([...completed]);
    succeeded = Math.max(succeeded, completed.size);
  }

  const active = input.pods.filter((p) => !isFinished(p) && !p.metadata.deletionTimestamp);
  const terminating = input.pods.filter((p) => p.metadata.deletionTimestamp && !isFinished(p)).length;
  let conditions = structuredClone(old.conditions ?? []);
  const status: JobStatus = {
    startTime: old.startTime,
    completionTime: old.completionTime,
    active: active.length,
    ready: active.filter(isPodReady).length,
    succeeded,
    failed,
    terminating,
    uncountedTerminatedPods: { succeeded: leftSucceeded, failed: leftFailed },
  };
  if (indexed) status.completedIndexes = formatIndexes(completed);
  plan.status = status;

  const finished = isJobFinished(job);
  if (finished) {
    status.conditions = conditions;
    plan.delete = active;
    const ttl = spec.ttlSecondsAfterFinished;
    if (ttl !== undefined && ttl !== null) {
      const expires = timeMs(old.completionTime ?? finished.at) + ttl * 1000;
      if (expires <= now.getTime()) plan.deleteJob = true;
      else plan.requeueAfterMs = expires - now.getTime();
    }
    return plan;
  }

  if (spec.suspend) {
    if (!hasTrue(conditions, 'Suspended')) plan.events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
    conditions = setCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
    status.conditions = conditions;
    plan.delete = active;
    return plan;
  }
  if (hasTrue(conditions, 'Suspended')) {
    conditions = setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
    plan.events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
    status.startTime = rfc3339(now);
  }
  if (!status.startTime) status.startTime = rfc3339(now);

  // Success or failure targets; the final condition waits until no pod is left running.
  const backoffLimit = spec.backoffLimit ?? 6;
  const target = hasTrue(conditions, 'FailureTarget') ?? hasTrue(conditions, 'SuccessCriteriaMet');
  if (!target) {
    const deadline = spec.activeDeadlineSeconds;
    const succeededEnough = completions === undefined || completions === null ? succeeded > 0 && active.length === 0 : indexed ? completed.size >= completions : succeeded >= completions;
    if (succeededEnough) {
      conditions = setCondition(conditions, 'SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
    } else if (failed > backoffLimit) {
      conditions = setCondition(conditions, 'FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
    } else if (deadline !== undefined && deadline !== null && timeMs(status.startTime) + deadline * 1000 <= now.getTime()) {
      conditions = setCondition(conditions, 'FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      plan.events.push({ type: 'Warning', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    } else if (deadline !== undefined && deadline !== null) {
      plan.requeueAfterMs = timeMs(status.startTime) + deadline * 1000 - now.getTime();
    }
  }
  const reached = hasTrue(conditions, 'FailureTarget') ?? hasTrue(conditions, 'SuccessCriteriaMet');
  if (reached) {
    plan.delete = active;
    if (active.length === 0 && terminating === 0 && leftSucceeded.length === 0 && leftFailed.length === 0) {
      const type = reached.type === 'FailureTarget' ? 'Failed' : 'Complete';
      conditions = setCondition(conditions, type, 'True', reached.reason ?? '', reached.message ?? '', now);
      if (type === 'Complete') {
        status.completionTime = rfc3339(now);
        plan.events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
      } else plan.events.push({ type: 'Warning', reason: reached.reason ?? 'Failed', message: reached.message ?? 'Job failed' });
      if (spec.ttlSecondsAfterFinished !== undefined && spec.ttlSecondsAfterFinished !== null) plan.requeueAfterMs = spec.ttlSecondsAfterFinished * 1000;
    }
    status.conditions = conditions;
    return plan;
  }
  status.conditions = conditions;
  if (!input.expectationsSatisfied) return plan;

  // How many pods should run now.
  const parallelism = spec.parallelism ?? 1;
  let wantActive: number;
  if (completions === undefined || completions === null) wantActive = succeeded > 0 ? 0 : parallelism;
  else wantActive = Math.max(0, Math.min(parallelism, completions - (indexed ? completed.size : succeeded)));
  if (active.length > wantActive) {
    plan.delete = [...active].sort((a, b) => timeMs(b.metadata.creationTimestamp) - timeMs(a.metadata.creationTimestamp)).slice(0, active.length - wantActive);
    return plan;
  }
  let toCreate = wantActive - active.length;
  if (toCreate <= 0) return plan;

  // Failed pods: back off before replacing them.
  if (failed > 0) {
    const lastFailure = Math.max(0, ...input.pods.filter(isFailed).map(finishedAt));
    const wait = lastFailure ? lastFailure + failureBackoffMs(failed) - now.getTime() : 0;
    if (wait > 0) {
      plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? wait, wait);
      return plan;
    }
  }
  if (indexed) {
    const busy = new Set(active.map(completionIndexOf));
    for (let i = 0; i < (completions ?? 0) && toCreate > 0; i++) {
      if (completed.has(i) || busy.has(i)) continue;
      plan.create.push(i);
      toCreate--;
    }
  } else plan.create = Array.from({ length: toCreate }, () => undefined);
  return plan;
}

/** The pod a Job starts; Indexed jobs get the index as annotation, label, env and hostname. */
export function jobPod(job: Job, index: number | undefined): Pod {
  const template = structuredClone(job.spec?.template ?? {});
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}), [JOB_LABELS.jobName]: name, [JOB_LABELS.legacyJobName]: name, [JOB_LABELS.controllerUid]: uid, [JOB_LABELS.legacyControllerUid]: uid };
  const annotations = { ...(template.metadata?.annotations ?? {}) };
  const spec = template.spec ?? {};
  if (index !== undefined) {
    labels[JOB_LABELS.completionIndex] = String(index);
    annotations[JOB_LABELS.completionIndex] = String(index);
    spec.hostname = `${name}-${index}`;
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_LABELS.completionIndex}']` } } };
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) c.env = [...(c.env ?? []).filter((e) => e.name !== 'JOB_COMPLETION_INDEX'), env];
  }
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      labels,
      finalizers: [...(template.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
  if (Object.keys(annotations).length) pod.metadata.annotations = annotations;
  return pod;
}
