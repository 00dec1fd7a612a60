// One pod's scheduling decision: PreFilter, Filter over enough nodes (starting where the last
// cycle stopped, so load spreads over the whole cluster), PreScore, Score, pick the best.
import type { CycleState } from './cycle-state.js';
import type { Status } from './interfaces.js';
import type { NodeInfo } from './node-info.js';
import type { Framework } from './runtime.js';
import type { Pod } from './types.js';

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/** How many feasible nodes are enough: all in small clusters, a shrinking share in large ones. */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE) percentage = MIN_FEASIBLE_NODES_PERCENTAGE;
  }
  if (percentage >= 100) return numAllNodes;
  const count = Math.trunc((numAllNodes * percentage) / 100);
  return count < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : count;
}

/** Why a pod fits nowhere: per-node statuses, plus PreFilter and PostFilter messages. */
export class FitError extends Error {
  constructor(
    readonly pod: Pod,
    readonly numAllNodes: number,
    readonly filtered: Map<string, Status>,
    readonly preFilterMessage = '',
    private postFilterMessage = '',
  ) {
    super(fitErrorMessage(numAllNodes, filtered, preFilterMessage, postFilterMessage));
    this.name = 'FitError';
  }

  /** Adds what PostFilter (preemption) found, e.g. `preemption: 0/3 nodes are available: ...`. */
  setPostFilterMessage(text: string): void {
    this.postFilterMessage = text;
    this.message = fitErrorMessage(this.numAllNodes, this.filtered, this.preFilterMessage, text);
  }
}

/** `0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.` plus extras. */
export function fitErrorMessage(numAllNodes: number, filtered: Map<string, Status>, preFilterMessage = '', postFilterMessage = ''): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMessage) msg += ` ${preFilterMessage}.`;
  else {
    const histogram = new Map<string, number>();
    for (const status of filtered.values()) {
      for (const reason of status.reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
    }
    const parts = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort(compareStrings);
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  if (postFilterMessage) msg += ` ${postFilterMessage}.`;
  return msg;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ScheduleResult {
  nodeName: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export type RandomSource = () => number;

/** Runs the filter-and-score part of a cycle. Keeps the rotating start index between pods. */
export class PodPlacer {
  private nextStartNodeIndex = 0;

  constructor(
    private readonly framework: Framework,
    private readonly random: RandomSource = Math.random,
  ) {}

  /** Returns the chosen node, or throws FitError (or an Error for plugin failures). */
  schedule(state: CycleState, pod: Pod): ScheduleResult {
    const fw = this.framework;
    const snapshot = fw.snapshot();
    const allNodes = snapshot.list();
    if (allNodes.length === 0) throw new FitError(pod, 0, new Map(), '', '');
    const pre = fw.runPreFilter(state, pod);
    if (pre.status) {
      if (pre.status.code === 'Error') throw new Error(pre.status.reasons.join(', '));
      const filtered = new Map<string, Status>();
      for (const n of allNodes) filtered.set(n.name, pre.status);
      throw new FitError(pod, allNodes.length, filtered, pre.status.reasons.join(', '));
    }
    const { feasible, filtered } = this.findFeasible(state, pod, allNodes, pre.nodeNames);
    if (feasible.length === 0) throw new FitError(pod, allNodes.length, filtered);
    if (feasible.length === 1) return { nodeName: feasible[0]!.name, evaluatedNodes: filtered.size + 1, feasibleNodes: 1 };
    const preScore = fw.runPreScore(state, pod, feasible);
    if (preScore) throw new Error(preScore.reasons.join(', '));
    const totals = fw.runScore(state, pod, feasible);
    return { nodeName: feasible[this.selectHost(totals)]!.name, evaluatedNodes: filtered.size + feasible.length, feasibleNodes: feasible.length };
  }

  private findFeasible(state: CycleState, pod: Pod, allNodes: NodeInfo[], only: Set<string> | undefined): { feasible: NodeInfo[]; filtered: Map<string, Status> } {
    const fw = this.framework;
    const filtered = new Map<string, Status>();
    const feasible: NodeInfo[] = [];
    // A nominated node (from an earlier preemption) is tried first, alone.
    const nominated = pod.status?.nominatedNodeName;
    if (nominated && (!only || only.has(nominated))) {
      const info = fw.snapshot().get(nominated);
      if (info && !fw.runFilters(state, pod, info)) return { feasible: [info], filtered };
    }
    if (only) {
      for (const name of only) {
        const info = fw.snapshot().get(name);
        if (!info) continue;
        const status = fw.runFilters(state, pod, info);
        if (status) filtered.set(name, status);
        else feasible.push(info);
      }
      for (const n of allNodes) if (!only.has(n.name)) filtered.set(n.name, { code: 'UnschedulableAndUnresolvable', reasons: [], plugin: 'PreFilterResult' });
      return { feasible, filtered };
    }
    const n = allNodes.length;
    const want = numFeasibleNodesToFind(fw.percentageOfNodesToScore, n);
    const start = this.nextStartNodeIndex % n;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const info = allNodes[(start + processed) % n]!;
      const status = fw.runFilters(state, pod, info);
      if (status) {
        if (status.code === 'Error') throw new Error(status.reasons.join(', '));
        filtered.set(info.name, status);
      } else feasible.push(info);
    }
    this.nextStartNodeIndex = (start + processed) % n;
    return { feasible, filtered };
  }

  /** Index of the highest total; ties broken uniformly at random (reservoir sampling). */
  private selectHost(totals: number[]): number {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < totals.length; i++) {
      if (totals[i]! > totals[best]!) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return best;
  }
}
