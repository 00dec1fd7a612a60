// A small counting semaphore with two lanes, and the one shared limit on short-lived helper
// processes the agent spawns (crun state/kill/delete, conmon launches, ip/nft, mount/umount).
// Without it a burst of pod syncs can fork thousands of children at once and starve the event loop
// that reaps them. Removing containers (`crun delete`) runs in the background lane: it gets at most
// a few of the slots and only those no pod start is waiting for, so deleting 100 pods does not put
// every new pod's helpers behind hundreds of queued removals.
//
// The lane is an argument, not an AsyncLocalStorage context: in Node 20 one use of
// AsyncLocalStorage installs promise hooks for the whole thread (awaits in a micro-benchmark got
// three times as expensive after it).

export type Lane = 'foreground' | 'background';

export class Semaphore {
  private active = 0;
  private backgroundActive = 0;
  private readonly waiting: { foreground: (() => void)[]; background: (() => void)[] } = { foreground: [], background: [] };
  readonly backgroundMax: number;

  /** `backgroundMax`: slots background work may hold at once (default: all). */
  constructor(readonly max: number, backgroundMax = max) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`semaphore size must be a positive integer, got ${max}`);
    if (!Number.isInteger(backgroundMax) || backgroundMax < 1 || backgroundMax > max) throw new Error(`background share must be an integer in 1..${max}, got ${backgroundMax}`);
    this.backgroundMax = backgroundMax;
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.foreground.length + this.waiting.background.length;
  }

  async run<T>(work: () => Promise<T>, lane: Lane = 'foreground'): Promise<T> {
    await this.acquire(lane);
    try {
      return await work();
    } finally {
      this.release(lane);
    }
  }

  private canStartBackground(): boolean {
    return this.active < this.max && this.backgroundActive < this.backgroundMax && this.waiting.foreground.length === 0;
  }

  private acquire(lane: Lane): Promise<void> {
    if (lane === 'foreground' ? this.active < this.max : this.canStartBackground()) {
      this.active++;
      if (lane === 'background') this.backgroundActive++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting[lane].push(resolve));
  }

  private release(lane: Lane): void {
    this.active--;
    if (lane === 'background') this.backgroundActive--;
    // Foreground waiters first; background ones only within their share.
    const next = this.waiting.foreground.shift();
    if (next) {
      this.active++;
      next();
      return;
    }
    if (this.waiting.background.length > 0 && this.canStartBackground()) {
      this.active++;
      this.backgroundActive++;
      this.waiting.background.shift()!();
    }
  }
}

/** Helper processes in flight at most at once, across the whole agent. */
export const MAX_HELPER_PROCESSES = 8;
/** Of those, at most this many for background work (teardown of pods that are gone). */
export const MAX_BACKGROUND_HELPER_PROCESSES = 2;
export const helperProcesses = new Semaphore(MAX_HELPER_PROCESSES, MAX_BACKGROUND_HELPER_PROCESSES);

/** Counts helper processes started (tests and benchmarks read it to prove the agent is quiet). */
export const helperProcessStats = { started: 0 };

/** Runs `work` (which spawns one short-lived process) under the shared limit, in `lane`. */
export function limitedSpawn<T>(work: () => Promise<T>, lane: Lane = 'foreground'): Promise<T> {
  return helperProcesses.run(() => {
    helperProcessStats.started++;
    return work();
  }, lane);
}
