// NodeResourcesFit: the pod's requests must fit in allocatable minus what the node's pods already
// request, and the node must have room for one more pod. Scores by the configured strategy.
import { FrozenState } from '../../framework/cycle-state.js';
import { unschedulable, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { CPU, MEMORY, podRequests, type PodRequests } from '../../../machinery/resources.js';
import type { Pod } from '../../framework/types.js';
import { DEFAULT_RESOURCES, leastAllocatedScore, mostAllocatedScore, requestedToCapacityRatioScorer, type ScoringStrategy } from './scoring.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
const STATE_KEY = 'PreFilter' + NODE_RESOURCES_FIT;

export interface NodeResourcesFitArgs {
  scoringStrategy?: Partial<ScoringStrategy>;
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
}

export function insufficientReason(resource: string): string {
  return `Insufficient ${resource}`;
}

const NOTHING_IGNORED = (): boolean => false;

/** Every resource the node lacks for the pod (empty when it fits). */
export function fitsRequest(requests: PodRequests, nodeInfo: NodeInfo, ignored: (name: string) => boolean = NOTHING_IGNORED): string[] {
  const reasons: string[] = [];
  if (nodeInfo.pods.size + 1 > nodeInfo.allowedPods) reasons.push('Too many pods');
  const want = requests.requests;
  if (want.isZero()) return reasons;
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (want.milliCPU > 0 && want.milliCPU > alloc.milliCPU - used.milliCPU) reasons.push(insufficientReason(CPU));
  if (want.memory > 0 && want.memory > alloc.memory - used.memory) reasons.push(insufficientReason(MEMORY));
  if (want.ephemeralStorage > 0 && want.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) reasons.push(insufficientReason('ephemeral-storage'));
  if (want.scalar) {
    for (const [name, amount] of want.scalar) {
      if (amount <= 0 || ignored(name)) continue;
      if (amount > alloc.get(name) - used.get(name)) reasons.push(insufficientReason(name));
    }
  }
  return reasons;
}

/** Same verdict as `fitsRequest(...).length === 0`, without allocating: the per-node fast path. */
export function fitsWithoutReasons(requests: PodRequests, nodeInfo: NodeInfo, ignored: (name: string) => boolean = NOTHING_IGNORED): boolean {
  // NodeInfo's flat copies: one object per node on the common path.
  if (nodeInfo.podCount + 1 > nodeInfo.allowedPods) return false;
  const want = requests.requests;
  if (want.milliCPU > 0 && want.milliCPU > nodeInfo.allocMilliCPU - nodeInfo.usedMilliCPU) return false;
  if (want.memory > 0 && want.memory > nodeInfo.allocMemory - nodeInfo.usedMemory) return false;
  if (want.ephemeralStorage > 0 && want.ephemeralStorage > nodeInfo.allocEphemeralStorage - nodeInfo.usedEphemeralStorage) return false;
  const scalar = want.scalar;
  if (scalar !== undefined && scalar.size > 0) {
    const alloc = nodeInfo.allocatable;
    const used = nodeInfo.requested;
    for (const [name, amount] of scalar) {
      if (amount <= 0 || ignored(name)) continue;
      if (amount > alloc.get(name) - used.get(name)) return false;
    }
  }
  return true;
}

/** What the node would have requested with the pod on it; cpu and memory count defaults for empty requests. */
export function requestedWithPod(nodeInfo: NodeInfo, req: PodRequests, name: string): number {
  if (name === CPU) return nodeInfo.nonZeroMilliCPU + req.nonZeroMilliCPU;
  if (name === MEMORY) return nodeInfo.nonZeroMemory + req.nonZeroMemory;
  return nodeInfo.requested.get(name) + req.requests.get(name);
}

export function resolveStrategy(args: NodeResourcesFitArgs | undefined): ScoringStrategy {
  const s = args?.scoringStrategy ?? {};
  const resources = s.resources && s.resources.length > 0 ? s.resources : [...DEFAULT_RESOURCES];
  return { type: s.type ?? 'LeastAllocated', resources, requestedToCapacityRatio: s.requestedToCapacityRatio };
}

export function newNodeResourcesFit(args?: NodeResourcesFitArgs): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const strategy = resolveStrategy(args);
  const ignored = new Set(args?.ignoredResources ?? []);
  const ignoredGroups = new Set(args?.ignoredResourceGroups ?? []);
  const isIgnored = (name: string): boolean => ignored.has(name) || (name.includes('/') && ignoredGroups.has(name.slice(0, name.indexOf('/'))));
  const scorer =
    strategy.type === 'MostAllocated'
      ? mostAllocatedScore
      : strategy.type === 'RequestedToCapacityRatio'
        ? requestedToCapacityRatioScorer(strategy.requestedToCapacityRatio?.shape ?? [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }])
        : leastAllocatedScore;
  const round = strategy.type === 'RequestedToCapacityRatio' ? Math.round : Math.trunc;
  const requestsOf = (state: { read: (k: string) => unknown }, pod: Pod): PodRequests =>
    (state.read(STATE_KEY) as FrozenState<PodRequests> | undefined)?.value ?? podRequests(pod);
  const resources = strategy.resources;
  return {
    name: NODE_RESOURCES_FIT,
    preFilter(state, pod) {
      state.write(STATE_KEY, new FrozenState(podRequests(pod)));
      return undefined;
    },
    filter(state, pod, nodeInfo): Status | undefined {
      const req = requestsOf(state, pod);
      if (fitsWithoutReasons(req, nodeInfo, isIgnored)) return undefined;
      // Only a rejection pays for building the list of reasons.
      const reasons = fitsRequest(req, nodeInfo, isIgnored);
      return reasons.length > 0 ? unschedulable(...reasons) : undefined;
    },
    preScore(state, pod) {
      if (!state.read(STATE_KEY)) state.write(STATE_KEY, new FrozenState(podRequests(pod)));
      return undefined;
    },
    score(state, pod, nodeInfo) {
      // Inline form of weightedScore: no closures per node.
      const req = requestsOf(state, pod);
      let total = 0;
      let weights = 0;
      for (let i = 0; i < resources.length; i++) {
        const { name, weight } = resources[i]!;
        const capacity = nodeInfo.allocatableOf(name);
        if (capacity === 0) continue;
        total += scorer(requestedWithPod(nodeInfo, req, name), capacity) * weight;
        weights += weight;
      }
      return weights === 0 ? 0 : round(total / weights);
    },
  };
}
