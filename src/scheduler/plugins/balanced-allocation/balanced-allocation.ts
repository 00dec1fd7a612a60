// NodeResourcesBalancedAllocation: prefer nodes where the pod leaves cpu and memory (or the
// configured resources) used in similar proportions.
import { MAX_NODE_SCORE, type ScorePlugin } from '../../framework/interfaces.js';
import { podRequests, type PodRequests } from '../../../machinery/resources.js';
import type { Pod } from '../../framework/types.js';
import { requestedWithPod } from '../node-resources-fit/node-resources-fit.js';
import { DEFAULT_RESOURCES, type ResourceWeight } from '../node-resources-fit/scoring.js';

export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export interface BalancedAllocationArgs {
  resources?: ResourceWeight[];
}

/** 1 minus the standard deviation of the utilisation fractions, times MAX_NODE_SCORE. */
export function balanceScore(fractions: number[]): number {
  return balanceScoreOf(fractions, fractions.length);
}

/** balanceScore over the first `count` entries; lets the per-node path reuse one typed buffer. */
function balanceScoreOf(fractions: ArrayLike<number>, count: number): number {
  if (count === 0) return 0;
  let std: number;
  if (count === 2) std = Math.abs(fractions[0]! - fractions[1]!) / 2;
  else {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += fractions[i]!;
    const mean = sum / count;
    let squares = 0;
    for (let i = 0; i < count; i++) squares += (fractions[i]! - mean) * (fractions[i]! - mean);
    std = Math.sqrt(squares / count);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export function newBalancedAllocation(args?: BalancedAllocationArgs): ScorePlugin {
  const resources = args?.resources && args.resources.length > 0 ? args.resources : [...DEFAULT_RESOURCES];
  // Reused for every node (score calls run synchronously): a plain array here would reallocate per node.
  const fractions = new Float64Array(resources.length);
  let lastPod: Pod | undefined;
  let lastRequests: PodRequests | undefined;
  return {
    name: BALANCED_ALLOCATION,
    score(_state, pod, nodeInfo) {
      if (pod !== lastPod || lastRequests === undefined) {
        lastRequests = podRequests(pod);
        lastPod = pod;
      }
      const req = lastRequests;
      let count = 0;
      for (let i = 0; i < resources.length; i++) {
        const name = resources[i]!.name;
        const capacity = nodeInfo.allocatableOf(name);
        if (capacity === 0) continue;
        fractions[count++] = Math.min(1, requestedWithPod(nodeInfo, req, name) / capacity);
      }
      return balanceScoreOf(fractions, count);
    },
  };
}
