// Pure decisions of the node lifecycle controller: is a node's kubelet still heard from (Lease
// renewals and Ready heartbeats within the grace period), which conditions to mark Unknown when it
// is not, and which taints the node's conditions call for. Like Kubernetes' nodelifecycle
// tryUpdateNodeHealth and its NoExecute / NoSchedule tainting passes.
import { rfc3339 } from '../../api/meta.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, type Taint } from '../../machinery/tolerations.js';
import type { Lease, Node, NodeCondition } from './types.js';

/** Conditions the controller takes over (as Unknown) when the kubelet goes silent. */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const REASON_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_STATUS_UNKNOWN = 'Kubelet stopped posting node status.';
export const REASON_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NEVER_UPDATED = 'Kubelet never posted node status.';

/** NoSchedule taints that mirror a condition being True, as Kubernetes' doNoScheduleTaintingPass sets them. */
const CONDITION_TAINTS: Readonly<Record<string, string>> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
};
const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Every taint key this controller owns; taints with other keys are never touched. */
const MANAGED_TAINT_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, ...Object.values(CONDITION_TAINTS)]);

function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export function findCondition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

/** The last time the node was heard from: the newest of Lease renewal, Ready heartbeat and creation. */
export function lastHeardFromMs(node: Node, lease: Lease | undefined): number | undefined {
  const times = [parseTime(lease?.spec?.renewTime), parseTime(findCondition(node, 'Ready')?.lastHeartbeatTime), parseTime(node.metadata.creationTimestamp)];
  const known = times.filter((t): t is number => t !== undefined);
  return known.length ? Math.max(...known) : undefined;
}

export interface NodeHealth {
  /** True when nothing was heard from the kubelet within the grace period. */
  stale: boolean;
  /** Milliseconds until the node turns stale (0 when it already is). */
  staleInMs: number;
}

export function nodeHealth(node: Node, lease: Lease | undefined, now: Date, gracePeriodMs: number): NodeHealth {
  const heard = lastHeardFromMs(node, lease) ?? 0;
  const staleAt = heard + gracePeriodMs;
  const remaining = staleAt - now.getTime();
  return { stale: remaining < 0, staleInMs: Math.max(0, remaining) };
}

/**
 * The node's conditions after a health check: unchanged when the kubelet is heard from; otherwise
 * each monitored condition turned Unknown (keeping its last heartbeat, so staleness stays visible).
 */
export function conditionsAfterHealthCheck(node: Node, stale: boolean, now: Date): NodeCondition[] {
  const current = node.status?.conditions ?? [];
  if (!stale) return current.map((c) => ({ ...c }));
  const time = rfc3339(now);
  const hasReady = current.some((c) => c.type === 'Ready');
  const out = current.map((c) => ({ ...c }));
  for (const type of MONITORED_CONDITIONS) {
    const existing = out.find((c) => c.type === type);
    if (!existing) {
      out.push({
        type,
        status: 'Unknown',
        reason: REASON_NEVER_UPDATED,
        message: MESSAGE_NEVER_UPDATED,
        lastHeartbeatTime: node.metadata.creationTimestamp ?? time,
        lastTransitionTime: time,
      });
    } else if (existing.status !== 'Unknown') {
      existing.status = 'Unknown';
      existing.reason = hasReady ? REASON_STATUS_UNKNOWN : REASON_NEVER_UPDATED;
      existing.message = hasReady ? MESSAGE_STATUS_UNKNOWN : MESSAGE_NEVER_UPDATED;
      existing.lastTransitionTime = time;
    }
  }
  return out;
}

function statusOf(conditions: readonly NodeCondition[], type: string): string | undefined {
  return conditions.find((c) => c.type === type)?.status;
}

/**
 * The taints a node should carry given its conditions: not-ready / unreachable (NoExecute with
 * timeAdded, and NoSchedule) from Ready, pressure NoSchedule taints, and unschedulable. Taints with
 * other keys are kept as they are; an existing managed taint keeps its timeAdded.
 */
export function desiredTaints(node: Node, conditions: readonly NodeCondition[], now: Date): Taint[] {
  const existing = node.spec?.taints ?? [];
  const wanted: Taint[] = [];
  const want = (key: string, effect: string): void => {
    const old = existing.find((t) => t.key === key && t.effect === effect);
    if (old) wanted.push({ ...old });
    else wanted.push(effect === 'NoExecute' ? { key, effect, timeAdded: rfc3339(now) } : { key, effect });
  };
  const ready = statusOf(conditions, 'Ready');
  if (ready === 'False') {
    want(TAINT_NOT_READY, 'NoExecute');
    want(TAINT_NOT_READY, 'NoSchedule');
  } else if (ready === 'Unknown') {
    want(TAINT_UNREACHABLE, 'NoExecute');
    want(TAINT_UNREACHABLE, 'NoSchedule');
  } else if (ready === undefined) {
    // A node that never reported keeps whatever readiness taints it registered with.
    for (const t of existing) if (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE) wanted.push({ ...t });
  }
  for (const [type, key] of Object.entries(CONDITION_TAINTS)) if (statusOf(conditions, type) === 'True') want(key, 'NoSchedule');
  if (node.spec?.unschedulable) want(TAINT_UNSCHEDULABLE, 'NoSchedule');
  const foreign = existing.filter((t) => !MANAGED_TAINT_KEYS.has(t.key));
  return [...foreign, ...wanted];
}

function taintId(t: Taint): string {
  return `${t.key}\u0000${t.value ?? ''}\u0000${t.effect}\u0000${t.timeAdded ?? ''}`;
}

export function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  const left = a.map(taintId).sort();
  const right = b.map(taintId).sort();
  return left.every((id, i) => id === right[i]);
}

function sameConditions(a: readonly NodeCondition[], b: readonly NodeCondition[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface NodePlan {
  /** New status.conditions to write, when they change. */
  conditions?: NodeCondition[];
  /** New spec.taints to write, when they change. */
  taints?: Taint[];
  /** Ready status after this pass. */
  ready: string | undefined;
  /** Pods on the node should have their Ready condition set False (kubelet unreachable). */
  markPodsNotReady: boolean;
  /** Check the node again after this long (when it would turn stale), if it is healthy now. */
  recheckAfterMs?: number;
}

export function reconcileNode(input: { node: Node; lease?: Lease; now: Date; gracePeriodMs: number }): NodePlan {
  const { node, lease, now, gracePeriodMs } = input;
  const health = nodeHealth(node, lease, now, gracePeriodMs);
  const conditions = conditionsAfterHealthCheck(node, health.stale, now);
  const taints = desiredTaints(node, conditions, now);
  const ready = statusOf(conditions, 'Ready');
  return {
    conditions: sameConditions(conditions, node.status?.conditions ?? []) ? undefined : conditions,
    taints: sameTaints(taints, node.spec?.taints ?? []) ? undefined : taints,
    ready,
    markPodsNotReady: ready === 'Unknown',
    recheckAfterMs: health.stale ? undefined : health.staleInMs + 1,
  };
}
