// Whether a DaemonSet pod belongs on a node: node selector, required node affinity and taints
// (with the tolerations every DaemonSet pod gets).
import type { KubeObject } from '../../api/meta.js';
import { matchesNodeSelectorAndAffinity, requiredNodeSelectorTerms, type NodeConstraints } from '../../machinery/node-affinity.js';
import { toleratedBy, type Taint, type Toleration } from '../../machinery/tolerations.js';
import type { PodSpec } from '../common/pods.js';

export interface NodeObject extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean };
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

export function shouldRunOnNode(spec: PodSpec, node: NodeObject): boolean {
  if (!matchesNodeSelectorAndAffinity(spec as NodeConstraints, node)) return false;
  const tolerations = withDefaultTolerations(spec);
  return (node.spec?.taints ?? []).filter((t) => t.effect !== 'PreferNoSchedule').every((taint) => toleratedBy(tolerations, taint));
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
  for (const term of requiredNodeSelectorTerms(spec as NodeConstraints) ?? []) for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}
