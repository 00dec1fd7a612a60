// PodTopologySpread: DoNotSchedule constraints reject nodes whose domain would exceed maxSkew over
// the least-loaded domain; ScheduleAnyway constraints prefer nodes in emptier domains.
import { matches } from '../../../machinery/labels/selector.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, SKIP, unresolvable, unschedulable, type FilterPlugin, type NodeScore, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Pod } from '../../framework/types.js';
import { bump, topologyPair } from '../inter-pod-affinity/terms.js';
import { countMatching, nodeCounts, podCounts, spreadConstraintsOf, type SpreadConstraint } from './constraints.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_MISSING_LABEL = ERR_REASON_CONSTRAINTS + ' (missing required label)';
const PRE_FILTER_KEY = 'PreFilter' + POD_TOPOLOGY_SPREAD;
const PRE_SCORE_KEY = 'PreScore' + POD_TOPOLOGY_SPREAD;
const HOSTNAME = 'kubernetes.io/hostname';

class FilterState implements StateData {
  /** Per constraint: the smallest count over its domains, and how many domains there are. */
  minMatch: number[] = [];
  domains: number[] = [];
  constructor(
    readonly constraints: SpreadConstraint[],
    readonly counts: Map<string, number>,
  ) {
    this.recompute();
  }
  recompute(): void {
    this.minMatch = this.constraints.map(() => Infinity);
    this.domains = this.constraints.map(() => 0);
    for (const [pair, n] of this.counts) {
      const key = pair.slice(0, pair.indexOf('\u0000'));
      this.constraints.forEach((c, i) => {
        if (c.topologyKey !== key) return;
        this.domains[i]!++;
        if (n < this.minMatch[i]!) this.minMatch[i] = n;
      });
    }
  }
  clone(): FilterState {
    return new FilterState(this.constraints, new Map(this.counts));
  }
}

class ScoreState implements StateData {
  constructor(
    readonly constraints: SpreadConstraint[],
    readonly counts: Map<string, number>,
    readonly weights: number[],
  ) {}
  clone(): ScoreState {
    return this;
  }
}

function updateForPod(state: CycleState, pod: Pod, other: Pod, info: NodeInfo, sign: number): void {
  const s = state.read<FilterState>(PRE_FILTER_KEY);
  if (!s) return;
  let changed = false;
  for (const c of s.constraints) {
    if (!nodeCounts(c, pod, info) || !podCounts(c, pod, other)) continue;
    const pair = topologyPair(c.topologyKey, info.node!.metadata.labels![c.topologyKey]!);
    s.counts.set(pair, Math.max(0, (s.counts.get(pair) ?? 0) + sign));
    changed = true;
  }
  if (changed) s.recompute();
}

export function newPodTopologySpread(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: POD_TOPOLOGY_SPREAD,
    preFilter(state, pod, snapshot) {
      const constraints = spreadConstraintsOf(pod).hard;
      if (constraints.length === 0) return { status: SKIP };
      const counts = new Map<string, number>();
      for (const info of snapshot.list()) {
        for (const c of constraints) {
          if (!nodeCounts(c, pod, info)) continue;
          const pair = topologyPair(c.topologyKey, info.node!.metadata.labels![c.topologyKey]!);
          // Every eligible domain exists, even with no matching pods: it may be the minimum.
          counts.set(pair, (counts.get(pair) ?? 0) + countMatching(c, pod, info));
        }
      }
      state.write(PRE_FILTER_KEY, new FilterState(constraints, counts));
      return undefined;
    },
    preFilterExtensions: {
      addPod: (state, pod, podToAdd, info) => updateForPod(state, pod, podToAdd, info, 1),
      removePod: (state, pod, podToRemove, info) => updateForPod(state, pod, podToRemove, info, -1),
    },
    filter(state, pod, nodeInfo) {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (!s) return undefined;
      const labels = nodeInfo.node?.metadata.labels ?? {};
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i]!;
        const value = labels[c.topologyKey];
        if (value === undefined) return unresolvable(ERR_REASON_MISSING_LABEL);
        const self = matches(c.selector, pod.metadata.labels) ? 1 : 0;
        const min = s.domains[i]! < c.minDomains || s.minMatch[i] === Infinity ? 0 : s.minMatch[i]!;
        const skew = (s.counts.get(topologyPair(c.topologyKey, value)) ?? 0) + self - min;
        if (skew > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS);
      }
      return undefined;
    },
    preScore(state, pod, nodes, snapshot) {
      const constraints = spreadConstraintsOf(pod).soft;
      if (constraints.length === 0) return SKIP;
      const counts = new Map<string, number>();
      const domains = constraints.map(() => new Set<string>());
      // Domains come from the feasible nodes; counts for zones etc. from every eligible node.
      for (const info of nodes) {
        constraints.forEach((c, i) => {
          const value = info.node?.metadata.labels?.[c.topologyKey];
          if (value !== undefined) domains[i]!.add(value);
        });
      }
      const feasible = new Set(nodes);
      for (const info of snapshot.list()) {
        for (let i = 0; i < constraints.length; i++) {
          const c = constraints[i]!;
          if (c.topologyKey === HOSTNAME && !feasible.has(info)) continue;
          if (!nodeCounts(c, pod, info)) continue;
          const value = info.node!.metadata.labels![c.topologyKey]!;
          if (!domains[i]!.has(value)) continue;
          bump(counts, topologyPair(c.topologyKey, value), countMatching(c, pod, info));
        }
      }
      const weights = domains.map((d) => Math.log(d.size + 2));
      state.write(PRE_SCORE_KEY, new ScoreState(constraints, counts, weights));
      return undefined;
    },
    score(state, _pod, nodeInfo) {
      const s = state.read<ScoreState>(PRE_SCORE_KEY);
      if (!s) return 0;
      const labels = nodeInfo.node?.metadata.labels ?? {};
      let total = 0;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i]!;
        const value = labels[c.topologyKey];
        if (value === undefined) return -1; // marks a node without the labels; normalised to 0
        total += (s.counts.get(topologyPair(c.topologyKey, value)) ?? 0) * s.weights[i]! + (c.maxSkew - 1);
      }
      return Math.round(total);
    },
    normalizeScore(_state, _pod, scores: NodeScore[]) {
      let min = Infinity;
      let max = 0;
      for (const s of scores) {
        if (s.score < 0) continue;
        if (s.score < min) min = s.score;
        if (s.score > max) max = s.score;
      }
      for (const s of scores) {
        if (s.score < 0) s.score = 0;
        else if (max === 0) s.score = MAX_NODE_SCORE;
        else s.score = Math.trunc((MAX_NODE_SCORE * (max + min - s.score)) / max);
      }
    },
  };
}
