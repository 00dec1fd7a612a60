// Taints and tolerations as pure data: whether a toleration matches a taint, and the default
// NoExecute tolerations Kubernetes' DefaultTolerationSeconds admission plugin gives every pod, so a
// pod on a lost node is evicted after a bounded time instead of at once or never.

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';

/** Kubernetes' default for both --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

/** True when `toleration` tolerates `taint` (empty effect matches every effect; empty key with Exists matches every key). */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  const operator = toleration.operator || 'Equal';
  if (operator === 'Exists') return true;
  if (operator !== 'Equal') return false;
  // An empty key only makes sense with Exists (validation enforces that).
  if (!toleration.key) return false;
  return (toleration.value ?? '') === (taint.value ?? '');
}

/** The first toleration in `tolerations` that tolerates `taint`, as Kubernetes picks it. */
export function matchingToleration(tolerations: readonly Toleration[] | undefined, taint: Taint): Toleration | undefined {
  return (tolerations ?? []).find((t) => toleratesTaint(t, taint));
}

/** True when some toleration in `tolerations` tolerates `taint`. */
export function toleratedBy(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return matchingToleration(tolerations, taint) !== undefined;
}

/** Does some existing toleration already cover this taint key with effect NoExecute (or every effect)? */
function hasNoExecuteTolerationFor(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.effect === 'NoExecute' || !t.effect) && (t.key === key || (!t.key && t.operator === 'Exists')));
}

interface PodWithTolerations {
  spec?: { tolerations?: Toleration[]; [field: string]: unknown };
  [field: string]: unknown;
}

/**
 * Returns a copy of `pod` with the not-ready and unreachable NoExecute tolerations added (operator
 * Exists, the given tolerationSeconds) unless the pod already tolerates those taints. The input is
 * not modified. Pass Infinity or a negative number to skip one of them.
 */
export function addDefaultTolerations<P extends PodWithTolerations>(
  pod: P,
  notReadySeconds: number = DEFAULT_TOLERATION_SECONDS,
  unreachableSeconds: number = DEFAULT_TOLERATION_SECONDS,
): P {
  const existing = pod.spec?.tolerations ?? [];
  const added: Toleration[] = [];
  const want: Array<[string, number]> = [
    [TAINT_NOT_READY, notReadySeconds],
    [TAINT_UNREACHABLE, unreachableSeconds],
  ];
  for (const [key, seconds] of want) {
    if (!Number.isFinite(seconds) || seconds < 0) continue;
    if (hasNoExecuteTolerationFor(existing, key)) continue;
    added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: Math.floor(seconds) });
  }
  if (added.length === 0) return pod;
  return { ...pod, spec: { ...(pod.spec ?? {}), tolerations: [...existing, ...added] } };
}
