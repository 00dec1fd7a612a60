// `kubectl get pods`: the Ready, Status and Restarts cells follow kubectl's reasoning over init
// containers, container states and deletion, so users see ContainerCreating, CrashLoopBackOff,
// Init:0/1, Completed or Terminating exactly where a real cluster would show them.

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { parseTime, timeSince } from './age.js';
import { age, ageColumn, arr, column, int, nameColumn, nameOf, obj, spec, status, str, type Json } from './columns.js';

/** The reason the node-lifecycle controller gives pods on a node that stopped reporting. */
const NODE_UNREACHABLE_REASON = 'NodeLost';

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

function isRestartableInit(container: Json | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

function hasCondition(conditions: unknown, type: string): boolean {
  return arr(conditions).some((c) => obj(c).type === type && obj(c).status === 'True');
}

/** Later of the two; `undefined` counts as the zero time. */
function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.getTime() > a.getTime() ? b : a;
}

function lastTerminationFinish(containerStatus: Json): Date | undefined {
  const terminated = obj(obj(containerStatus.lastState).terminated);
  return parseTime(terminated.finishedAt);
}

/** Why a terminated container stopped: its reason, else its signal or exit code. */
function terminatedReason(terminated: Json, prefix: string): string {
  if (str(terminated.reason) !== '') return prefix + str(terminated.reason);
  const signal = int(terminated.signal);
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${int(terminated.exitCode)}`;
}

/** The Ready, Status and Restarts cells of one pod. */
export function summarizePod(pod: KubeObject, now: Date): PodSummary {
  const podSpec = spec(pod);
  const podStatus = status(pod);
  const initContainers = arr(podSpec.initContainers).map(obj);
  const initByName = new Map(initContainers.map((c) => [str(c.name), c]));

  const totalContainers = arr(podSpec.containers).length + initContainers.filter(isRestartableInit).length;
  let readyContainers = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: Date | undefined;
  let lastSidecarRestart: Date | undefined;

  const phase = str(podStatus.phase);
  let reason = str(podStatus.reason) || phase;
  for (const condition of arr(podStatus.conditions).map(obj)) {
    if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = arr(podStatus.initContainerStatuses).map(obj);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = obj(cs.state);
    const sidecar = isRestartableInit(initByName.get(str(cs.name)));
    restarts += int(cs.restartCount);
    lastRestart = later(lastRestart, lastTerminationFinish(cs));
    if (sidecar) {
      sidecarRestarts += int(cs.restartCount);
      lastSidecarRestart = later(lastSidecarRestart, lastTerminationFinish(cs));
    }
    const terminated = state.terminated === undefined ? undefined : obj(state.terminated);
    const waiting = state.waiting === undefined ? undefined : obj(state.waiting);
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready === true) readyContainers++;
      continue;
    }
    if (terminated) {
      reason = terminatedReason(terminated, 'Init:');
    } else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(podStatus.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(podStatus.containerStatuses).map(obj);
    // Walk backwards so the first container's state wins, as kubectl does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      const state = obj(cs.state);
      restarts += int(cs.restartCount);
      lastRestart = later(lastRestart, lastTerminationFinish(cs));
      const waiting = state.waiting === undefined ? undefined : obj(state.waiting);
      const terminated = state.terminated === undefined ? undefined : obj(state.terminated);
      if (waiting && str(waiting.reason) !== '') {
        reason = str(waiting.reason);
      } else if (terminated) {
        reason = terminatedReason(terminated, '');
      } else if (cs.ready === true && state.running !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A finished container next to running ones does not make the whole pod "Completed".
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(podStatus.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && podStatus.reason === NODE_UNREACHABLE_REASON) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart) {
    restartsCell = `${restarts} (${timeSince(lastRestart.toISOString(), now)} ago)`;
  }
  return { ready: `${readyContainers}/${totalContainers}`, status: reason, restarts: restartsCell };
}

function readinessGates(pod: KubeObject): string {
  const gates = arr(spec(pod).readinessGates).map(obj);
  if (gates.length === 0) return '<none>';
  const conditions = arr(status(pod).conditions).map(obj);
  let trueCount = 0;
  for (const gate of gates) {
    const condition = conditions.find((c) => c.type === gate.conditionType);
    if (condition?.status === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

function podIP(pod: KubeObject): string {
  const podStatus = status(pod);
  const first = str(obj(arr(podStatus.podIPs)[0]).ip) || str(podStatus.podIP);
  return first || '<none>';
}

export const podPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'How many of the containers are ready, out of how many.'),
    column('Status', 'string', 'A one-word summary of the pod and its containers.'),
    column('Restarts', 'string', 'Container restarts so far, and how long ago the last one happened.'),
    ageColumn(),
    column('IP', 'string', 'The pod\'s IP address (first of status.podIPs).', 1),
    column('Node', 'string', 'The node the pod is bound to (spec.nodeName).', 1),
    column('Nominated Node', 'string', 'The node on which preemption made room for this pod, if any.', 1),
    column('Readiness Gates', 'string', 'How many of the extra readiness conditions are true.', 1),
  ],
  cells(pod: KubeObject, now: Date): unknown[] {
    const summary = summarizePod(pod, now);
    return [
      nameOf(pod),
      summary.ready,
      summary.status,
      summary.restarts,
      age(pod, now),
      podIP(pod),
      str(spec(pod).nodeName) || '<none>',
      str(status(pod).nominatedNodeName) || '<none>',
      readinessGates(pod),
    ];
  },
};
