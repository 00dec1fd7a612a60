// TaintToleration: NoSchedule/NoExecute taints the pod does not tolerate exclude the node;
// untolerated PreferNoSchedule taints lower its score.
import { MAX_NODE_SCORE, unresolvable, type FilterPlugin, type NodeScore, type ScorePlugin } from '../../framework/interfaces.js';
import { toleratedBy } from '../../../machinery/tolerations.js';
import type { Toleration } from '../../framework/types.js';

export const TAINT_TOLERATION = 'TaintToleration';

export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

function preferTolerations(tolerations: readonly Toleration[] | undefined): Toleration[] {
  return (tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

export function newTaintToleration(): FilterPlugin & ScorePlugin {
  return {
    name: TAINT_TOLERATION,
    filter(_state, pod, nodeInfo) {
      // NodeInfo's copy of spec.taints: no walk into the node object per node.
      const taints = nodeInfo.node ? nodeInfo.taints : undefined;
      if (taints === undefined || taints.length === 0) return undefined;
      for (const taint of taints) {
        if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
        if (!toleratedBy(pod.spec?.tolerations, taint)) return unresolvable(untoleratedTaintReason(taint.key, taint.value));
      }
      return undefined;
    },
    score(_state, pod, nodeInfo) {
      const taints = nodeInfo.node?.spec?.taints;
      if (!taints || taints.length === 0) return 0;
      const tolerations = preferTolerations(pod.spec?.tolerations);
      let count = 0;
      for (const taint of taints) if (taint.effect === 'PreferNoSchedule' && !toleratedBy(tolerations, taint)) count++;
      return count;
    },
    normalizeScore(_state, _pod, scores: NodeScore[]) {
      // Fewer untolerated taints is better: invert against the worst node.
      let max = 0;
      for (let i = 0; i < scores.length; i++) if (scores[i]!.score > max) max = scores[i]!.score;
      for (const s of scores) s.score = max === 0 ? MAX_NODE_SCORE : MAX_NODE_SCORE - Math.trunc((s.score * MAX_NODE_SCORE) / max);
    },
  };
}
