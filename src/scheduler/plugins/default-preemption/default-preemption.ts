// DefaultPreemption (PostFilter): find a node where removing lower-priority pods lets the pod fit,
// keeping as many of them as possible, and pick the node whose victims matter least. Pure: the
// scheduler performs the API calls (nominate, delete victims).
import type { CycleState } from '../../framework/cycle-state.js';
import { unresolvable, unschedulable, type FrameworkHandle, type PostFilterPlugin, type PostFilterResult, type Status } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { fitErrorMessage } from '../../framework/schedule-cycle.js';
import { podPriority, type Pod } from '../../framework/types.js';

export const DEFAULT_PREEMPTION = 'DefaultPreemption';
export const REASON_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface DefaultPreemptionArgs {
  minCandidateNodesPercentage?: number;
  minCandidateNodesAbsolute?: number;
}

export interface Candidate {
  nodeName: string;
  victims: Pod[];
}

function startTime(pod: Pod): string {
  return (pod.status as { startTime?: string } | undefined)?.startTime ?? pod.metadata.creationTimestamp ?? '';
}

/** Higher priority first; among equals, the one running longer is more important. */
function moreImportant(a: Pod, b: Pod): number {
  const d = podPriority(b) - podPriority(a);
  if (d !== 0) return d;
  return startTime(a) < startTime(b) ? -1 : startTime(a) > startTime(b) ? 1 : 0;
}

/** The fewest lower-priority pods to remove from `nodeInfo` (a copy) so `pod` fits; undefined if none suffice. */
export function selectVictimsOnNode(handle: FrameworkHandle, state: CycleState, pod: Pod, nodeInfo: NodeInfo): Pod[] | undefined {
  const priority = podPriority(pod);
  const lower = [...nodeInfo.pods.values()].map((pi) => pi.pod).filter((p) => podPriority(p) < priority);
  if (lower.length === 0) return undefined;
  for (const p of lower) {
    nodeInfo.removePod(p);
    handle.runPreFilterRemovePod(state, pod, p, nodeInfo);
  }
  if (handle.runFilters(state, pod, nodeInfo)) return undefined;
  // Give back the most important pods first, as long as the pod still fits.
  lower.sort(moreImportant);
  const victims: Pod[] = [];
  for (const p of lower) {
    nodeInfo.addPod(p);
    handle.runPreFilterAddPod(state, pod, p, nodeInfo);
    if (handle.runFilters(state, pod, nodeInfo)) {
      nodeInfo.removePod(p);
      handle.runPreFilterRemovePod(state, pod, p, nodeInfo);
      victims.push(p);
    }
  }
  return victims;
}

/** Lowest top victim priority, then lowest priority sum, then fewest victims, then latest start. */
export function pickCandidate(candidates: Candidate[]): Candidate | undefined {
  const summary = (c: Candidate): [number, number, number, string] => {
    const top = c.victims.reduce((m, p) => Math.max(m, podPriority(p)), -Infinity);
    const sum = c.victims.reduce((s, p) => s + podPriority(p), 0);
    const latestTop = c.victims.filter((p) => podPriority(p) === top).reduce((m, p) => (startTime(p) > m ? startTime(p) : m), '');
    return [top, sum, c.victims.length, latestTop];
  };
  let best: Candidate | undefined;
  let bestKey: [number, number, number, string] | undefined;
  for (const c of candidates) {
    const k = summary(c);
    if (!bestKey || k[0] < bestKey[0] || (k[0] === bestKey[0] && (k[1] < bestKey[1] || (k[1] === bestKey[1] && (k[2] < bestKey[2] || (k[2] === bestKey[2] && k[3] > bestKey[3])))))) {
      best = c;
      bestKey = k;
    }
  }
  return best;
}

function hasTerminatingLowerPod(pod: Pod, info: NodeInfo | undefined): boolean {
  if (!info) return false;
  for (const pi of info.pods.values()) if (pi.pod.metadata.deletionTimestamp && podPriority(pi.pod) < podPriority(pod)) return true;
  return false;
}

export function newDefaultPreemption(args?: DefaultPreemptionArgs): PostFilterPlugin {
  const minPercentage = args?.minCandidateNodesPercentage ?? 10;
  const minAbsolute = args?.minCandidateNodesAbsolute ?? 100;
  return {
    name: DEFAULT_PREEMPTION,
    postFilter(state, pod, filtered: Map<string, Status>, handle): PostFilterResult {
      if (pod.spec?.preemptionPolicy === 'Never') return { status: unschedulable('preemption: not eligible due to preemptionPolicy=Never.') };
      const snapshot = handle.snapshot();
      const nominated = pod.status?.nominatedNodeName;
      if (nominated && hasTerminatingLowerPod(pod, snapshot.get(nominated))) {
        return { status: unschedulable('preemption: not eligible due to a terminating pod on the nominated node.') };
      }
      const nodes = snapshot.list();
      const wanted = Math.max(minAbsolute, Math.trunc((nodes.length * minPercentage) / 100));
      const outcome = new Map<string, Status>();
      const candidates: Candidate[] = [];
      for (const info of nodes) {
        const status = filtered.get(info.name);
        if (status?.code === 'UnschedulableAndUnresolvable' || candidates.length >= wanted) {
          outcome.set(info.name, unresolvable(REASON_NOT_HELPFUL));
          continue;
        }
        const victims = selectVictimsOnNode(handle, state.clone(), pod, info.clone());
        if (victims && victims.length > 0) candidates.push({ nodeName: info.name, victims });
        else outcome.set(info.name, unschedulable(REASON_NO_VICTIMS));
      }
      const best = pickCandidate(candidates);
      if (!best) return { status: unschedulable(`preemption: ${fitErrorMessage(nodes.length, outcome)}`) };
      return { status: { code: 'Success', reasons: [] }, nominatedNodeName: best.nodeName, victims: best.victims };
    },
  };
}
