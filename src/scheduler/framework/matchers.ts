// Pod affinity terms against pods, shared by several plugins. Taints/tolerations and node
// selection live in machinery (tolerations.ts, node-affinity.ts), shared with the DaemonSet controller.
import type { LabelSelector } from '../../api/meta.js';
import { fromLabelSelector, matches, type ParsedLabelSelector } from '../../machinery/labels/selector.js';
import type { Pod, PodAffinityTerm } from './types.js';

const selectorCache = new WeakMap<LabelSelector, ParsedLabelSelector>();

/** Parses a LabelSelector once per object; a malformed one selects nothing. */
export function parsedSelector(ls: LabelSelector | undefined): ParsedLabelSelector {
  if (!ls) return fromLabelSelector(undefined);
  let parsed = selectorCache.get(ls);
  if (!parsed) {
    try {
      parsed = fromLabelSelector(ls);
    } catch {
      parsed = fromLabelSelector(undefined);
    }
    selectorCache.set(ls, parsed);
  }
  return parsed;
}

/** An affinity term resolved against the pod that owns it. */
export interface AffinityTerm {
  selector: ParsedLabelSelector;
  namespaces: Set<string>;
  /** Set when the term selects namespaces by label; `{}` selects all. */
  namespaceSelector?: ParsedLabelSelector;
  topologyKey: string;
  weight: number;
}

export function resolveAffinityTerm(owner: Pod, term: PodAffinityTerm, weight = 1): AffinityTerm {
  let ls: LabelSelector | undefined = term.labelSelector;
  // matchLabelKeys / mismatchLabelKeys add the owner's own label values to the selector.
  const own = owner.metadata.labels ?? {};
  const extra = [
    ...(term.matchLabelKeys ?? []).filter((k) => k in own).map((k) => ({ key: k, operator: 'In' as const, values: [own[k]!] })),
    ...(term.mismatchLabelKeys ?? []).filter((k) => k in own).map((k) => ({ key: k, operator: 'NotIn' as const, values: [own[k]!] })),
  ];
  if (ls && extra.length > 0) ls = { ...ls, matchExpressions: [...(ls.matchExpressions ?? []), ...extra] };
  const selector = extra.length > 0 ? safeParse(ls) : parsedSelector(ls);
  const namespaces = new Set(term.namespaces ?? []);
  const namespaceSelector = term.namespaceSelector ? parsedSelector(term.namespaceSelector) : undefined;
  if (namespaces.size === 0 && !namespaceSelector) namespaces.add(owner.metadata.namespace ?? 'default');
  return { selector, namespaces, namespaceSelector, topologyKey: term.topologyKey, weight };
}

function safeParse(ls: LabelSelector | undefined): ParsedLabelSelector {
  try {
    return fromLabelSelector(ls);
  } catch {
    return fromLabelSelector(undefined);
  }
}

export function affinityTermMatches(term: AffinityTerm, pod: Pod, namespaceLabels?: (ns: string) => Record<string, string> | undefined): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  if (!term.namespaces.has(ns)) {
    if (!term.namespaceSelector) return false;
    if (!matches(term.namespaceSelector, namespaceLabels?.(ns) ?? {})) return false;
  }
  return matches(term.selector, pod.metadata.labels);
}
