// The scheduling framework's extension points. Plugins are plain objects; a profile lists which
// ones run where. Everything up to Permit runs synchronously inside one scheduling cycle; PreBind
// and Bind run in the binding cycle, in the background.
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { Snapshot } from './snapshot.js';
import type { Pod } from './types.js';

export type Code = 'Success' | 'Error' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Wait' | 'Skip';

export interface Status {
  code: Code;
  /** Human-readable reasons; FailedScheduling messages count nodes per reason. */
  reasons: string[];
  /** The plugin that produced it (filled in by the framework). */
  plugin?: string;
}

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export function errorStatus(message: string): Status {
  return { code: 'Error', reasons: [message] };
}

export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: [] }) as Status;

export function isRejection(status: Status | undefined): boolean {
  return status !== undefined && (status.code === 'Unschedulable' || status.code === 'UnschedulableAndUnresolvable');
}

/** Scores run from 0 to MAX_NODE_SCORE before weights are applied. */
export const MAX_NODE_SCORE = 100;

export interface NodeScore {
  name: string;
  score: number;
}

export interface Plugin {
  readonly name: string;
}

/** What the framework offers plugins: the current snapshot and a way to rerun filters (preemption). */
export interface FrameworkHandle {
  snapshot(): Snapshot;
  runFilters(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined;
  runPreFilterAddPod(state: CycleState, pod: Pod, podToAdd: Pod, nodeInfo: NodeInfo): void;
  runPreFilterRemovePod(state: CycleState, pod: Pod, podToRemove: Pod, nodeInfo: NodeInfo): void;
}

/** Lets preemption update precomputed state when it removes or re-adds a pod on a node. */
export interface PreFilterExtensions {
  addPod(state: CycleState, pod: Pod, podToAdd: Pod, nodeInfo: NodeInfo): void;
  removePod(state: CycleState, pod: Pod, podToRemove: Pod, nodeInfo: NodeInfo): void;
}

export interface PreFilterResult {
  /** Restrict filtering to these node names (NodeName, NodeAffinity on metadata.name). */
  nodeNames?: Set<string>;
}

export interface PreFilterPlugin extends Plugin {
  /** Skip status: this plugin's Filter does not apply to the pod. */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): { status?: Status; result?: PreFilterResult } | undefined;
  preFilterExtensions?: PreFilterExtensions;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status | undefined;
}

export interface PostFilterResult {
  status: Status;
  nominatedNodeName?: string;
  /** Pods to delete so the nominated node can take the pod. */
  victims?: Pod[];
}

export interface PostFilterPlugin extends Plugin {
  /** `filtered` maps node names to the status Filter gave them. */
  postFilter(state: CycleState, pod: Pod, filtered: Map<string, Status>, handle: FrameworkHandle): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[], snapshot: Snapshot): Status | undefined;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** Rescales raw scores (in place) into 0..MAX_NODE_SCORE. */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Status | undefined;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: Pod, nodeName: string): Status | undefined;
}

export interface PreBindPlugin extends Plugin {
  /**
   * Runs after Permit, before any Bind plugin (API writes the pod's binding depends on, such as
   * volume bindings). A failure unreserves the pod and sends it back to the queue.
   */
  preBind(state: CycleState, pod: Pod, nodeName: string, signal: AbortSignal): Promise<Status | undefined>;
}

export interface BindPlugin extends Plugin {
  /** Skip status passes the pod to the next bind plugin. */
  bind(pod: Pod, nodeName: string, signal: AbortSignal): Promise<Status | undefined>;
}

export type AnyPlugin = Partial<PreFilterPlugin & FilterPlugin & PostFilterPlugin & PreScorePlugin & ScorePlugin & ReservePlugin & PermitPlugin & PreBindPlugin & BindPlugin> & Plugin;
