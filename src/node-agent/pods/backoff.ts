// Restart back-off for crashing containers and failing image pulls (pure). As in the kubelet: the
// first retry is immediate, then the delay starts at `baseMs` and doubles up to `capMs`; a
// container that ran for `resetAfterMs` before exiting starts over.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  resetAfterMs: number;
}

export const DEFAULT_CRASH_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 300_000, resetAfterMs: 600_000 };

export interface BackoffState {
  /** Delay applied before the next retry (0 = retry at once). */
  delayMs: number;
  /** Earliest time (ms) of the next retry. */
  notBeforeMs: number;
}

export const NO_BACKOFF: BackoffState = { delayMs: 0, notBeforeMs: 0 };

/** After a failure at `failedAtMs` (having run `ranForMs`): when may we retry, and the next delay. */
export function afterFailure(state: BackoffState, policy: BackoffPolicy, failedAtMs: number, ranForMs = 0): BackoffState {
  const previous = ranForMs >= policy.resetAfterMs ? 0 : state.delayMs;
  return { delayMs: previous, notBeforeMs: failedAtMs + previous };
}

/** Called when a retry actually happens: the delay for the failure after it. */
export function afterRetry(state: BackoffState, policy: BackoffPolicy): BackoffState {
  const next = state.delayMs === 0 ? policy.baseMs : Math.min(state.delayMs * 2, policy.capMs);
  return { delayMs: next, notBeforeMs: state.notBeforeMs };
}

/** "10s", "1m20s", "5m0s" (Go's Duration.String for whole seconds). */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total}s`;
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return minutes < 60 ? `${minutes}m${seconds}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m${seconds}s`;
}
