// When each pod is synced: event-driven triggers (coalesced per pod while a sync is queued or
// running), requeues the syncer asks for (back-off expiry, floored so nothing spins), and one
// periodic resync per pod. At most `maxConcurrent` syncs run at once; pods being torn down may
// bypass the cap so deletions are not stuck behind starts (they spend their time waiting anyway).

export interface SchedulerTimers {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: SchedulerTimers = {
  now: () => Date.now(),
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SyncSchedulerOptions {
  /** One sync of the pod; resolves with "sync again after ms" or undefined. */
  sync: (uid: string) => Promise<number | undefined>;
  /** Whether the pod still exists here (else no periodic resync and its state is dropped). */
  keep: (uid: string) => boolean;
  /** Syncs that do not count against the cap (pods being deleted). */
  bypassesCap?: (uid: string) => boolean;
  onError?: (uid: string, err: unknown) => void;
  maxConcurrent?: number;
  resyncMs?: number;
  minRequeueMs?: number;
  /** Requeue after a failed sync. */
  errorRequeueMs?: number;
  timers?: SchedulerTimers;
  /** 0..1, spreads the periodic resyncs of pods created together. */
  random?: () => number;
}

interface PodSyncState {
  running: boolean;
  dirty: boolean;
  queued: boolean;
  timer?: unknown;
  dueAt?: number;
}

/**
 * Pod syncs at once. The kubelet has no such cap (a worker per pod); this one only bounds a burst
 * of hundreds. It is well above the helper-process limit (process-limit.ts), which is what keeps
 * forks in check: with 8, the 9th and 10th of ten pods started together waited for a whole pod
 * start (~100 ms) before their sync began, the main cause of the benchmark's slowest starts.
 */
export const DEFAULT_MAX_CONCURRENT_SYNCS = 16;
export const DEFAULT_RESYNC_MS = 10_000;
export const MIN_REQUEUE_MS = 500;

export class SyncScheduler {
  private readonly states = new Map<string, PodSyncState>();
  private readonly queue: string[] = [];
  private active = 0;
  private stopped = false;
  private readonly timers: SchedulerTimers;
  private readonly max: number;
  private readonly resyncMs: number;
  private readonly minRequeueMs: number;
  private readonly errorRequeueMs: number;
  private readonly random: () => number;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SyncSchedulerOptions) {
    this.timers = options.timers ?? realTimers;
    this.max = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_SYNCS;
    this.resyncMs = options.resyncMs ?? DEFAULT_RESYNC_MS;
    this.minRequeueMs = options.minRequeueMs ?? MIN_REQUEUE_MS;
    this.errorRequeueMs = options.errorRequeueMs ?? 2000;
    this.random = options.random ?? Math.random;
  }

  /** Syncs running right now. */
  get running(): number {
    return [...this.states.values()].filter((s) => s.running).length;
  }

  /** Pods with any scheduler state (queued, running or timed). */
  get tracked(): number {
    return this.states.size;
  }

  private state(uid: string): PodSyncState {
    let s = this.states.get(uid);
    if (!s) {
      s = { running: false, dirty: false, queued: false };
      this.states.set(uid, s);
    }
    return s;
  }

  /** Sync the pod now (coalesced), or after `afterMs` (an earlier timer already set wins). */
  trigger(uid: string, afterMs = 0): void {
    if (this.stopped) return;
    const s = this.state(uid);
    if (afterMs > 0) {
      const due = this.timers.now() + afterMs;
      if (s.timer !== undefined && s.dueAt !== undefined && s.dueAt <= due) return;
      if (s.timer !== undefined) this.timers.clear(s.timer);
      s.dueAt = due;
      s.timer = this.timers.set(() => {
        s.timer = undefined;
        s.dueAt = undefined;
        this.trigger(uid);
      }, afterMs);
      return;
    }
    s.dirty = true;
    if (!s.running && !s.queued) {
      s.queued = true;
      this.queue.push(uid);
    }
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length && !this.stopped; ) {
      const uid = this.queue[i]!;
      const bypass = this.options.bypassesCap?.(uid) === true;
      if (!bypass && this.active >= this.max) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      const s = this.state(uid);
      s.queued = false;
      void this.run(uid, s, !bypass);
    }
  }

  private async run(uid: string, s: PodSyncState, counted: boolean): Promise<void> {
    s.running = true;
    s.dirty = false;
    if (counted) this.active++;
    let next: number | undefined;
    try {
      const requeue = await this.options.sync(uid);
      next = requeue !== undefined && requeue >= 0 ? Math.max(this.minRequeueMs, requeue) : undefined;
    } catch (err) {
      this.options.onError?.(uid, err);
      next = this.errorRequeueMs;
    } finally {
      s.running = false;
      if (counted) this.active--;
    }
    const keep = this.options.keep(uid);
    if (!this.stopped && (keep || next !== undefined)) {
      const resync = keep ? Math.round(this.resyncMs * (1 + 0.2 * this.random())) : Number.POSITIVE_INFINITY;
      this.trigger(uid, Math.min(next ?? resync, resync));
    }
    if (s.dirty && !this.stopped) {
      s.queued = true;
      this.queue.push(uid);
    } else if (!keep && s.timer === undefined) {
      this.states.delete(uid);
    }
    this.pump();
    if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** No new syncs start; pending timers are cleared. Resolves once running syncs ended or after `timeoutMs`. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    for (const s of this.states.values()) if (s.timer !== undefined) this.timers.clear(s.timer);
    this.queue.length = 0;
    if (this.running === 0) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
