// Runs one probe of one container periodically and reports changes of its outcome.

import type { ProbeResult } from './handlers.js';
import { applyProbeResult, firstProbeDelay, initialProbeState, isHealthy, probeTiming, shouldProbe, type ProbeKind, type ProbeState, type ProbeTiming } from './probe-state.js';

export type Scheduler = (callback: () => void, delayMs: number) => () => void;

/** setTimeout that does not keep the process alive. */
const realScheduler: Scheduler = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Record<string, unknown>;
  run: () => Promise<ProbeResult>;
  onChange: (healthy: boolean, result: ProbeResult) => void;
  now?: () => number;
  /** When the container started (ms); initialDelaySeconds counts from here. Defaults to start(). */
  startedAt?: number;
  /** Liveness/readiness: probe only while this returns true (the startup probe has succeeded). */
  gate?: () => boolean;
  /** Timer injection for tests. */
  schedule?: Scheduler;
}

export class ProbeWorker {
  private state: ProbeState;
  private readonly timing: ProbeTiming;
  private readonly now: () => number;
  private readonly schedule: Scheduler;
  private startedAt: number | undefined;
  private cancelTimer: (() => void) | undefined;
  private running = false;
  private stopped = true;
  private generation = 0;

  constructor(private readonly options: ProbeWorkerOptions) {
    this.timing = probeTiming(options.probe);
    this.state = initialProbeState(options.kind);
    this.now = options.now ?? Date.now;
    this.schedule = options.schedule ?? realScheduler;
    this.startedAt = options.startedAt;
  }

  get healthy(): boolean {
    return isHealthy(this.state);
  }

  /** True after a liveness/startup failure was reported; cleared by restart(). */
  get onHold(): boolean {
    return this.state.onHold;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const now = this.now();
    this.startedAt ??= now;
    this.arm(firstProbeDelay(this.timing, this.startedAt, now));
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** The container was restarted: initial state again, initial delay counted from `startedAt`. */
  restart(startedAt: number = this.now()): void {
    this.stop();
    this.state = initialProbeState(this.options.kind);
    this.startedAt = startedAt;
    this.start();
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.cancelTimer?.();
    this.cancelTimer = this.schedule(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.cancelTimer = undefined;
    if (this.stopped || this.running) return;
    if (this.state.done || this.state.onHold) return; // nothing more to do until restart()
    const gated = this.options.gate && !this.options.gate();
    if (gated || !shouldProbe(this.state, this.timing, this.startedAt ?? 0, this.now())) {
      this.arm(this.timing.periodMs);
      return;
    }
    const generation = this.generation;
    this.running = true;
    let result: ProbeResult;
    try {
      result = await this.options.run();
    } catch (err) {
      result = { ok: false, output: `probe errored: ${(err as Error).message}` };
    } finally {
      this.running = false;
    }
    if (this.stopped || generation !== this.generation) return;
    const { state, changed } = applyProbeResult(this.options.kind, this.timing, this.state, result.ok);
    this.state = state;
    if (changed) this.options.onChange(isHealthy(state), result);
    if (!state.done && !state.onHold) this.arm(this.timing.periodMs);
  }
}
