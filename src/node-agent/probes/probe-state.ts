// Pure probe bookkeeping, as the kubelet's prober worker does it: defaults, initial delay,
// success/failure thresholds, and the hold after a liveness/startup failure.

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeOutcome = 'unknown' | 'success' | 'failure';

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

function positiveOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The probe's settings with Kubernetes' defaults (period 10s, timeout 1s, thresholds 1 and 3). */
export function probeTiming(probe: Record<string, unknown>): ProbeTiming {
  const initialDelay = typeof probe.initialDelaySeconds === 'number' && probe.initialDelaySeconds > 0 ? probe.initialDelaySeconds : 0;
  return {
    initialDelayMs: initialDelay * 1000,
    periodMs: positiveOr(probe.periodSeconds, 10) * 1000,
    timeoutMs: positiveOr(probe.timeoutSeconds, 1) * 1000,
    successThreshold: positiveOr(probe.successThreshold, 1),
    failureThreshold: positiveOr(probe.failureThreshold, 3),
  };
}

export interface ProbeState {
  /** What the worker currently reports. */
  outcome: ProbeOutcome;
  /** The last raw result and how many times in a row it came. */
  last?: boolean;
  streak: number;
  /** After a liveness/startup failure: no more probes until the container restarts. */
  onHold: boolean;
  /** A startup probe that succeeded is finished. */
  done: boolean;
}

/** Liveness starts healthy, readiness not ready, startup unknown (not started). */
export function initialProbeState(kind: ProbeKind): ProbeState {
  const outcome: ProbeOutcome = kind === 'liveness' ? 'success' : kind === 'readiness' ? 'failure' : 'unknown';
  return { outcome, streak: 0, onHold: false, done: false };
}

export function isHealthy(state: ProbeState): boolean {
  return state.outcome === 'success';
}

/** Whether to run the probe now, given when the container started. */
export function shouldProbe(state: ProbeState, timing: ProbeTiming, startedAt: number, now: number): boolean {
  if (state.onHold || state.done) return false;
  return now - startedAt >= timing.initialDelayMs;
}

/** Milliseconds until the first probe may run. */
export function firstProbeDelay(timing: ProbeTiming, startedAt: number, now: number): number {
  return Math.max(0, startedAt + timing.initialDelayMs - now);
}

/** Folds one raw result in. `changed` says whether the reported outcome moved. */
export function applyProbeResult(kind: ProbeKind, timing: ProbeTiming, state: ProbeState, ok: boolean): { state: ProbeState; changed: boolean } {
  const streak = state.last === ok ? state.streak + 1 : 1;
  const next: ProbeState = { ...state, last: ok, streak };
  const threshold = ok ? timing.successThreshold : timing.failureThreshold;
  if (streak < threshold) return { state: next, changed: false };
  const outcome: ProbeOutcome = ok ? 'success' : 'failure';
  const changed = outcome !== state.outcome;
  next.outcome = outcome;
  if (!ok && kind !== 'readiness') {
    // The container is about to be killed; its next incarnation starts counting afresh.
    next.onHold = true;
    next.streak = 0;
    next.last = undefined;
  }
  if (ok && kind === 'startup') next.done = true;
  return { state: next, changed };
}
