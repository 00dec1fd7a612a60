// Pure ReplicaSet logic: which pods to adopt, release, create and delete, and the status to write.
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import { matchesLabelSelector } from '../../client/label-selector.js';
import { claimDecision, isPodActive, isPodAvailable, isPodReady, msUntilAvailable, restartCount, selectsNothing, timeMs, type Pod, type PodTemplateSpec, type PodCondition } from '../common/pods.js';

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector; template?: PodTemplateSpec };
  status?: ReplicaSetStatus;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: PodCondition[];
}

/** Kubernetes caps one sync's creations or deletions at 500. */
export const BURST_REPLICAS = 500;

export interface ReplicaSetPlan {
  adopt: Pod[];
  release: Pod[];
  create: number;
  delete: Pod[];
  status: ReplicaSetStatus;
  /** Re-check when a ready pod passes minReadySeconds. */
  requeueAfterMs?: number;
}

export interface ReplicaSetInput {
  rs: ReplicaSet;
  /** Pods of the namespace (the candidates for ownership). */
  pods: Pod[];
  now: Date;
  /** False while earlier creations or deletions have not been observed yet. */
  expectationsSatisfied: boolean;
}

/**
 * Orders pods so that the ones cheapest to lose come first: unscheduled before scheduled, pending
 * before running, not ready before ready, recently ready before long ready, more restarts first,
 * then younger before older.
 */
export function compareForScaleDown(a: Pod, b: Pod): number {
  const assigned = (p: Pod): number => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phaseRank = (p: Pod): number => ({ Pending: 0, Unknown: 1, Running: 2 })[p.status?.phase ?? 'Pending'] ?? 0;
  if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
  const ready = (p: Pod): number => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (ready(a) === 1) {
    const since = (p: Pod): number => timeMs(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
    if (since(a) !== since(b)) return since(b) - since(a);
  }
  if (restartCount(a) !== restartCount(b)) return restartCount(b) - restartCount(a);
  const created = (p: Pod): number => timeMs(p.metadata.creationTimestamp);
  if (created(a) !== created(b)) return created(b) - created(a);
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export function rankPodsForDeletion(pods: Pod[], count: number): Pod[] {
  return [...pods].sort(compareForScaleDown).slice(0, count);
}

/** Whether every label of the template is on the pod. */
function fullyLabeled(pod: Pod, template: PodTemplateSpec | undefined): boolean {
  const want = template?.metadata?.labels ?? {};
  return Object.entries(want).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

export function replicaSetStatus(rs: ReplicaSet, owned: Pod[], now: Date): { status: ReplicaSetStatus; requeueAfterMs?: number } {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let requeueAfterMs: number | undefined;
  let ready = 0;
  let available = 0;
  for (const pod of owned) {
    if (isPodReady(pod)) ready++;
    if (isPodAvailable(pod, minReady, now)) available++;
    const wait = msUntilAvailable(pod, minReady, now);
    if (wait !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait);
  }
  const status: ReplicaSetStatus = {
    replicas: owned.length,
    fullyLabeledReplicas: owned.filter((p) => fullyLabeled(p, rs.spec?.template)).length,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation,
  };
  if (rs.status?.conditions?.length) status.conditions = rs.status.conditions;
  return { status, requeueAfterMs };
}

export function reconcileReplicaSet(input: ReplicaSetInput): ReplicaSetPlan {
  const { rs, now } = input;
  const uid = rs.metadata.uid ?? '';
  const deleting = rs.metadata.deletionTimestamp !== undefined;
  const selector = rs.spec?.selector;
  const adopt: Pod[] = [];
  const release: Pod[] = [];
  const owned: Pod[] = [];
  for (const pod of input.pods) {
    if (!isPodActive(pod)) continue;
    const matches = !selectsNothing(selector) && matchesLabelSelector(selector, pod.metadata.labels);
    switch (claimDecision(pod, uid, matches, deleting)) {
      case 'own':
        owned.push(pod);
        break;
      case 'adopt':
        adopt.push(pod);
        owned.push(pod);
        break;
      case 'release':
        release.push(pod);
        break;
      case 'ignore':
        break;
    }
  }
  const active = owned;
  const { status, requeueAfterMs } = replicaSetStatus(rs, active, now);
  const plan: ReplicaSetPlan = { adopt, release, create: 0, delete: [], status, requeueAfterMs };
  if (deleting || !input.expectationsSatisfied) return plan;
  const wanted = rs.spec?.replicas ?? 1;
  const diff = active.length - wanted;
  if (diff < 0) plan.create = Math.min(-diff, BURST_REPLICAS);
  else if (diff > 0) plan.delete = rankPodsForDeletion(active, Math.min(diff, BURST_REPLICAS));
  return plan;
}

/** The pod a ReplicaSet creates from its template (the server fills in the name). */
export function podFromTemplate(owner: KubeObject, template: PodTemplateSpec | undefined, ownerRef: { apiVersion: string; kind: string }, namePrefix: string): Pod {
  const meta = template?.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: namePrefix,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [{ apiVersion: ownerRef.apiVersion, kind: ownerRef.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(template?.spec ?? {}),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}
