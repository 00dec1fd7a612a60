// Topology spread constraints of a pod, resolved once per pod object, and the rules deciding which
// nodes and pods count towards a constraint.
import type { ParsedLabelSelector } from '../../../machinery/labels/selector.js';
import { matches } from '../../../machinery/labels/selector.js';
import { matchesNodeSelectorAndAffinity } from '../../../machinery/node-affinity.js';
import { toleratedBy } from '../../../machinery/tolerations.js';
import { resolveAffinityTerm } from '../../framework/matchers.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Pod, TopologySpreadConstraint } from '../../framework/types.js';

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: ParsedLabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

const cache = new WeakMap<Pod, { hard: SpreadConstraint[]; soft: SpreadConstraint[] }>();

function resolve(pod: Pod, c: TopologySpreadConstraint): SpreadConstraint {
  // Reuse the affinity-term resolution for matchLabelKeys merging.
  const term = resolveAffinityTerm(pod, { labelSelector: c.labelSelector, topologyKey: c.topologyKey, matchLabelKeys: c.matchLabelKeys });
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector: term.selector,
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

export function spreadConstraintsOf(pod: Pod): { hard: SpreadConstraint[]; soft: SpreadConstraint[] } {
  let out = cache.get(pod);
  if (out) return out;
  const all = pod.spec?.topologySpreadConstraints ?? [];
  out = {
    hard: all.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule').map((c) => resolve(pod, c)),
    soft: all.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway').map((c) => resolve(pod, c)),
  };
  cache.set(pod, out);
  return out;
}

/** Whether a node takes part in the constraint's domains for this pod. */
export function nodeCounts(c: SpreadConstraint, pod: Pod, info: NodeInfo): boolean {
  const node = info.node;
  if (!node || node.metadata.labels?.[c.topologyKey] === undefined) return false;
  if (c.honorNodeAffinity && !matchesNodeSelectorAndAffinity(pod.spec, node)) return false;
  if (c.honorTaints) {
    for (const t of node.spec?.taints ?? []) {
      if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !toleratedBy(pod.spec?.tolerations, t)) return false;
    }
  }
  return true;
}

/** Pods that count: same namespace, matching the selector, not being deleted. */
export function podCounts(c: SpreadConstraint, pod: Pod, other: Pod): boolean {
  return other.metadata.namespace === pod.metadata.namespace && !other.metadata.deletionTimestamp && matches(c.selector, other.metadata.labels);
}

export function countMatching(c: SpreadConstraint, pod: Pod, info: NodeInfo): number {
  let n = 0;
  for (const pi of info.pods.values()) if (podCounts(c, pod, pi.pod)) n++;
  return n;
}
