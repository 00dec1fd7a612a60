// Matching rules shared by several plugins: tolerations against taints, node selector terms
// against nodes, and pod affinity terms against pods.
import type { LabelSelector } from '../../api/meta.js';
import { fromLabelSelector, matches, type ParsedLabelSelector } from '../../machinery/labels/selector.js';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodAffinityTerm, Taint, Toleration } from './types.js';

export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  // An empty key with Exists tolerates everything.
  if (toleration.operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

export function toleratedBy(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
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
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false;
      const actual = BigInt(value);
      const bound = BigInt(values[0]!);
      return req.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions do; a term with none matches no node. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const req of exprs) {
    const value = Object.prototype.hasOwnProperty.call(labels, req.key) ? labels[req.key] : undefined;
    if (!requirementMatches(req, value)) return false;
  }
  for (const req of fields) {
    if (req.key !== 'metadata.name' || !requirementMatches(req, node.metadata.name)) return false;
  }
  return true;
}

/** Terms are ORed; an empty list matches nothing. */
export function nodeSelectorTermsMatch(terms: readonly NodeSelectorTerm[], node: Node): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, node));
}

/** spec.nodeSelector and required node affinity, as both NodeAffinity and PodTopologySpread use them. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const selector = pod.spec?.nodeSelector;
  if (selector) {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], node);
  return true;
}

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
