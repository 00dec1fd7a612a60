// The pod's status from what the agent observed (pure): phase, conditions and container statuses,
// following the kubelet's rules (pkg/kubelet/kubelet_pods.go getPhase / generateAPIPodStatus).

type Json = Record<string, unknown>;

export interface TerminatedState {
  exitCode: number;
  reason: string;
  message?: string;
  signal?: number;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string }
  | { kind: 'terminated'; terminated: TerminatedState };

/** What the agent knows about one container of the pod. */
export interface ContainerView {
  name: string;
  image: string;
  imageID?: string;
  /** Runtime id of the current container (without the crun:// prefix). */
  containerID?: string;
  restartCount: number;
  state: ContainerState;
  lastTerminated?: TerminatedState;
  ready: boolean;
  started: boolean;
}

export interface PodView {
  initContainers: ContainerView[];
  containers: ContainerView[];
  /** Ephemeral (debug) containers: reported, but they count for neither phase nor readiness. */
  ephemeralContainers?: ContainerView[];
  /** The pod's network namespace (or host network) is ready. */
  sandboxReady: boolean;
  podIp?: string;
  hostIp: string;
  startTime?: string;
  /** The agent failed the pod itself (admission, activeDeadlineSeconds): phase Failed with this reason. */
  failure?: { reason: string; message: string };
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

const RUNTIME_PREFIX = 'crun://';

function restartPolicyOf(pod: Json): string {
  const policy = (pod.spec as Json | undefined)?.restartPolicy;
  return typeof policy === 'string' ? policy : 'Always';
}

function isSidecar(spec: Json | undefined): boolean {
  return spec?.restartPolicy === 'Always';
}

/** Init containers that have not (yet) completed successfully, sidecars counting once started. */
export function incompleteInitContainers(pod: Json, view: PodView): string[] {
  const specs = ((pod.spec as Json | undefined)?.initContainers as Json[] | undefined) ?? [];
  const out: string[] = [];
  for (const spec of specs) {
    const name = String(spec.name);
    const c = view.initContainers.find((v) => v.name === name);
    if (isSidecar(spec)) {
      if (!c || !c.started) out.push(name);
      continue;
    }
    if (!c || c.state.kind !== 'terminated' || c.state.terminated.exitCode !== 0) out.push(name);
  }
  return out;
}

/** `terminating`: the pod is being deleted and its containers were stopped for good. */
export function podPhase(pod: Json, view: PodView, options: { terminating?: boolean } = {}): PodPhase {
  const previous = (pod.status as Json | undefined)?.phase;
  // Terminal phases never change back.
  if (previous === 'Succeeded' || previous === 'Failed') return previous;
  if (view.failure) return 'Failed';
  const policy = restartPolicyOf(pod);
  const initSpecs = ((pod.spec as Json | undefined)?.initContainers as Json[] | undefined) ?? [];
  let pendingInit = 0;
  for (const spec of initSpecs) {
    if (isSidecar(spec)) continue;
    const c = view.initContainers.find((v) => v.name === spec.name);
    if (c?.state.kind === 'terminated' && c.state.terminated.exitCode === 0) continue;
    if (c?.state.kind === 'terminated' && policy === 'Never') return 'Failed';
    // A failed init container waiting to restart still blocks initialization.
    if (c?.state.kind === 'waiting' && c.lastTerminated && c.lastTerminated.exitCode !== 0 && policy === 'Never') return 'Failed';
    pendingInit++;
  }
  if (pendingInit > 0) return 'Pending';

  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  const specs = ((pod.spec as Json | undefined)?.containers as Json[] | undefined) ?? [];
  for (const spec of specs) {
    const c = view.containers.find((v) => v.name === spec.name);
    if (!c) {
      waiting++;
      continue;
    }
    if (c.state.kind === 'running') running++;
    else if (c.state.kind === 'terminated') {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastTerminated) {
      stopped++;
      if (c.lastTerminated.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    // A deleted pod whose containers all stopped ends in a terminal phase whatever its policy.
    if (options.terminating) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function terminatedJson(t: TerminatedState): Json {
  const out: Json = { exitCode: t.exitCode, reason: t.reason };
  if (t.signal !== undefined) out.signal = t.signal;
  if (t.message) out.message = t.message;
  out.startedAt = t.startedAt ?? null;
  out.finishedAt = t.finishedAt ?? null;
  if (t.containerID) out.containerID = RUNTIME_PREFIX + t.containerID;
  return out;
}

export function containerStatusJson(c: ContainerView): Json {
  let state: Json;
  if (c.state.kind === 'waiting') state = { waiting: c.state.message ? { reason: c.state.reason, message: c.state.message } : { reason: c.state.reason } };
  else if (c.state.kind === 'running') state = { running: { startedAt: c.state.startedAt } };
  else state = { terminated: terminatedJson(c.state.terminated) };
  const out: Json = {
    name: c.name,
    state,
    lastState: c.lastTerminated ? { terminated: terminatedJson(c.lastTerminated) } : {},
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID ?? '',
    started: c.started,
  };
  if (c.containerID) out.containerID = RUNTIME_PREFIX + c.containerID;
  return out;
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

function unreadyMessage(names: string[]): string {
  return `containers with unready status: [${names.join(' ')}]`;
}

/** What keeps the pod's readiness gates (conditions others set in its status) from passing, as the kubelet words it. */
function readinessGateMessages(pod: Json): string[] {
  const gates = ((pod.spec as Json | undefined)?.readinessGates as Json[] | undefined) ?? [];
  const conditions = (((pod.status as Json | undefined)?.conditions as Json[] | undefined) ?? []);
  const messages: string[] = [];
  for (const gate of gates) {
    const type = String(gate.conditionType);
    const condition = conditions.find((c) => c.type === type);
    if (!condition) messages.push(`corresponding condition of pod readiness gate ${JSON.stringify(type)} does not exist.`);
    else if (condition.status !== 'True') messages.push(`the status of pod readiness gate ${JSON.stringify(type)} is not "True", but ${String(condition.status)}`);
  }
  return messages;
}

export function podConditions(pod: Json, view: PodView, phase: PodPhase): Condition[] {
  const incompleteInit = incompleteInitContainers(pod, view);
  const specs = ((pod.spec as Json | undefined)?.containers as Json[] | undefined) ?? [];
  // Sidecars (restartable init containers) count towards readiness like app containers.
  const sidecars = (((pod.spec as Json | undefined)?.initContainers as Json[] | undefined) ?? []).filter(isSidecar).map((s) => String(s.name));
  const unready = [
    ...sidecars.filter((name) => !view.initContainers.find((c) => c.name === name)?.ready),
    ...specs.map((s) => String(s.name)).filter((name) => !view.containers.find((c) => c.name === name)?.ready),
  ];
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const initialized: Condition = incompleteInit.length === 0
    ? { type: 'Initialized', status: 'True' }
    : { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incompleteInit.join(' ')}]` };
  let ready: Condition;
  let containersReady: Condition;
  if (terminal) {
    ready = { type: 'Ready', status: 'False', reason: 'PodCompleted' };
    containersReady = { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  } else if (incompleteInit.length > 0) {
    const message = `containers with incomplete status: [${incompleteInit.join(' ')}]`;
    ready = { type: 'Ready', status: 'False', reason: 'ContainersNotInitialized', message };
    containersReady = { type: 'ContainersReady', status: 'False', reason: 'ContainersNotInitialized', message };
  } else if (unready.length > 0) {
    ready = { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: unreadyMessage(unready) };
    containersReady = { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: unreadyMessage(unready) };
  } else {
    containersReady = { type: 'ContainersReady', status: 'True' };
    const gates = readinessGateMessages(pod);
    ready = gates.length === 0 ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gates.join(', ') };
  }
  const sandbox: Condition = { type: 'PodReadyToStartContainers', status: view.sandboxReady && !terminal ? 'True' : 'False' };
  return [sandbox, initialized, ready, containersReady];
}

/**
 * The full status to write: conditions keep their lastTransitionTime while their status stays the
 * same; PodScheduled, qosClass and other fields set by others are kept.
 */
export function computePodStatus(pod: Json, view: PodView, now: string, options: { terminating?: boolean } = {}): Json {
  const old = (pod.status ?? {}) as Json;
  const phase = podPhase(pod, view, options);
  const oldConditions = Array.isArray(old.conditions) ? (old.conditions as Json[]) : [];
  const ours = podConditions(pod, view, phase);
  const ourTypes = new Set(ours.map((c) => c.type));
  const conditions: Json[] = ours.map((c) => {
    const before = oldConditions.find((o) => o.type === c.type);
    const lastTransitionTime = before && before.status === c.status && typeof before.lastTransitionTime === 'string' ? before.lastTransitionTime : now;
    const out: Json = { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime };
    if (c.reason) out.reason = c.reason;
    if (c.message) out.message = c.message;
    return out;
  });
  for (const other of oldConditions) if (!ourTypes.has(String(other.type))) conditions.push(other);

  const status: Json = { ...old, phase, conditions, hostIP: view.hostIp, hostIPs: [{ ip: view.hostIp }] };
  if (view.failure) {
    status.reason = view.failure.reason;
    status.message = view.failure.message;
  }
  if (view.podIp) {
    status.podIP = view.podIp;
    status.podIPs = [{ ip: view.podIp }];
  }
  if (view.startTime) status.startTime = old.startTime ?? view.startTime;
  const initSpecs = ((pod.spec as Json | undefined)?.initContainers as Json[] | undefined) ?? [];
  if (initSpecs.length > 0) {
    status.initContainerStatuses = initSpecs.map((spec) => containerStatusJson(view.initContainers.find((c) => c.name === spec.name) ?? pendingView(spec, 'PodInitializing')));
  }
  const specs = ((pod.spec as Json | undefined)?.containers as Json[] | undefined) ?? [];
  const waitingReason = incompleteInitContainers(pod, view).length > 0 ? 'PodInitializing' : 'ContainerCreating';
  status.containerStatuses = specs.map((spec) => containerStatusJson(view.containers.find((c) => c.name === spec.name) ?? pendingView(spec, waitingReason)));
  const ephemeralSpecs = ((pod.spec as Json | undefined)?.ephemeralContainers as Json[] | undefined) ?? [];
  if (ephemeralSpecs.length > 0) {
    status.ephemeralContainerStatuses = ephemeralSpecs.map((spec) => containerStatusJson(view.ephemeralContainers?.find((c) => c.name === spec.name) ?? pendingView(spec, 'ContainerCreating')));
  }
  return status;
}

function pendingView(spec: Json, reason: string): ContainerView {
  return { name: String(spec.name), image: String(spec.image ?? ''), restartCount: 0, state: { kind: 'waiting', reason }, ready: false, started: false };
}

/** Status comparison that ignores key order. */
export function sameStatus(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Json).filter(([, v]) => v !== undefined).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The terminated reason the kubelet reports. */
export function terminatedReason(exitCode: number, oomKilled: boolean): string {
  if (oomKilled) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}

/** Milliseconds until spec.activeDeadlineSeconds is over (counted from the pod's start here); undefined without one. */
export function activeDeadlineLeftMs(spec: Json, startTime: string | undefined, nowMs: number): number | undefined {
  const seconds = spec.activeDeadlineSeconds;
  if (typeof seconds !== 'number' || !startTime) return undefined;
  return Date.parse(startTime) + seconds * 1000 - nowMs;
}
