// Whether a node satisfies a pod's hard placement rules: spec.nodeSelector and required node
// affinity (node selector terms). Pure, so the scheduler and the DaemonSet controller decide the
// same way, as Kubernetes' component-helpers nodeaffinity package makes them.

export interface NodeSelectorRequirement {
  key: string;
  /** In, NotIn, Exists, DoesNotExist, Gt, Lt; anything else matches nothing. */
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** The parts of a Node that node selection reads. */
export interface SelectableNode {
  metadata: { name?: string; labels?: Record<string, string> };
}

/** The parts of a PodSpec that constrain which nodes it may run on. */
export interface NodeConstraints {
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
}

const INTEGER = /^-?\d+$/;

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
      // Both sides must parse as integers, as Kubernetes' strconv.ParseInt check does.
      if (value === undefined || values.length !== 1 || !INTEGER.test(value) || !INTEGER.test(values[0]!)) return false;
      const actual = BigInt(value);
      const bound = BigInt(values[0]!);
      return req.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/** A term matches when all its requirements do; a term with none matches no node. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: SelectableNode): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const req of exprs) {
    const value = Object.prototype.hasOwnProperty.call(labels, req.key) ? labels[req.key] : undefined;
    if (!requirementMatches(req, value)) return false;
  }
  // metadata.name is the only field a node selector may name.
  for (const req of fields) {
    if (req.key !== 'metadata.name' || !requirementMatches(req, node.metadata.name)) return false;
  }
  return true;
}

/** Terms are ORed; an empty list matches nothing. */
export function nodeSelectorTermsMatch(terms: readonly NodeSelectorTerm[], node: SelectableNode): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, node));
}

/** The required node affinity terms of a pod spec; undefined when it sets none. */
export function requiredNodeSelectorTerms(spec: NodeConstraints | undefined): NodeSelectorTerm[] | undefined {
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required ? (required.nodeSelectorTerms ?? []) : undefined;
}

/** spec.nodeSelector (every label equal) and, when set, required node affinity (some term matches). */
export function matchesNodeSelectorAndAffinity(spec: NodeConstraints | undefined, node: SelectableNode): boolean {
  const selector = spec?.nodeSelector;
  if (selector) {
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  }
  const terms = requiredNodeSelectorTerms(spec);
  return terms === undefined || nodeSelectorTermsMatch(terms, node);
}
