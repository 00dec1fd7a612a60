// Controller expectations, as in client-go's controller utilities: before creating or deleting
// children a controller records how many add/delete events it expects to see; until the informer has
// delivered them (or 5 minutes pass), its cache is stale and it must not act on the counts again.

export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  recordedAt: number;
}

export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = EXPECTATIONS_TTL_MS,
  ) {}

  /** Replaces the expectations of `key` (like SetExpectations). */
  setExpectations(key: string, add: number, del: number): void {
    this.byKey.set(key, { add, del, recordedAt: this.now() });
  }

  expectCreations(key: string, count: number): void {
    this.setExpectations(key, count, 0);
  }

  expectDeletions(key: string, count: number): void {
    this.setExpectations(key, 0, count);
  }

  /** Adds to existing expectations (creating them if absent). */
  raiseExpectations(key: string, add: number, del: number): void {
    const current = this.byKey.get(key);
    if (!current) this.setExpectations(key, add, del);
    else {
      current.add += add;
      current.del += del;
    }
  }

  /** Lowers expectations, e.g. when a create request failed and its event will never come. */
  lowerExpectations(key: string, add: number, del: number): void {
    const current = this.byKey.get(key);
    if (!current) return;
    current.add -= add;
    current.del -= del;
  }

  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lowerExpectations(key, 0, 1);
  }

  /** True when nothing is outstanding for `key`, nothing was recorded, or the record expired. */
  satisfied(key: string): boolean {
    const current = this.byKey.get(key);
    if (!current) return true;
    if (current.add <= 0 && current.del <= 0) return true;
    return this.now() - current.recordedAt > this.ttlMs;
  }

  /** The outstanding counts, for logging and tests. */
  get(key: string): { add: number; del: number } | undefined {
    const current = this.byKey.get(key);
    return current ? { add: current.add, del: current.del } : undefined;
  }

  /** Forgets `key` (its owner was deleted). */
  deleteExpectations(key: string): void {
    this.byKey.delete(key);
  }
}
