// The SQLite Store: an append-only log (see sqlite-schema.ts) read and written through
// better-sqlite3's synchronous API. This process is the only writer, so the current revision is
// cached in memory and every committed write is fanned out in-process to watchers (no polling).
//
// Group commit: create/update/delete only queue their operation; the queue is applied on the next
// setImmediate (after the I/O callbacks of this event-loop turn), up to MAX_BATCH operations per
// SQLite transaction. Inside the transaction each operation runs its own checks against the rows
// written before it, in arrival order, and takes the next revision only if it succeeds, so every
// operation keeps exactly its single-write meaning. A failed operation wrote nothing (its checks
// failed, or SQLite undid its one INSERT alone), so it fails on its own; an error that breaks the
// transaction itself fails the whole batch with Unavailable. Promises settle and watchers see the
// events only after COMMIT, so an acknowledged write survives kill -9.
//
// Reads see committed state only (this.revision is advanced after COMMIT): a read issued after a
// write's promise resolved always sees that write; a read racing a still-queued write does not.

import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import {
  isStoreError,
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type Watch,
  type WatchOptions,
} from '../store.js';
import { compactedError, futureCompactionError, keyExistsError, keyNotFoundError, prefixUpperBound, resolveReadRevision, revisionConflictError, storeClosedError } from '../revisions.js';
import { FifoCache } from '../fifo-cache.js';
import { WatchFanout } from '../watch-fanout.js';
import { ABOVE_ALL_TEXT, SCHEMA_SQL, prepareLogStatements, type LogRow, type LogStatements } from './sqlite-schema.js';

export interface SqliteStoreOptions {
  /** How often the automatic compaction runs (default 5 minutes; 0 disables it). */
  compactIntervalMs?: number;
  /** How many recent revisions automatic compaction keeps (default 10,000). */
  compactKeepRevisions?: number;
  /** Per-watcher queue bound before the watcher is dropped with WatcherTooSlow (default 10,000). */
  watchBufferLimit?: number;
}

const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60_000;
const DEFAULT_COMPACT_KEEP_REVISIONS = 10_000;
/** Revisions deleted per compaction transaction, so other work gets the event loop in between. */
const COMPACT_BATCH_REVISIONS = 2_000;
const COMPACT_META_KEY = 'compact_revision';
/** Most operations per transaction: bounds how long one flush holds the event loop. */
const MAX_BATCH = 256;

/** What a queued operation produced inside the transaction, published once it committed. */
interface AppliedWrite {
  result: KeyValue;
  event: StoreEvent;
}

interface QueuedWrite {
  /** Checks and appends at `revision` (the next free one); throws StoreError to fail alone. */
  apply: (revision: number) => AppliedWrite;
  resolve: (kv: KeyValue) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; write: AppliedWrite } | { ok: false; error: unknown };

interface BatchResult {
  outcomes: Outcome[];
  /** The revision after the batch (the last one taken, or the log's own if another writer moved it). */
  revision: number;
}

/** Bytes of recently written values the store keeps for reads (see SqliteStore.latest). */
const LATEST_CACHE_BYTES = 16 << 20;

export class SqliteStore implements Store {
  private readonly db: BetterSqlite3.Database;
  private readonly stmt: LogStatements;
  private readonly fanout: WatchFanout;
  private revision: number;
  private compactRev: number;
  private closed = false;
  private compactTimer: NodeJS.Timeout | undefined;
  private compacting: Promise<void> | undefined;
  private readonly queue: QueuedWrite[] = [];
  private flushScheduled = false;
  /** Runs one batch in a BEGIN IMMEDIATE transaction; rolls back if it throws. */
  private readonly applyBatch: (batch: QueuedWrite[]) => BatchResult;
  /**
   * The latest committed value of recently written or read keys, so that the read before an
   * update (the API server's read-modify-write) needs no query, and hands back the very bytes
   * the last write stored (whose decoding the API server still holds). Bounded by bytes.
   */
  private readonly latest = new FifoCache<string, KeyValue>(LATEST_CACHE_BYTES);

  private constructor(db: BetterSqlite3.Database, options: SqliteStoreOptions) {
    this.db = db;
    this.stmt = prepareLogStatements(db);
    this.revision = (this.stmt.sequence.get() as { seq: number } | undefined)?.seq ?? 0;
    this.compactRev = (this.stmt.getMeta.get(COMPACT_META_KEY) as { value: number } | undefined)?.value ?? 0;
    const inTransaction = db.transaction((batch: QueuedWrite[]) => this.applyInTransaction(batch));
    this.applyBatch = (batch) => inTransaction.immediate(batch);
    this.fanout = new WatchFanout(
      {
        currentRevision: () => this.revision,
        readEvents: (prefix, after, upTo, limit) => this.readEvents(prefix, after, upTo, limit),
      },
      { bufferLimit: options.watchBufferLimit },
    );
    const interval = options.compactIntervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
    const keep = options.compactKeepRevisions ?? DEFAULT_COMPACT_KEEP_REVISIONS;
    if (interval > 0) {
      this.compactTimer = setInterval(() => this.autoCompact(keep), interval);
      this.compactTimer.unref();
    }
  }

  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const db = new Database(path);
    try {
      // WAL + synchronous=NORMAL: a commit is in the WAL file (the OS page cache) when run() returns,
      // so a killed process (even kill -9) loses nothing acknowledged; only an OS crash or power loss
      // can drop the last few commits, which FULL would prevent at the cost of an fsync per write.
      // 8 KiB pages for a new database (an existing one keeps its own): a stored pod is 3 to 4 KiB,
      // so with 4 KiB pages nearly every write was a page of its own, and each page costs the WAL two
      // write calls at COMMIT. With 64 writes in flight a write took 23 µs of CPU, with 8 KiB pages
      // 20 µs; one write at a time costs the same either way (16 KiB pages were cheaper still under
      // load but dearer at 4 in flight).
      db.pragma('page_size = 8192');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA_SQL);
      return new SqliteStore(db, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async get(key: string, options: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.checkOpen();
    const revision = resolveReadRevision(options.revision, this.revision, this.compactRev);
    if (revision === this.revision) {
      const cached = this.latest.get(key);
      if (cached) {
        this.latest.touch(key);
        return cached;
      }
      const row = this.stmt.latest.get(key) as LogRow | undefined;
      if (!row || row.deleted) return undefined;
      const kv = rowToKeyValue(row);
      this.rememberLatest(kv);
      return kv;
    }
    const row = this.stmt.latestAt.get(key, revision) as LogRow | undefined;
    return row && !row.deleted ? rowToKeyValue(row) : undefined;
  }

  private rememberLatest(kv: KeyValue): void {
    this.latest.set(kv.key, kv, kv.value.byteLength);
  }

  private forgetLatest(key: string): void {
    this.latest.delete(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = resolveReadRevision(options.revision, this.revision, this.compactRev);
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const hi = prefixUpperBound(prefix) ?? ABOVE_ALL_TEXT;
    const continuing = options.startAfter !== undefined && options.startAfter >= prefix;
    const range = continuing ? this.stmt.afterKey : this.stmt.fromPrefix;
    const lo = continuing ? options.startAfter : prefix;
    // One extra row tells whether another page exists without counting in the common case.
    const rows = range.list.all({ lo, hi, rev: revision, limit: limit > 0 ? limit + 1 : -1 }) as LogRow[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    const items = new Array<KeyValue>(rows.length);
    for (let index = 0; index < rows.length; index++) items[index] = rowToKeyValue(rows[index]);
    const result: ListResult = { items, revision };
    if (more) {
      const continueKey = items[items.length - 1].key;
      result.continueKey = continueKey;
      result.remaining = (this.stmt.afterKey.count.get({ lo: continueKey, hi, rev: revision }) as { n: number }).n;
    }
    return result;
  }

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    this.checkOpen();
    return this.enqueue((revision) => {
      const latest = this.stmt.latest.get(key) as LogRow | undefined;
      if (latest && !latest.deleted) throw keyExistsError(key, rowToKeyValue(latest));
      this.append(revision, key, { created: 1, deleted: 0, createRevision: revision, prevRevision: latest?.id ?? 0, value });
      const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
      return { result: kv, event: { type: 'create', kv, revision } };
    });
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    this.checkOpen();
    return this.enqueue((revision) => {
      const prev = this.expectedLatest(key, expectedRevision);
      this.appendAfter(prev, revision, { created: 0, deleted: 0, createRevision: prev.createRevision, prevRevision: prev.modRevision, value });
      const kv: KeyValue = { key, value, createRevision: prev.createRevision, modRevision: revision };
      return { result: kv, event: { type: 'update', kv, prev, revision } };
    });
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    return this.enqueue((revision) => {
      const prev = this.expectedLatest(key, expectedRevision);
      this.appendAfter(prev, revision, { created: 0, deleted: 1, createRevision: prev.createRevision, prevRevision: prev.modRevision, value: null });
      const kv: KeyValue = { key, value: prev.value, createRevision: prev.createRevision, modRevision: revision };
      return { result: prev, event: { type: 'delete', kv, prev, revision } };
    });
  }

  watch(prefix: string, options: WatchOptions = {}): Watch {
    return this.fanout.open(prefix, this.closed ? { ...options, signal: AbortSignal.abort() } : options);
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
    // One compaction at a time; a later request waits for the running one and then continues.
    while (this.compacting) await this.compacting;
    if (revision <= this.compactRev || this.closed) return;
    this.compacting = this.runCompaction(revision);
    try {
      await this.compacting;
    } finally {
      this.compacting = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.compactTimer) clearInterval(this.compactTimer);
    this.compactTimer = undefined;
    this.flush(); // queued writes were accepted while open: commit them before closing
    this.fanout.closeAll();
    if (this.compacting) await this.compacting.catch(() => undefined);
    this.db.close();
  }

  private enqueue(apply: QueuedWrite['apply']): Promise<KeyValue> {
    return new Promise((resolve, reject) => {
      this.queue.push({ apply, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued, MAX_BATCH operations per transaction, then settles and publishes. */
  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let committed: BatchResult;
      try {
        committed = this.applyBatch(batch); // returns only once COMMIT succeeded
      } catch (err) {
        // Rolled back: nothing of this batch is stored, and the revisions it took are free again.
        this.resyncRevision();
        const failure = new StoreError('Unavailable', `write failed: ${(err as Error).message}`);
        for (const write of batch) write.reject(failure);
        continue;
      }
      this.revision = committed.revision;
      for (const outcome of committed.outcomes) {
        if (!outcome.ok) continue;
        const event = outcome.write.event;
        if (event.type === 'delete') this.forgetLatest(event.kv.key);
        else this.rememberLatest(event.kv);
        this.fanout.publish(event);
      }
      for (let index = 0; index < batch.length; index++) {
        const outcome = committed.outcomes[index];
        if (outcome.ok) batch[index].resolve(outcome.write.result);
        else batch[index].reject(outcome.error);
      }
    }
  }

  /**
   * Runs inside the transaction. An operation that failed before or in its one statement wrote
   * nothing and fails alone; a SQLite error other than a constraint (I/O, disk full) may have
   * cancelled the transaction, so it aborts the whole batch.
   */
  private applyInTransaction(batch: QueuedWrite[]): BatchResult {
    let last = this.revision;
    const outcomes: Outcome[] = [];
    for (const write of batch) {
      try {
        const applied = write.apply(last + 1);
        last = applied.event.revision;
        outcomes.push({ ok: true, write: applied });
      } catch (err) {
        if (err instanceof Database.SqliteError) throw err;
        if (isStoreError(err, 'Unavailable')) last = Math.max(last, this.storedSequence()); // another process took revisions
        outcomes.push({ ok: false, error: err });
      }
    }
    return { outcomes, revision: last };
  }

  /**
   * The latest value of `key` for a write that expects it at `expectedRevision` (any when
   * undefined); throws NotFound or Conflict otherwise. Inside a write transaction. The cached
   * value serves when its revision is the expected one: reading the row would also read its
   * value's overflow pages, and if another writer got there first, the insert's
   * UNIQUE(name, prev_revision) refuses (see append).
   */
  private expectedLatest(key: string, expectedRevision: number | undefined): KeyValue {
    const cached = this.latest.get(key);
    if (cached && cached.modRevision === expectedRevision) return cached;
    return this.expectedLatestInLog(key, expectedRevision);
  }

  private expectedLatestInLog(key: string, expectedRevision: number | undefined): KeyValue {
    const latest = this.stmt.latest.get(key) as LogRow | undefined;
    if (!latest || latest.deleted) throw keyNotFoundError(key);
    if (expectedRevision !== undefined && latest.id !== expectedRevision) throw revisionConflictError(key, expectedRevision, rowToKeyValue(latest));
    return rowToKeyValue(latest);
  }

  /**
   * Appends the row that follows `prev`. When another write got there first (in this batch, or
   * another writer) the error says what the key holds now, as a compare-and-swap loser is told.
   */
  private appendAfter(prev: KeyValue, revision: number, row: Parameters<SqliteStore['append']>[2]): void {
    try {
      this.append(revision, prev.key, row);
    } catch (err) {
      if (isStoreError(err, 'Conflict')) this.expectedLatestInLog(prev.key, prev.modRevision);
      throw err;
    }
  }

  /**
   * Appends one log row at `revision`; a lost race surfaces as a StoreError for this operation
   * alone. The previous value is not stored again: events read it from the row at prev_revision,
   * which compaction keeps as long as an event after the compaction point refers to it.
   */
  private append(revision: number, key: string, row: { created: number; deleted: number; createRevision: number; prevRevision: number; value: Uint8Array | null }): void {
    try {
      this.stmt.insert.run(revision, key, row.created, row.deleted, row.createRevision, row.prevRevision, row.value);
    } catch (err) {
      // A constraint failure undoes only this statement; the transaction and the batch go on.
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
        // Someone else appended after the same revision of this key: the CAS lost.
        throw new StoreError(row.created ? 'KeyExists' : 'Conflict', `key ${key} was modified concurrently`);
      }
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new StoreError('Unavailable', `revision ${revision} already taken: another process is writing this database`);
      }
      throw err;
    }
  }

  private storedSequence(): number {
    return (this.stmt.sequence.get() as { seq: number } | undefined)?.seq ?? 0;
  }

  private resyncRevision(): void {
    // Someone else moved the log: nothing remembered can be trusted.
    this.latest.clear();
    this.revision = Math.max(this.revision, this.storedSequence());
  }

  private readEvents(prefix: string, afterRevision: number, upToRevision: number, limit: number): StoreEvent[] {
    if (this.closed) return [];
    if (afterRevision < this.compactRev) throw compactedError(afterRevision, this.compactRev);
    const rows = this.stmt.events.all({
      after: afterRevision,
      upTo: upToRevision,
      lo: prefix,
      hi: prefixUpperBound(prefix) ?? ABOVE_ALL_TEXT,
      limit,
    }) as LogRow[];
    return rows.map(rowToEvent);
  }

  private async runCompaction(revision: number): Promise<void> {
    // Publish the new compaction point first: from here on reads at or below it fail with
    // Compacted, so nobody observes a half-deleted history.
    this.stmt.setMeta.run(COMPACT_META_KEY, revision);
    this.compactRev = revision;
    const first = (this.stmt.minId.get() as { id: number | null }).id ?? revision + 1;
    for (let from = first; from <= revision && !this.closed; from += COMPACT_BATCH_REVISIONS) {
      const to = Math.min(from + COMPACT_BATCH_REVISIONS - 1, revision);
      this.stmt.compactBatch.run({ from, to, compact: revision });
      if (to < revision) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private autoCompact(keep: number): void {
    const target = this.revision - keep;
    if (this.closed || this.compacting || target <= this.compactRev) return;
    this.compact(target).catch(() => undefined); // best effort; the next tick retries
  }

  private checkOpen(): void {
    if (this.closed) throw storeClosedError();
  }
}

function rowToKeyValue(row: LogRow): KeyValue {
  return { key: row.name, value: row.value ?? EMPTY, createRevision: row.create_revision, modRevision: row.id };
}

function rowToEvent(row: LogRow): StoreEvent {
  const revision = row.id;
  if (row.created) {
    return { type: 'create', kv: rowToKeyValue(row), revision };
  }
  const prev: KeyValue = { key: row.name, value: row.old_value ?? EMPTY, createRevision: row.create_revision, modRevision: row.prev_revision };
  if (row.deleted) {
    return { type: 'delete', kv: { ...prev, modRevision: revision }, prev, revision };
  }
  return { type: 'update', kv: rowToKeyValue(row), prev, revision };
}

const EMPTY = new Uint8Array(0);
