// In-process watch fan-out shared by the store backends. The store is the only writer, so after
// each committed write it calls publish() and every watcher whose prefix matches gets the event
// pushed onto its own bounded queue; a waiting iterator is resolved directly (no polling, no timers).
//
// A watch that starts from an old revision first replays history from the backend's log, page by
// page, up to the revision that was current when the watch opened ("replayUpTo"). Live events
// published meanwhile are queued (they all have revision > replayUpTo) and delivered after the
// replay; anything at or below the last delivered revision is dropped, so there is no gap and no
// duplicate across the hand-off.

import { StoreError, type StoreEvent, type Watch, type WatchOptions } from './store.js';

/** What a backend offers the fan-out: its revision and a way to read its event log. */
export interface EventHistory {
  currentRevision(): number;
  /**
   * Events with afterRevision < revision <= upToRevision whose key starts with prefix, in revision
   * order, at most `limit` of them. Throws StoreError Compacted if afterRevision is no longer covered.
   */
  readEvents(prefix: string, afterRevision: number, upToRevision: number, limit: number): StoreEvent[] | Promise<StoreEvent[]>;
}

export const DEFAULT_WATCH_BUFFER_LIMIT = 10_000;
const DEFAULT_REPLAY_PAGE_SIZE = 512;

export class WatchFanout {
  /** Watchers grouped by prefix: one startsWith per distinct prefix per event. */
  private readonly byPrefix = new Map<string, Set<FanoutWatcher>>();
  private readonly history: EventHistory;
  private readonly bufferLimit: number;
  private readonly replayPageSize: number;

  constructor(history: EventHistory, options: { bufferLimit?: number; replayPageSize?: number } = {}) {
    this.history = history;
    this.bufferLimit = options.bufferLimit ?? DEFAULT_WATCH_BUFFER_LIMIT;
    this.replayPageSize = options.replayPageSize ?? DEFAULT_REPLAY_PAGE_SIZE;
  }

  /** Must be called synchronously with respect to publish(): the current revision read here is the hand-off point. */
  open(prefix: string, options: WatchOptions = {}): Watch {
    const current = this.history.currentRevision();
    const watcher = new FanoutWatcher({
      prefix,
      fanout: this,
      history: this.history,
      bufferLimit: this.bufferLimit,
      replayPageSize: this.replayPageSize,
      afterRevision: options.afterRevision ?? current,
      replayUpTo: current,
    });
    if (options.afterRevision !== undefined && options.afterRevision > current) {
      watcher.fail(new StoreError('FutureRevision', `watch revision ${options.afterRevision} is newer than the current revision ${current}`));
      return watcher;
    }
    if (options.signal?.aborted) {
      watcher.close();
      return watcher;
    }
    let group = this.byPrefix.get(prefix);
    if (!group) {
      group = new Set();
      this.byPrefix.set(prefix, group);
    }
    group.add(watcher);
    watcher.attachSignal(options.signal);
    return watcher;
  }

  /** Deliver one committed event to every matching watcher. Call in revision order. */
  publish(event: StoreEvent): void {
    const key = event.kv.key;
    for (const [prefix, group] of this.byPrefix) {
      if (!key.startsWith(prefix)) continue;
      for (const watcher of group) watcher.push(event);
    }
  }

  /** Ends every watch cleanly (store close). */
  closeAll(): void {
    for (const group of [...this.byPrefix.values()]) {
      for (const watcher of [...group]) watcher.close();
    }
    this.byPrefix.clear();
  }

  get watcherCount(): number {
    let count = 0;
    for (const group of this.byPrefix.values()) count += group.size;
    return count;
  }

  /** @internal */
  detach(watcher: FanoutWatcher, prefix: string): void {
    const group = this.byPrefix.get(prefix);
    if (!group) return;
    group.delete(watcher);
    if (group.size === 0) this.byPrefix.delete(prefix);
  }
}

interface WatcherInit {
  prefix: string;
  fanout: WatchFanout;
  history: EventHistory;
  bufferLimit: number;
  replayPageSize: number;
  afterRevision: number;
  replayUpTo: number;
}

type Waiter = { resolve: (result: IteratorResult<StoreEvent>) => void; reject: (err: unknown) => void };

class FanoutWatcher implements Watch, AsyncIterator<StoreEvent> {
  private readonly init: WatcherInit;
  /** Highest revision handed to the consumer (or skipped as already covered). */
  private delivered: number;
  private replayDone: boolean;
  private replayPage: StoreEvent[] = [];
  private replayIndex = 0;
  private lastPageShort = false;
  /** Live queue: an array with a moving head, trimmed now and then, so pushes and shifts are O(1). */
  private queue: StoreEvent[] = [];
  private head = 0;
  private waiter: Waiter | undefined;
  private error: unknown;
  private closed = false;
  private detachSignal: (() => void) | undefined;

  constructor(init: WatcherInit) {
    this.init = init;
    this.delivered = init.afterRevision;
    this.replayDone = init.afterRevision >= init.replayUpTo;
  }

  [Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    return this;
  }

  attachSignal(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = (): void => this.close();
    signal.addEventListener('abort', onAbort, { once: true });
    this.detachSignal = () => signal.removeEventListener('abort', onAbort);
  }

  push(event: StoreEvent): void {
    if (this.closed || this.error !== undefined) return;
    if (event.revision <= this.init.replayUpTo) return; // covered by the replay
    if (this.replayDone && this.waiter && this.head === this.queue.length) {
      const waiter = this.waiter;
      this.waiter = undefined;
      this.delivered = event.revision;
      waiter.resolve({ value: event, done: false });
      return;
    }
    if (this.queue.length - this.head >= this.init.bufferLimit) {
      this.fail(new StoreError('WatcherTooSlow', `watcher on "${this.init.prefix}" fell more than ${this.init.bufferLimit} events behind`));
      return;
    }
    this.queue.push(event);
  }

  async next(): Promise<IteratorResult<StoreEvent>> {
    if (this.error !== undefined) {
      const err = this.error;
      this.closed = true;
      throw err;
    }
    if (this.closed) return { value: undefined, done: true };
    if (!this.replayDone) {
      const replayed = await this.nextReplayed();
      if (replayed) return { value: replayed, done: false };
      if (this.error !== undefined) return this.next();
      if (this.closed) return { value: undefined, done: true };
    }
    while (this.head < this.queue.length) {
      const event = this.queue[this.head++];
      this.trimQueue();
      if (event.revision <= this.delivered) continue;
      this.delivered = event.revision;
      return { value: event, done: false };
    }
    return new Promise<IteratorResult<StoreEvent>>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  progress(): number | undefined {
    if (this.closed || this.error !== undefined || !this.replayDone || this.head < this.queue.length) return undefined;
    // Publishing is synchronous with the store's revision advancing, so with nothing queued every
    // event of this prefix up to the current revision has been handed out.
    return Math.max(this.delivered, this.init.history.currentRevision());
  }

  async return(): Promise<IteratorResult<StoreEvent>> {
    this.close();
    return { value: undefined, done: true };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  }

  fail(err: unknown): void {
    if (this.closed || this.error !== undefined) return;
    this.error = err;
    this.release();
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.closed = true;
      waiter.reject(err);
    }
  }

  private release(): void {
    this.queue = [];
    this.head = 0;
    this.replayPage = [];
    this.init.fanout.detach(this, this.init.prefix);
    this.detachSignal?.();
    this.detachSignal = undefined;
  }

  private trimQueue(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** The next history event, reading another page from the log when needed; undefined when the replay is over. */
  private async nextReplayed(): Promise<StoreEvent | undefined> {
    for (;;) {
      if (this.replayIndex < this.replayPage.length) {
        const event = this.replayPage[this.replayIndex++];
        this.delivered = event.revision;
        return event;
      }
      if (this.lastPageShort) {
        this.finishReplay();
        return undefined;
      }
      let page: StoreEvent[];
      try {
        page = await this.init.history.readEvents(this.init.prefix, this.delivered, this.init.replayUpTo, this.init.replayPageSize);
      } catch (err) {
        this.fail(err);
        return undefined;
      }
      if (this.closed) return undefined;
      this.replayPage = page;
      this.replayIndex = 0;
      // A short page is the last one; pages are read after the last delivered revision, so none overlap.
      this.lastPageShort = page.length < this.init.replayPageSize;
    }
  }

  private finishReplay(): void {
    this.replayDone = true;
    this.replayPage = [];
    this.replayIndex = 0;
  }
}
