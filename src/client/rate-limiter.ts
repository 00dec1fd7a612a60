// Per-item exponential backoff, like client-go's default controller rate limiter: 5 ms doubling to
// a 1000 s ceiling, reset by forget(). Pure: it only computes delays.

export interface RateLimiter<K> {
  /** The delay before `key` may be retried; each call counts one more failure. */
  when(key: K): number;
  forget(key: K): void;
  numRequeues(key: K): number;
}

export class ItemExponentialBackoff<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(key: K): number {
    const count = this.failures.get(key) ?? 0;
    this.failures.set(key, count + 1);
    // 2^count overflows to Infinity long after maxMs is reached, which Math.min handles.
    return Math.min(this.baseMs * 2 ** count, this.maxMs);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}
