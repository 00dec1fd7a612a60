// Whether a DaemonSet pod belongs on a node: node selector, required node affinity and taints
// (with the tolerations every DaemonSet pod gets).
import type { KubeObject } from '../../api/meta.js';
import type { PodSpec, Toleration } from '../replicaset/pods.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeObject extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean };
}

interface SelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}
interface NodeSelectorTerm {
  matchExpressions?: SelectorRequirement[];
  matchFields?: SelectorRequirement[];
}

/** Tolerations Kubernetes adds to every DaemonSet pod, so node conditions never evict them. */
export function defaultDaemonTolerations(hostNetwork: boolean): Toleration[] {
  const list: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) list.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return list;
}

/** Template tolerations plus the defaults it lacks. */
export function withDefaultTolerations(spec: PodSpec): Toleration[] {
  const own = spec.tolerations ?? [];
  const extra = defaultDaemonTolerations(spec.hostNetwork === true).filter((d) => !own.some((t) => t.key === d.key && t.effect === d.effect));
  return [...own, ...extra];
}

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

function requirementMatches(req: SelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  if (!term.matchExpressions?.length && !term.matchFields?.length) return false;
  return (
    (term.matchExpressions ?? []).every((r) => requirementMatches(r, labels[r.key])) &&
    (term.matchFields ?? []).every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined))
  );
}

function requiredTerms(spec: PodSpec): NodeSelectorTerm[] | undefined {
  const affinity = spec.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } | undefined;
  return affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
}

export function shouldRunOnNode(spec: PodSpec, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = requiredTerms(spec);
  if (terms && terms.length > 0 && !terms.some((t) => termMatches(t, node))) return false;
  const tolerations = withDefaultTolerations(spec);
  return (node.spec?.taints ?? []).filter((t) => t.effect !== 'PreferNoSchedule').every((taint) => tolerations.some((t) => tolerates(t, taint)));
}

/** Pins a pod to one node through required node affinity on metadata.name, keeping preferences. */
export function pinToNode(spec: PodSpec, nodeName: string): PodSpec {
  const out = structuredClone(spec);
  const affinity = (out.affinity ?? {}) as Record<string, Record<string, unknown>>;
  const nodeAffinity = { ...(affinity.nodeAffinity ?? {}) };
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  out.affinity = { ...affinity, nodeAffinity };
  out.tolerations = withDefaultTolerations(spec);
  return out;
}

/** The node a DaemonSet pod is for: its nodeName, or the node its affinity pins it to. */
export function targetNodeOf(spec: PodSpec | undefined): string | undefined {
  if (!spec) return undefined;
  if (spec.nodeName) return spec.nodeName;
  for (const term of requiredTerms(spec) ?? []) for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}
