// Pure decision of taint-based eviction (Kubernetes' taint eviction controller): given the
// NoExecute taints of a pod's node, the pod's tolerations and the time, delete the pod now, at a
// later time, or keep it. Each taint's clock starts at its timeAdded.
import { matchingToleration, type Taint, type Toleration } from '../../machinery/tolerations.js';

export type EvictionDecision =
  | { type: 'keep' }
  | { type: 'delete-now'; reason: string }
  | { type: 'delete-at'; at: Date; taint: Taint };

function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * `taints` are the node's taints (only NoExecute ones count). A taint without timeAdded counts from
 * `firstSeen` (when the caller first noticed it; default `now`).
 */
export function evictionDecision(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, now: Date, firstSeen: Date = now): EvictionDecision {
  let earliest: { at: number; taint: Taint } | undefined;
  for (const taint of taints ?? []) {
    if (taint.effect !== 'NoExecute') continue;
    const toleration = matchingToleration(tolerations, taint);
    if (!toleration) return { type: 'delete-now', reason: `does not tolerate ${taint.key}${taint.value ? `=${taint.value}` : ''}:NoExecute` };
    // No tolerationSeconds: tolerated for ever.
    if (toleration.tolerationSeconds === undefined || toleration.tolerationSeconds === null) continue;
    const seconds = Math.max(0, toleration.tolerationSeconds);
    const at = (parseTime(taint.timeAdded) ?? firstSeen.getTime()) + seconds * 1000;
    if (!earliest || at < earliest.at) earliest = { at, taint };
  }
  if (!earliest) return { type: 'keep' };
  if (earliest.at <= now.getTime()) return { type: 'delete-now', reason: `toleration of ${earliest.taint.key}:NoExecute expired` };
  return { type: 'delete-at', at: new Date(earliest.at), taint: earliest.taint };
}
