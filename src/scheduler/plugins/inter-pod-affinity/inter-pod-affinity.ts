// InterPodAffinity: required pod affinity / anti-affinity of the incoming pod, the required
// anti-affinity of pods already placed, and preferred terms (both ways) for scoring. Counts per
// topology domain are computed once in PreFilter/PreScore; Filter and Score only look them up.
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { MAX_NODE_SCORE, SKIP, unresolvable, unschedulable, type FilterPlugin, type NodeScore, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../../framework/interfaces.js';
import { affinityTermMatches, type AffinityTerm } from '../../framework/matchers.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import type { Pod } from '../../framework/types.js';
import { affinityTermsOf, bump, topologyPair, type PodAffinityTerms, type TopologyCounts } from './terms.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
const PRE_FILTER_KEY = 'PreFilter' + INTER_POD_AFFINITY;
const PRE_SCORE_KEY = 'PreScore' + INTER_POD_AFFINITY;

export interface InterPodAffinityArgs {
  hardPodAffinityWeight?: number;
}

class FilterState implements StateData {
  constructor(
    readonly terms: PodAffinityTerms,
    readonly existingAnti: TopologyCounts,
    readonly affinity: TopologyCounts,
    readonly anti: TopologyCounts,
    readonly namespaceLabels: Snapshot['namespaceLabels'],
  ) {}
  clone(): FilterState {
    return new FilterState(this.terms, new Map(this.existingAnti), new Map(this.affinity), new Map(this.anti), this.namespaceLabels);
  }
}

class ScoreState implements StateData {
  constructor(
    readonly topologyScore: TopologyCounts,
    readonly topologyKeys: Set<string>,
  ) {}
  clone(): ScoreState {
    return this;
  }
}

/** Applies `existing` (on `node`) to the filter counts with `sign` (+1 add, -1 remove). */
function countExisting(state: FilterState, incoming: Pod, existing: Pod, node: NodeInfo, sign: number): void {
  const labels = node.node?.metadata.labels;
  if (!labels) return;
  const ns = state.namespaceLabels;
  for (const term of affinityTermsOf(existing).requiredAntiAffinity) {
    const value = labels[term.topologyKey];
    if (value !== undefined && affinityTermMatches(term, incoming, ns)) bump(state.existingAnti, topologyPair(term.topologyKey, value), sign);
  }
  for (const term of state.terms.requiredAffinity) {
    const value = labels[term.topologyKey];
    if (value !== undefined && affinityTermMatches(term, existing, ns)) bump(state.affinity, topologyPair(term.topologyKey, value), sign);
  }
  for (const term of state.terms.requiredAntiAffinity) {
    const value = labels[term.topologyKey];
    if (value !== undefined && affinityTermMatches(term, existing, ns)) bump(state.anti, topologyPair(term.topologyKey, value), sign);
  }
}

function anyPairCounted(counts: TopologyCounts, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(labels)) if ((counts.get(topologyPair(k, v)) ?? 0) > 0) return true;
  return false;
}

function matchesAll(terms: AffinityTerm[], pod: Pod, ns: Snapshot['namespaceLabels']): boolean {
  return terms.every((t) => affinityTermMatches(t, pod, ns));
}

export function newInterPodAffinity(args?: InterPodAffinityArgs): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const hardWeight = args?.hardPodAffinityWeight ?? 1;
  const extensions = {
    addPod(state: CycleState, pod: Pod, podToAdd: Pod, nodeInfo: NodeInfo) {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (s) countExisting(s, pod, podToAdd, nodeInfo, 1);
    },
    removePod(state: CycleState, pod: Pod, podToRemove: Pod, nodeInfo: NodeInfo) {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (s) countExisting(s, pod, podToRemove, nodeInfo, -1);
    },
  };
  return {
    name: INTER_POD_AFFINITY,
    preFilter(state, pod, snapshot) {
      const terms = affinityTermsOf(pod);
      const ownRequired = terms.requiredAffinity.length + terms.requiredAntiAffinity.length > 0;
      if (!ownRequired && snapshot.havePodsWithRequiredAntiAffinity.size === 0) return { status: SKIP };
      const s = new FilterState(terms, new Map(), new Map(), new Map(), snapshot.namespaceLabels);
      const nsLabels = snapshot.namespaceLabels;
      for (const info of snapshot.havePodsWithRequiredAntiAffinity) {
        const labels = info.node?.metadata.labels;
        if (!labels) continue;
        for (const pi of info.podsWithRequiredAntiAffinity) {
          for (const term of affinityTermsOf(pi.pod).requiredAntiAffinity) {
            const value = labels[term.topologyKey];
            if (value !== undefined && affinityTermMatches(term, pod, nsLabels)) bump(s.existingAnti, topologyPair(term.topologyKey, value), 1);
          }
        }
      }
      if (ownRequired) {
        // The incoming pod's own terms are checked against every placed pod, once.
        const onlyOwn = new FilterState(terms, new Map(), s.affinity, s.anti, nsLabels);
        for (const info of snapshot.list()) {
          for (const pi of info.pods.values()) {
            // countExisting also handles existing anti-affinity; use a throwaway map for that part.
            onlyOwn.existingAnti.clear();
            countExisting(onlyOwn, pod, pi.pod, info, 1);
          }
        }
      }
      state.write(PRE_FILTER_KEY, s);
      return undefined;
    },
    preFilterExtensions: extensions,
    filter(state, pod, nodeInfo) {
      const s = state.read<FilterState>(PRE_FILTER_KEY);
      if (!s) return undefined;
      const labels = nodeInfo.node?.metadata.labels ?? {};
      if (s.existingAnti.size > 0 && anyPairCounted(s.existingAnti, labels)) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
      for (const term of s.terms.requiredAntiAffinity) {
        const value = labels[term.topologyKey];
        if (value !== undefined && (s.anti.get(topologyPair(term.topologyKey, value)) ?? 0) > 0) return unschedulable(ERR_REASON_ANTI_AFFINITY);
      }
      if (s.terms.requiredAffinity.length > 0) {
        let podsExist = true;
        for (const term of s.terms.requiredAffinity) {
          const value = labels[term.topologyKey];
          if (value === undefined) return unresolvable(ERR_REASON_AFFINITY);
          if ((s.affinity.get(topologyPair(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
        }
        // The first pod of a group that is affine to itself must be able to land somewhere.
        if (!podsExist && !(s.affinity.size === 0 && matchesAll(s.terms.requiredAffinity, pod, s.namespaceLabels))) return unresolvable(ERR_REASON_AFFINITY);
      }
      return undefined;
    },
    preScore(state, pod, _nodes, snapshot) {
      const terms = affinityTermsOf(pod);
      const hasPreferred = terms.preferredAffinity.length + terms.preferredAntiAffinity.length > 0;
      if (!hasPreferred && snapshot.havePodsWithAffinity.size === 0) return SKIP;
      const scores: TopologyCounts = new Map();
      const keys = new Set<string>();
      const ns = snapshot.namespaceLabels;
      const add = (term: AffinityTerm, labels: Record<string, string>, weight: number): void => {
        const value = labels[term.topologyKey];
        if (value === undefined || weight === 0) return;
        keys.add(term.topologyKey);
        bump(scores, topologyPair(term.topologyKey, value), weight);
      };
      const nodes = hasPreferred ? snapshot.list() : [...snapshot.havePodsWithAffinity];
      for (const info of nodes) {
        const labels = info.node?.metadata.labels;
        if (!labels) continue;
        const pods = hasPreferred ? info.pods.values() : info.podsWithAffinity.values();
        for (const pi of pods) {
          const existing = pi.pod;
          for (const t of terms.preferredAffinity) if (affinityTermMatches(t, existing, ns)) add(t, labels, t.weight);
          for (const t of terms.preferredAntiAffinity) if (affinityTermMatches(t, existing, ns)) add(t, labels, -t.weight);
          if (!pi.hasAffinity) continue;
          const theirs = affinityTermsOf(existing);
          for (const t of theirs.requiredAffinity) if (affinityTermMatches(t, pod, ns)) add(t, labels, hardWeight);
          for (const t of theirs.preferredAffinity) if (affinityTermMatches(t, pod, ns)) add(t, labels, t.weight);
          for (const t of theirs.preferredAntiAffinity) if (affinityTermMatches(t, pod, ns)) add(t, labels, -t.weight);
        }
      }
      if (scores.size === 0) return SKIP;
      state.write(PRE_SCORE_KEY, new ScoreState(scores, keys));
      return undefined;
    },
    score(state, _pod, nodeInfo) {
      const s = state.read<ScoreState>(PRE_SCORE_KEY);
      const labels = nodeInfo.node?.metadata.labels;
      if (!s || !labels) return 0;
      let total = 0;
      for (const key of s.topologyKeys) {
        const value = labels[key];
        if (value !== undefined) total += s.topologyScore.get(topologyPair(key, value)) ?? 0;
      }
      return total;
    },
    normalizeScore(_state, _pod, scores: NodeScore[]) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        if (s.score < min) min = s.score;
        if (s.score > max) max = s.score;
      }
      const diff = max - min;
      for (const s of scores) s.score = diff === 0 ? 0 : Math.trunc((MAX_NODE_SCORE * (s.score - min)) / diff);
    },
  };
}
