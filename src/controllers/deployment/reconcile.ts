// Pure Deployment logic: find or create the new ReplicaSet, move replicas between ReplicaSets
// (rolling update, recreate or proportional scaling), keep revisions, trim history, and compute
// the status and conditions `kubectl rollout status` reads.
import { controllerOf } from '../../api/meta.js';
import { isPodTerminal, timeMs, type Pod } from '../common/pods.js';
import type { ReplicaSet } from '../replicaset/reconcile.js';
import { getCondition, newCondition, REASONS, removeCondition, setCondition, type DeploymentCondition } from './conditions.js';
import { computeTemplateHash, POD_TEMPLATE_HASH_LABEL, templatesEqualIgnoringHash } from './hash.js';
import { newReplicaSetSize, oldReplicaSetSizes, resolveFenceposts } from './rolling.js';
import { ANNOTATIONS, NOT_COPIED, type Deployment, type DeploymentStatus } from './types.js';

export type DeploymentAction =
  | { type: 'createReplicaSet'; rs: ReplicaSet }
  | { type: 'updateReplicaSet'; rs: ReplicaSet }
  | { type: 'deleteReplicaSet'; rs: ReplicaSet }
  | { type: 'setDeploymentRevision'; revision: string };

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface DeploymentPlan {
  actions: DeploymentAction[];
  events: PlannedEvent[];
  status: DeploymentStatus;
  requeueAfterMs?: number;
}

export interface DeploymentInput {
  deployment: Deployment;
  /** ReplicaSets controlled by the deployment. */
  replicaSets: ReplicaSet[];
  /** Pods of the namespace; Recreate waits for the old ReplicaSets' pods to be gone. */
  pods: Pod[];
  now: Date;
}

const MAX_INT32 = 2147483647;

export function revisionOf(rs: ReplicaSet): number {
  const n = Number(rs.metadata.annotations?.[ANNOTATIONS.revision]);
  return Number.isFinite(n) ? n : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = d.spec?.replicas ?? 1;
  if (d.spec?.strategy?.type === 'Recreate' || desired === 0) return 0;
  const { unavailable } = resolveFenceposts(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%', desired);
  return Math.min(unavailable, desired);
}

export function maxSurge(d: Deployment): number {
  if (d.spec?.strategy?.type === 'Recreate') return 0;
  return resolveFenceposts(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', d.spec?.strategy?.rollingUpdate?.maxUnavailable ?? '25%', d.spec?.replicas ?? 1).surge;
}

function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== MAX_INT32;
}

const byCreation = (a: ReplicaSet, b: ReplicaSet): number => timeMs(a.metadata.creationTimestamp) - timeMs(b.metadata.creationTimestamp) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

/** The oldest ReplicaSet whose template equals the deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, sets: ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort(byCreation).find((rs) => templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
}

/** Mutable working state for one sync: copies of the ReplicaSets and what changed. */
class Plan {
  readonly sets: ReplicaSet[];
  readonly changed = new Set<ReplicaSet>();
  readonly actions: DeploymentAction[] = [];
  readonly events: PlannedEvent[] = [];
  conditions: DeploymentCondition[];
  newRS: ReplicaSet | undefined;
  created = false;

  constructor(
    readonly d: Deployment,
    sets: ReplicaSet[],
    readonly now: Date,
  ) {
    this.sets = sets.map((rs) => structuredClone(rs)).sort(byCreation);
    this.conditions = structuredClone(d.status?.conditions ?? []);
    const found = findNewReplicaSet(d, this.sets);
    this.newRS = found;
  }

  get desired(): number {
    return this.d.spec?.replicas ?? 1;
  }

  get old(): ReplicaSet[] {
    return this.sets.filter((rs) => rs !== this.newRS);
  }

  replicas(rs: ReplicaSet): number {
    return rs.spec?.replicas ?? 0;
  }

  /** Sets size and the desired/max annotations, recording the ScalingReplicaSet event. */
  scale(rs: ReplicaSet, size: number): boolean {
    const from = this.replicas(rs);
    const annotations = (rs.metadata.annotations ??= {});
    const desired = String(this.desired);
    const max = String(this.desired + maxSurge(this.d));
    const annotationsChange = annotations[ANNOTATIONS.desiredReplicas] !== desired || annotations[ANNOTATIONS.maxReplicas] !== max;
    if (from === size && !annotationsChange) return false;
    annotations[ANNOTATIONS.desiredReplicas] = desired;
    annotations[ANNOTATIONS.maxReplicas] = max;
    rs.spec = { ...(rs.spec ?? {}), replicas: size };
    this.changed.add(rs);
    if (from !== size) {
      const verb = size > from ? 'up' : 'down';
      this.events.push({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${size}` });
    }
    return from !== size;
  }

  setProgressing(status: DeploymentCondition['status'], reason: string, message: string): void {
    if (!hasProgressDeadline(this.d)) return;
    this.conditions = setCondition(this.conditions, newCondition('Progressing', status, reason, message, this.now));
  }
}

function copyAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const target = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** Brings the revision annotations up to date and creates the new ReplicaSet when asked to. */
function syncRevision(p: Plan, createIfMissing: boolean): void {
  const d = p.d;
  const newRevision = String(Math.max(0, ...p.old.map(revisionOf)) + 1);
  if (p.newRS) {
    const rs = p.newRS;
    let changed = copyAnnotations(d, rs);
    if (revisionOf(rs) < Number(newRevision)) {
      rs.metadata.annotations![ANNOTATIONS.revision] = newRevision;
      changed = true;
    }
    if ((rs.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
      rs.spec = { ...(rs.spec ?? {}), minReadySeconds: d.spec?.minReadySeconds ?? 0 };
      changed = true;
    }
    if (changed) p.changed.add(rs);
    const revision = rs.metadata.annotations?.[ANNOTATIONS.revision] ?? newRevision;
    if (d.metadata.annotations?.[ANNOTATIONS.revision] !== revision) p.actions.push({ type: 'setDeploymentRevision', revision });
    if (!getCondition(p.conditions, 'Progressing')) p.setProgressing('True', REASONS.foundNewRS, `Found new replica set "${rs.metadata.name}"`);
    return;
  }
  if (!createIfMissing) return;
  const hash = computeTemplateHash(d.spec?.template, d.status?.collisionCount);
  const template = structuredClone(d.spec?.template ?? {});
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const all = p.sets.reduce((n, s) => n + p.replicas(s), 0);
  const size = d.spec?.strategy?.type === 'Recreate' ? p.desired : newReplicaSetSize(p.desired, maxSurge(d), 0, all);
  const name = `${d.metadata.name}-${hash}`;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) annotations[k] = v;
  annotations[ANNOTATIONS.revision] = newRevision;
  annotations[ANNOTATIONS.desiredReplicas] = String(p.desired);
  annotations[ANNOTATIONS.maxReplicas] = String(p.desired + maxSurge(d));
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: d.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}) },
      annotations,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: size, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    status: { replicas: 0 },
  };
  p.actions.push({ type: 'createReplicaSet', rs });
  if (size > 0) p.events.push({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${name} from 0 to ${size}` });
  p.actions.push({ type: 'setDeploymentRevision', revision: newRevision });
  p.setProgressing('True', REASONS.newRSCreated, `Created new replica set "${name}"`);
  p.sets.push(rs);
  p.newRS = rs;
  p.created = true;
}

export function isScalingEvent(d: Deployment, sets: ReplicaSet[]): boolean {
  const desired = d.spec?.replicas ?? 1;
  return sets.some((rs) => {
    if ((rs.spec?.replicas ?? 0) <= 0) return false;
    const annotated = rs.metadata.annotations?.[ANNOTATIONS.desiredReplicas];
    return annotated !== undefined && Number(annotated) !== desired;
  });
}

/** Spreads a change of spec.replicas over the active ReplicaSets in proportion to their size. */
function scaleProportionally(p: Plan): void {
  const d = p.d;
  const active = p.sets.filter((rs) => p.replicas(rs) > 0);
  const activeOrLatest = active.length === 1 ? active[0] : active.length === 0 ? (p.newRS ?? p.old[p.old.length - 1]) : undefined;
  if (activeOrLatest) {
    if (p.replicas(activeOrLatest) !== p.desired) p.scale(activeOrLatest, p.desired);
    return;
  }
  const newRS = p.newRS;
  if (newRS && p.replicas(newRS) === p.desired && Number(newRS.metadata.annotations?.[ANNOTATIONS.desiredReplicas]) === p.desired && (newRS.status?.availableReplicas ?? 0) === p.desired) {
    for (const rs of p.old) if (p.replicas(rs) > 0) p.scale(rs, 0);
    return;
  }
  if (d.spec?.strategy?.type === 'Recreate') return;
  const surge = maxSurge(d);
  const allowed = p.desired > 0 ? p.desired + surge : 0;
  const toAdd = allowed - active.reduce((n, rs) => n + p.replicas(rs), 0);
  const created = (rs: ReplicaSet): number => timeMs(rs.metadata.creationTimestamp);
  const ordered = [...active].sort((a, b) => p.replicas(b) - p.replicas(a) || (toAdd > 0 ? created(b) - created(a) : created(a) - created(b)));
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of ordered) {
    let proportion = 0;
    if (toAdd !== 0 && toAdd !== added) {
      let fraction: number;
      if (p.desired === 0) fraction = -p.replicas(rs);
      else {
        const annotated = Number(rs.metadata.annotations?.[ANNOTATIONS.maxReplicas] ?? d.status?.replicas ?? 0) || 1;
        fraction = Math.round((p.replicas(rs) * (p.desired + surge)) / annotated) - p.replicas(rs);
      }
      const allowedLeft = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, allowedLeft) : Math.max(fraction, allowedLeft);
    }
    sizes.set(rs, p.replicas(rs) + proportion);
    added += proportion;
  }
  if (toAdd !== 0 && ordered[0]) sizes.set(ordered[0], Math.max(0, (sizes.get(ordered[0]) ?? 0) + toAdd - added));
  for (const rs of ordered) p.scale(rs, sizes.get(rs) ?? p.replicas(rs));
}

function rollingUpdate(p: Plan): boolean {
  syncRevision(p, true);
  const newRS = p.newRS!;
  const desired = p.desired;
  const current = p.replicas(newRS);
  if (current !== desired) {
    const all = p.sets.reduce((n, s) => n + p.replicas(s), 0);
    const target = current > desired ? desired : newReplicaSetSize(desired, maxSurge(p.d), current, all);
    if (target !== current && p.scale(newRS, target)) return false;
  }
  const sizes = oldReplicaSetSizes({
    desired,
    unavailable: maxUnavailable(p.d),
    newSet: { name: newRS.metadata.name ?? '', replicas: p.replicas(newRS), available: newRS.status?.availableReplicas ?? 0, created: timeMs(newRS.metadata.creationTimestamp) },
    oldSets: p.old.map((rs) => ({ name: rs.metadata.name ?? '', replicas: p.replicas(rs), available: rs.status?.availableReplicas ?? 0, created: timeMs(rs.metadata.creationTimestamp) })),
  });
  let scaledDown = false;
  for (const rs of p.old) {
    const size = sizes.get(rs.metadata.name ?? '');
    if (size !== undefined && p.scale(rs, size)) scaledDown = true;
  }
  return !scaledDown;
}

function recreate(p: Plan, pods: Pod[]): boolean {
  syncRevision(p, false);
  let scaledDown = false;
  for (const rs of p.old) if (p.replicas(rs) > 0 && p.scale(rs, 0)) scaledDown = true;
  if (scaledDown) return false;
  const oldUids = new Set(p.old.map((rs) => rs.metadata.uid));
  if (pods.some((pod) => oldUids.has(controllerOf(pod)?.uid) && !isPodTerminal(pod))) return false;
  if (!p.newRS) syncRevision(p, true);
  else if (p.replicas(p.newRS) !== p.desired) p.scale(p.newRS, p.desired);
  return true;
}

/** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
function cleanupHistory(p: Plan): void {
  const limit = p.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = p.old.filter((rs) => p.replicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp && !p.changed.has(rs));
  const extra = cleanable.length - limit;
  if (extra <= 0) return;
  cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  for (const rs of cleanable.slice(0, extra)) p.actions.push({ type: 'deleteReplicaSet', rs });
}

export function calculateStatus(d: Deployment, sets: ReplicaSet[], newRS: ReplicaSet | undefined, conditions: DeploymentCondition[], now: Date): DeploymentStatus {
  const sum = (f: (rs: ReplicaSet) => number | undefined): number => sets.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const available = sum((rs) => rs.status?.availableReplicas);
  const desired = d.spec?.replicas ?? 1;
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum((rs) => rs.spec?.replicas) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  const cond =
    available >= desired - maxUnavailable(d)
      ? newCondition('Available', 'True', REASONS.minAvailable, 'Deployment has minimum availability.', now)
      : newCondition('Available', 'False', REASONS.minUnavailable, 'Deployment does not have minimum availability.', now);
  status.conditions = setCondition(conditions, cond);
  return status;
}

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const desired = d.spec?.replicas ?? 1;
  return (s.updatedReplicas ?? 0) === desired && (s.replicas ?? 0) === desired && (s.availableReplicas ?? 0) === desired && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

function timedOut(d: Deployment, s: DeploymentStatus, now: Date): boolean {
  const cond = getCondition(s.conditions, 'Progressing');
  if (!hasProgressDeadline(d) || !cond) return false;
  if (cond.reason === REASONS.newRSAvailable) return false;
  if (cond.reason === REASONS.timedOut) return true;
  return timeMs(cond.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now.getTime();
}

/** Status after a rollout step, with the Progressing condition moved forward. */
function rolloutStatus(p: Plan): { status: DeploymentStatus; requeueAfterMs?: number } {
  const d = p.d;
  const status = calculateStatus(d, p.sets, p.newRS, p.conditions, p.now);
  let conditions = status.conditions ?? [];
  if (!hasProgressDeadline(d)) conditions = removeCondition(conditions, 'Progressing');
  const current = getCondition(conditions, 'Progressing');
  const rsName = p.newRS?.metadata.name;
  const complete = status.replicas === status.updatedReplicas && current?.reason === REASONS.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : 'Deployment has successfully progressed.';
      conditions = setCondition(conditions, newCondition('Progressing', 'True', REASONS.newRSAvailable, msg, p.now));
    } else if (deploymentProgressing(d, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : 'Deployment is progressing.';
      const cond = newCondition('Progressing', 'True', REASONS.rsUpdated, msg, p.now);
      if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
      conditions = [...removeCondition(conditions, 'Progressing'), cond];
    } else if (timedOut(d, { ...status, conditions }, p.now)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : 'Deployment has timed out progressing.';
      conditions = setCondition(conditions, newCondition('Progressing', 'False', REASONS.timedOut, msg, p.now));
    }
  }
  status.conditions = conditions;
  let requeueAfterMs: number | undefined;
  const cond = getCondition(conditions, 'Progressing');
  if (hasProgressDeadline(d) && cond && cond.reason !== REASONS.newRSAvailable && cond.reason !== REASONS.timedOut) {
    const left = timeMs(cond.lastUpdateTime) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - p.now.getTime();
    requeueAfterMs = Math.max(1000, left + 1000);
  }
  return { status, requeueAfterMs };
}

function pausedConditions(p: Plan): void {
  if (!hasProgressDeadline(p.d)) return;
  const cond = getCondition(p.conditions, 'Progressing');
  if (cond?.reason === REASONS.timedOut) return;
  const paused = p.d.spec?.paused === true;
  if (paused && cond?.reason !== REASONS.paused) p.conditions = setCondition(p.conditions, newCondition('Progressing', 'Unknown', REASONS.paused, 'Deployment is paused', p.now));
  else if (!paused && cond?.reason === REASONS.paused) p.conditions = setCondition(p.conditions, newCondition('Progressing', 'Unknown', REASONS.resumed, 'Deployment is resumed', p.now));
}

function finish(p: Plan, status: DeploymentStatus, requeueAfterMs?: number): DeploymentPlan {
  const updates: DeploymentAction[] = [...p.changed].filter((rs) => rs !== p.newRS || !p.created).map((rs) => ({ type: 'updateReplicaSet', rs }));
  const actions = [...p.actions.filter((a) => a.type === 'createReplicaSet'), ...updates, ...p.actions.filter((a) => a.type !== 'createReplicaSet')];
  return { actions, events: p.events, status, requeueAfterMs };
}

export function reconcileDeployment(input: DeploymentInput): DeploymentPlan {
  const d = input.deployment;
  const p = new Plan(d, input.replicaSets, input.now);
  if (d.metadata.deletionTimestamp) return finish(p, calculateStatus(d, p.sets, p.newRS, p.conditions, p.now));
  pausedConditions(p);
  if (d.spec?.paused || isScalingEvent(d, p.sets)) {
    syncRevision(p, false);
    scaleProportionally(p);
    if (d.spec?.paused) cleanupHistory(p);
    return finish(p, calculateStatus(d, p.sets, p.newRS, p.conditions, p.now));
  }
  const settled = d.spec?.strategy?.type === 'Recreate' ? recreate(p, input.pods) : rollingUpdate(p);
  const { status, requeueAfterMs } = rolloutStatus(p);
  if (settled && deploymentComplete(d, status)) cleanupHistory(p);
  return finish(p, status, requeueAfterMs);
}
