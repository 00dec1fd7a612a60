// NodeResourcesBalancedAllocation: prefer nodes where the pod leaves cpu and memory (or the
// configured resources) used in similar proportions.
import { MAX_NODE_SCORE, type ScorePlugin } from '../../framework/interfaces.js';
import { podRequests } from '../../framework/resource.js';
import { requestedWithPod } from '../node-resources-fit/node-resources-fit.js';
import { DEFAULT_RESOURCES, type ResourceWeight } from '../node-resources-fit/scoring.js';

export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export interface BalancedAllocationArgs {
  resources?: ResourceWeight[];
}

/** 1 minus the standard deviation of the utilisation fractions, times MAX_NODE_SCORE. */
export function balanceScore(fractions: number[]): number {
  if (fractions.length === 0) return 0;
  let std: number;
  if (fractions.length === 2) std = Math.abs(fractions[0]! - fractions[1]!) / 2;
  else {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export function newBalancedAllocation(args?: BalancedAllocationArgs): ScorePlugin {
  const resources = args?.resources && args.resources.length > 0 ? args.resources : [...DEFAULT_RESOURCES];
  return {
    name: BALANCED_ALLOCATION,
    score(_state, pod, nodeInfo) {
      const req = podRequests(pod);
      const fractions: number[] = [];
      for (const { name } of resources) {
        const capacity = nodeInfo.allocatable.get(name);
        if (capacity === 0) continue;
        fractions.push(Math.min(1, requestedWithPod(nodeInfo, req, name) / capacity));
      }
      return balanceScore(fractions);
    },
  };
}
