// NodeAffinity: spec.nodeSelector and required node affinity filter nodes; preferred terms add
// their weights to the score.
import { MAX_NODE_SCORE, unresolvable, type FilterPlugin, type NodeScore, type PreFilterPlugin, type ScorePlugin } from '../../framework/interfaces.js';
import { matchesNodeSelectorAndAffinity, nodeSelectorTermMatches } from '../../../machinery/node-affinity.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

export function newNodeAffinity(): PreFilterPlugin & FilterPlugin & ScorePlugin {
  return {
    name: NODE_AFFINITY,
    preFilter(_state, pod) {
      // Terms that pin metadata.name narrow the nodes to look at.
      const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
      if (!terms || terms.length === 0) return undefined;
      const names = new Set<string>();
      for (const term of terms) {
        const pin = term.matchFields?.find((f) => f.key === 'metadata.name' && f.operator === 'In');
        if (!pin) return undefined;
        for (const v of pin.values ?? []) names.add(v);
      }
      return { result: { nodeNames: names } };
    },
    filter(_state, pod, nodeInfo) {
      if (!nodeInfo.node) return unresolvable(ERR_REASON_NODE_AFFINITY);
      return matchesNodeSelectorAndAffinity(pod.spec, nodeInfo.node) ? undefined : unresolvable(ERR_REASON_NODE_AFFINITY);
    },
    score(_state, pod, nodeInfo) {
      const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      if (!preferred || !nodeInfo.node) return 0;
      let total = 0;
      for (const p of preferred) if (p.weight !== 0 && nodeSelectorTermMatches(p.preference, nodeInfo.node)) total += p.weight;
      return total;
    },
    normalizeScore(_state, _pod, scores: NodeScore[]) {
      defaultNormalize(scores, false);
    },
  };
}

/** Scales scores so the best is MAX_NODE_SCORE; `reverse` makes the lowest raw score the best. */
export function defaultNormalize(scores: NodeScore[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = MAX_NODE_SCORE;
    return;
  }
  for (const s of scores) {
    const scaled = Math.trunc((s.score * MAX_NODE_SCORE) / max);
    s.score = reverse ? MAX_NODE_SCORE - scaled : scaled;
  }
}
