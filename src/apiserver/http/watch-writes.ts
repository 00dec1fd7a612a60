// How a watch stream's events reach its socket. Events that arrive in one burst leave in one
// write: the stream is corked at the first event and uncorked on the next turn of the event loop.
// A busy stream (its last write carried several events) waits until `intervalMs` after that write,
// so under load it costs one socket write per interval instead of one per turn (socket writes led
// the server's profile under load); a quiet stream, such as one pod being created, scheduled and
// started, gets every event on the next turn, with no delay at any hop.

export interface CorkableStream {
  cork(): void;
  uncork(): void;
  write(chunk: string | Buffer): unknown;
}

export interface WriteTimers {
  now(): number;
  /** Runs fn after ms, or on the next turn of the event loop when ms is 0. */
  later(fn: () => void, ms: number): void;
}

const realTimers: WriteTimers = {
  now: () => performance.now(),
  later: (fn, ms) => (ms > 0 ? setTimeout(fn, ms) : setImmediate(fn)),
};

/** Shortest time between two socket writes of a busy watch stream. */
export const WATCH_FLUSH_INTERVAL_MS = 5;
/** A stream whose last socket write carried at least this many events counts as busy. */
export const WATCH_BUSY_EVENTS = 4;

export class WatchWriter {
  private corked = false;
  private lastFlush = 0;
  private pending = 0;
  private lastBatch = 0;

  constructor(
    private readonly stream: CorkableStream,
    private readonly timers: WriteTimers = realTimers,
  ) {}

  write(line: string | Buffer): void {
    this.pending++;
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      const wait = this.lastBatch >= WATCH_BUSY_EVENTS ? this.lastFlush + WATCH_FLUSH_INTERVAL_MS - this.timers.now() : 0;
      this.timers.later(() => this.flush(), Math.max(0, wait));
    }
    this.stream.write(line);
  }

  private flush(): void {
    this.corked = false;
    this.lastFlush = this.timers.now();
    this.lastBatch = this.pending;
    this.pending = 0;
    this.stream.uncork();
  }
}
