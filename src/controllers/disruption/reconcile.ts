// Pure PodDisruptionBudget status: how many selected pods are healthy, how many must stay
// healthy, and so how many voluntary disruptions (evictions) are allowed right now.
import { rfc3339, type KubeObject, type LabelSelector, type OwnerReference, controllerOf } from '../../api/meta.js';
import { matchesLabelSelector } from '../../client/label-selector.js';
import { isPodReady, timeMs, type Pod } from '../common/pods.js';
import { scaledValue, type IntOrString } from '../deployment/rolling.js';

export interface PodDisruptionBudget extends KubeObject {
  spec?: { minAvailable?: IntOrString; maxUnavailable?: IntOrString; selector?: LabelSelector; unhealthyPodEvictionPolicy?: string };
  status?: PdbStatus;
}

export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; observedGeneration?: number }>;
}

/** Eviction records older than this are dropped: the pod was evidently not deleted. */
export const DISRUPTED_POD_TTL_MS = 2 * 60 * 1000;

export interface PdbInput {
  pdb: PodDisruptionBudget;
  /** Pods of the PDB's namespace. */
  pods: Pod[];
  /** The desired replica count of a pod's controller (Deployment via its ReplicaSet, StatefulSet, ...). */
  scaleOf: (ref: OwnerReference, namespace: string) => { uid: string; replicas: number } | undefined;
  now: Date;
}

export interface PdbPlan {
  status: PdbStatus;
  noPods: boolean;
  requeueAfterMs?: number;
}

function condition(pdb: PodDisruptionBudget, status: 'True' | 'False', reason: string, message: string, now: Date): NonNullable<PdbStatus['conditions']>[number] {
  const old = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const changed = !old || old.status !== status || old.reason !== reason;
  return { type: 'DisruptionAllowed', status, reason, message, observedGeneration: pdb.metadata.generation, lastTransitionTime: changed ? rfc3339(now) : old.lastTransitionTime };
}

export function reconcilePdb(input: PdbInput): PdbPlan {
  const { pdb, now } = input;
  const spec = pdb.spec ?? {};
  // policy/v1: an empty selector selects every pod of the namespace; a missing one selects none.
  const pods = spec.selector ? input.pods.filter((p) => matchesLabelSelector(spec.selector, p.metadata.labels)) : [];
  const disrupted: Record<string, string> = {};
  let requeueAfterMs: number | undefined;
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = pods.find((p) => p.metadata.name === name);
    const expires = timeMs(at) + DISRUPTED_POD_TTL_MS;
    if (!pod || pod.metadata.deletionTimestamp || expires <= now.getTime()) continue;
    disrupted[name] = at;
    requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, expires - now.getTime());
  }
  const healthy = pods.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p) && !(p.metadata.name! in disrupted)).length;

  let expected = 0;
  let desired = 0;
  let failure: string | undefined;
  const needsScale = spec.maxUnavailable !== undefined || typeof spec.minAvailable === 'string';
  if (needsScale) {
    const seen = new Map<string, number>();
    for (const pod of pods) {
      const ref = controllerOf(pod);
      const scale = ref ? input.scaleOf(ref, pod.metadata.namespace ?? '') : undefined;
      if (!scale) {
        failure = `found no controllers for pod "${pod.metadata.name}"`;
        break;
      }
      seen.set(scale.uid, scale.replicas);
    }
    expected = [...seen.values()].reduce((a, b) => a + b, 0);
    if (spec.maxUnavailable !== undefined) desired = Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true));
    else desired = scaledValue(spec.minAvailable, expected, true);
  } else {
    expected = pods.length;
    desired = typeof spec.minAvailable === 'number' ? spec.minAvailable : 0;
  }

  const status: PdbStatus = { observedGeneration: pdb.metadata.generation, disruptionsAllowed: 0, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected };
  if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
  if (failure) {
    status.conditions = [condition(pdb, 'False', 'SyncFailed', failure, now)];
    return { status, noPods: false, requeueAfterMs };
  }
  status.disruptionsAllowed = Math.max(0, healthy - desired);
  status.conditions = [status.disruptionsAllowed > 0 ? condition(pdb, 'True', 'SufficientPods', '', now) : condition(pdb, 'False', 'InsufficientPods', '', now)];
  return { status, noPods: pods.length === 0, requeueAfterMs };
}
