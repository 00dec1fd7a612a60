// An in-memory Store with full history (reads and watches at past revisions) and compaction.
// Meant for fast unit tests of the API server; it follows the same contract as the SQLite backend.

import {
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type Watch,
  type WatchOptions,
} from '../store.js';
import { compactedError, futureCompactionError, keyExistsError, keyNotFoundError, resolveReadRevision, revisionConflictError, storeClosedError } from '../revisions.js';
import { WatchFanout, type EventHistory } from '../watch-fanout.js';

export interface MemoryStoreOptions {
  /** Per-watcher queue bound before the watcher is dropped with WatcherTooSlow. */
  watchBufferLimit?: number;
}

/** One state of a key; a tombstone marks a delete. */
interface Version {
  kv: KeyValue;
  deleted: boolean;
}

export class MemoryStore implements Store {
  /** Every key that has a version (current or historical), sorted, for prefix ranges. */
  private readonly sortedKeys: string[] = [];
  private readonly versions = new Map<string, Version[]>();
  /** Events with revision > compactRev, ascending. */
  private log: StoreEvent[] = [];
  private revision = 0;
  private compactRev = 0;
  private closed = false;
  private readonly fanout: WatchFanout;

  constructor(options: MemoryStoreOptions = {}) {
    const history: EventHistory = {
      currentRevision: () => this.revision,
      readEvents: (prefix, after, upTo, limit) => this.readEvents(prefix, after, upTo, limit),
    };
    this.fanout = new WatchFanout(history, { bufferLimit: options.watchBufferLimit });
  }

  async get(key: string, options: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.checkOpen();
    const revision = resolveReadRevision(options.revision, this.revision, this.compactRev);
    return this.valueAt(key, revision);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = resolveReadRevision(options.revision, this.revision, this.compactRev);
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const from = options.startAfter !== undefined && options.startAfter >= prefix ? options.startAfter : undefined;
    let index = from === undefined ? lowerBound(this.sortedKeys, prefix) : upperBound(this.sortedKeys, from);
    const items: KeyValue[] = [];
    let remaining = 0;
    for (; index < this.sortedKeys.length; index++) {
      const key = this.sortedKeys[index];
      if (!key.startsWith(prefix)) break;
      const kv = this.valueAt(key, revision);
      if (!kv) continue;
      if (items.length < limit) items.push(kv);
      else remaining++;
    }
    const result: ListResult = { items, revision };
    if (remaining > 0) {
      result.continueKey = items[items.length - 1].key;
      result.remaining = remaining;
    }
    return result;
  }

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    this.checkOpen();
    const latest = this.latest(key);
    if (latest && !latest.deleted) throw keyExistsError(key, latest.kv);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value: value.slice(), createRevision: revision, modRevision: revision };
    this.commit({ type: 'create', kv, revision }, false);
    return kv;
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const latest = this.latest(key);
    if (!latest || latest.deleted) throw keyNotFoundError(key);
    if (latest.kv.modRevision !== expectedRevision) throw revisionConflictError(key, expectedRevision, latest.kv);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value: value.slice(), createRevision: latest.kv.createRevision, modRevision: revision };
    this.commit({ type: 'update', kv, prev: latest.kv, revision }, false);
    return kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const latest = this.latest(key);
    if (!latest || latest.deleted) throw keyNotFoundError(key);
    if (expectedRevision !== undefined && latest.kv.modRevision !== expectedRevision) throw revisionConflictError(key, expectedRevision, latest.kv);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value: latest.kv.value, createRevision: latest.kv.createRevision, modRevision: revision };
    this.commit({ type: 'delete', kv, prev: latest.kv, revision }, true);
    return latest.kv;
  }

  watch(prefix: string, options: WatchOptions = {}): Watch {
    if (this.closed) {
      const watch = this.fanout.open(prefix, { ...options, signal: AbortSignal.abort() });
      return watch;
    }
    return this.fanout.open(prefix, options);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compactRev + 1;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.revision) throw futureCompactionError(revision, this.revision);
    if (revision <= this.compactRev) return;
    this.compactRev = revision;
    // Keep, per key, the newest version at or below the compaction point unless it is a tombstone.
    for (let index = 0; index < this.sortedKeys.length; ) {
      const key = this.sortedKeys[index];
      const history = this.versions.get(key)!;
      let newestOld = -1;
      while (newestOld + 1 < history.length && history[newestOld + 1].kv.modRevision <= revision) newestOld++;
      let dropCount = Math.max(newestOld, 0);
      if (newestOld >= 0 && history[newestOld].deleted) dropCount = newestOld + 1;
      if (dropCount > 0) history.splice(0, dropCount);
      if (history.length === 0) {
        this.versions.delete(key);
        this.sortedKeys.splice(index, 1);
      } else {
        index++;
      }
    }
    this.log = this.log.slice(upperBoundByRevision(this.log, revision));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fanout.closeAll();
  }

  private commit(event: StoreEvent, deleted: boolean): void {
    const key = event.kv.key;
    let history = this.versions.get(key);
    if (!history) {
      history = [];
      this.versions.set(key, history);
      this.sortedKeys.splice(lowerBound(this.sortedKeys, key), 0, key);
    }
    history.push({ kv: event.kv, deleted });
    this.revision = event.revision;
    this.log.push(event);
    this.fanout.publish(event);
  }

  private latest(key: string): Version | undefined {
    const history = this.versions.get(key);
    return history ? history[history.length - 1] : undefined;
  }

  private valueAt(key: string, revision: number): KeyValue | undefined {
    const history = this.versions.get(key);
    if (!history) return undefined;
    for (let index = history.length - 1; index >= 0; index--) {
      const version = history[index];
      if (version.kv.modRevision <= revision) return version.deleted ? undefined : version.kv;
    }
    return undefined;
  }

  private readEvents(prefix: string, afterRevision: number, upToRevision: number, limit: number): StoreEvent[] {
    if (afterRevision < this.compactRev) throw compactedError(afterRevision, this.compactRev);
    const events: StoreEvent[] = [];
    for (let index = upperBoundByRevision(this.log, afterRevision); index < this.log.length; index++) {
      const event = this.log[index];
      if (event.revision > upToRevision || events.length >= limit) break;
      if (event.kv.key.startsWith(prefix)) events.push(event);
    }
    return events;
  }

  private checkOpen(): void {
    if (this.closed) throw storeClosedError();
  }
}

/** First index whose key is >= target. */
function lowerBound(sorted: string[], target: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < target) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index whose key is > target. */
function upperBound(sorted: string[], target: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] <= target) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index whose event revision is > revision. */
function upperBoundByRevision(events: StoreEvent[], revision: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (events[mid].revision <= revision) low = mid + 1;
    else high = mid;
  }
  return low;
}
