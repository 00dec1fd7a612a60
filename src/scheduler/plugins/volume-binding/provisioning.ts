// Whether a claim's StorageClass can have a volume provisioned for it on a node, as kube-scheduler's
// checkVolumeProvisions decides without storage capacity tracking: the class names a provisioner
// (not the no-provisioner of static local volumes) and its allowedTopologies admit the node. Pure.
import { provisionerOf, type StorageClassInfo } from '../../../machinery/volumes/claim-matching.js';
import { nodeSelectorTermsMatch, type NodeSelectorTerm, type SelectableNode } from '../../../machinery/node-affinity.js';

/**
 * The class's allowedTopologies admit the node: no terms admit every node; otherwise some term
 * whose expressions all match (a term without expressions, or an expression without values,
 * matches nothing), as Kubernetes' MatchTopologySelectorTerms. A topology term is a node selector
 * term of `In` requirements.
 */
export function topologyAllows(storageClass: StorageClassInfo, node: SelectableNode): boolean {
  const terms = storageClass.allowedTopologies;
  if (!terms || terms.length === 0) return true;
  const asNodeTerms: NodeSelectorTerm[] = terms.map((t) => ({
    matchExpressions: (t.matchLabelExpressions ?? []).map((e) => ({ key: e.key, operator: 'In', values: e.values ?? [] })),
  }));
  return nodeSelectorTermsMatch(asNodeTerms, node);
}

/** A volume of this class can be provisioned for a claim scheduled to `node`. */
export function canProvisionOn(storageClass: StorageClassInfo, node: SelectableNode): boolean {
  return provisionerOf(storageClass) !== undefined && topologyAllows(storageClass, node);
}
