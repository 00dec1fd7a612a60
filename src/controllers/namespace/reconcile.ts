// Pure decisions of the namespace controller: given what content deletion found in a terminating
// namespace, may the `kubernetes` finalizer go, and which status conditions describe the state.
import type { KubeObject } from '../../api/meta.js';

export const NAMESPACE_FINALIZER = 'kubernetes';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface NamespaceObject extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

/** The outcome of deleting one resource's objects in the namespace. */
export interface ResourceContent {
  /** `pods.` or `deployments.apps`, as Kubernetes names them in these messages. */
  resource: string;
  remaining: number;
  /** Finalizers found on the remaining objects, with how many objects carry each. */
  finalizers: Record<string, number>;
  error?: string;
}

export interface NamespaceDecision {
  /** Nothing to do: not terminating or our finalizer is already gone. */
  skip: boolean;
  /** All content is gone: remove the `kubernetes` finalizer. */
  finalize: boolean;
  conditions: NamespaceCondition[];
}

export function isTerminating(ns: NamespaceObject): boolean {
  return Boolean(ns.metadata.deletionTimestamp);
}

export function hasNamespaceFinalizer(ns: NamespaceObject): boolean {
  return (ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER);
}

function condition(type: string, isTrue: boolean, reason: string, message: string): NamespaceCondition {
  return { type, status: isTrue ? 'True' : 'False', reason, message };
}

/** Decides from the content report; `now` stamps conditions whose status changed. */
export function decideNamespace(ns: NamespaceObject, content: readonly ResourceContent[], now: string): NamespaceDecision {
  if (!isTerminating(ns) || !hasNamespaceFinalizer(ns)) return { skip: true, finalize: false, conditions: ns.status?.conditions ?? [] };
  const failures = content.filter((c) => c.error);
  const remaining = content.filter((c) => c.remaining > 0);
  const finalizerCounts = new Map<string, number>();
  for (const c of remaining) for (const [f, n] of Object.entries(c.finalizers)) finalizerCounts.set(f, (finalizerCounts.get(f) ?? 0) + n);

  const fresh: NamespaceCondition[] = [
    condition('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'),
    condition('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    failures.length > 0
      ? condition('NamespaceDeletionContentFailure', true, 'ContentDeletionFailed', `Failed to delete all resource types, ${failures.length} remaining: ${failures.map((f) => f.error).join(', ')}`)
      : condition('NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    remaining.length > 0
      ? condition('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${remaining.map((c) => `${c.resource} has ${c.remaining} resource instances`).join(', ')}`)
      : condition('NamespaceContentRemaining', false, 'ContentRemoved', 'All content successfully removed'),
    finalizerCounts.size > 0
      ? condition('NamespaceFinalizersRemaining', true, 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${[...finalizerCounts].sort().map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`)
      : condition('NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ];
  return { skip: false, finalize: failures.length === 0 && remaining.length === 0, conditions: mergeConditions(ns.status?.conditions ?? [], fresh, now) };
}

/** Keeps lastTransitionTime when a condition's status did not change; keeps unrelated conditions. */
export function mergeConditions(existing: readonly NamespaceCondition[], fresh: readonly NamespaceCondition[], now: string): NamespaceCondition[] {
  const byType = new Map(existing.map((c) => [c.type, c]));
  const out: NamespaceCondition[] = existing.filter((c) => !fresh.some((f) => f.type === c.type)).map((c) => ({ ...c }));
  for (const f of fresh) {
    const old = byType.get(f.type);
    out.push({ ...f, lastTransitionTime: old && old.status === f.status && old.lastTransitionTime ? old.lastTransitionTime : now });
  }
  return out;
}

/** True when two condition lists differ in anything but order and transition times. */
export function conditionsChanged(a: readonly NamespaceCondition[], b: readonly NamespaceCondition[]): boolean {
  const norm = (list: readonly NamespaceCondition[]) =>
    JSON.stringify([...list].map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']).sort());
  return norm(a) !== norm(b);
}

/** spec.finalizers without ours, for the finalize call. */
export function withoutNamespaceFinalizer(ns: NamespaceObject): string[] {
  return (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
}
