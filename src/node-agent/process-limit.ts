// A small counting semaphore, and the one shared limit on short-lived helper processes the agent
// spawns (crun state/kill/delete, conmon launches, ip/nft, mount/umount). Without it a burst of pod
// syncs can fork thousands of children at once and starve the event loop that reaps them.

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`semaphore size must be a positive integer, got ${max}`);
  }

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter (active stays the same).
    if (next) next();
    else this.active--;
  }
}

/** Helper processes in flight at most at once, across the whole agent. */
export const MAX_HELPER_PROCESSES = 8;
export const helperProcesses = new Semaphore(MAX_HELPER_PROCESSES);

/** Counts helper processes started (tests and benchmarks read it to prove the agent is quiet). */
export const helperProcessStats = { started: 0 };

/** Runs `work` (which spawns one short-lived process) under the shared limit. */
export function limitedSpawn<T>(work: () => Promise<T>): Promise<T> {
  return helperProcesses.run(() => {
    helperProcessStats.started++;
    return work();
  });
}
