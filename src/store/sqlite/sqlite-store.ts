// The SQLite Store: an append-only log (see sqlite-schema.ts) read and written through
// better-sqlite3's synchronous API. This process is the only writer, so the current revision is
// cached in memory and every committed write is fanned out in-process to watchers (no polling).

import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import {
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

export class SqliteStore implements Store {
  private readonly db: BetterSqlite3.Database;
  private readonly stmt: LogStatements;
  private readonly fanout: WatchFanout;
  private revision: number;
  private compactRev: number;
  private closed = false;
  private compactTimer: NodeJS.Timeout | undefined;
  private compacting: Promise<void> | undefined;

  private constructor(db: BetterSqlite3.Database, options: SqliteStoreOptions) {
    this.db = db;
    this.stmt = prepareLogStatements(db);
    this.revision = (this.stmt.sequence.get() as { seq: number } | undefined)?.seq ?? 0;
    this.compactRev = (this.stmt.getMeta.get(COMPACT_META_KEY) as { value: number } | undefined)?.value ?? 0;
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
    const row = (revision === this.revision ? this.stmt.latest.get(key) : this.stmt.latestAt.get(key, revision)) as LogRow | undefined;
    return row && !row.deleted ? rowToKeyValue(row) : undefined;
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
    const latest = this.stmt.latest.get(key) as LogRow | undefined;
    if (latest && !latest.deleted) throw keyExistsError(key, rowToKeyValue(latest));
    const revision = this.append(key, { created: 1, deleted: 0, createRevision: 0, prevRevision: latest?.id ?? 0, value, oldValue: null });
    const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
    this.fanout.publish({ type: 'create', kv, revision });
    return kv;
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const latest = this.stmt.latest.get(key) as LogRow | undefined;
    if (!latest || latest.deleted) throw keyNotFoundError(key);
    if (latest.id !== expectedRevision) throw revisionConflictError(key, expectedRevision, rowToKeyValue(latest));
    const prev = rowToKeyValue(latest);
    const revision = this.append(key, {
      created: 0,
      deleted: 0,
      createRevision: prev.createRevision,
      prevRevision: latest.id,
      value,
      oldValue: latest.value,
    });
    const kv: KeyValue = { key, value, createRevision: prev.createRevision, modRevision: revision };
    this.fanout.publish({ type: 'update', kv, prev, revision });
    return kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const latest = this.stmt.latest.get(key) as LogRow | undefined;
    if (!latest || latest.deleted) throw keyNotFoundError(key);
    if (expectedRevision !== undefined && latest.id !== expectedRevision) throw revisionConflictError(key, expectedRevision, rowToKeyValue(latest));
    const prev = rowToKeyValue(latest);
    const revision = this.append(key, {
      created: 0,
      deleted: 1,
      createRevision: prev.createRevision,
      prevRevision: latest.id,
      value: null,
      oldValue: latest.value,
    });
    const kv: KeyValue = { key, value: prev.value, createRevision: prev.createRevision, modRevision: revision };
    this.fanout.publish({ type: 'delete', kv, prev, revision });
    return prev;
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
    this.fanout.closeAll();
    if (this.compacting) await this.compacting.catch(() => undefined);
    this.db.close();
  }

  /** Appends one log row at the next revision and returns that revision. */
  private append(
    key: string,
    row: { created: number; deleted: number; createRevision: number; prevRevision: number; value: Uint8Array | null; oldValue: Uint8Array | null },
  ): number {
    const revision = this.revision + 1;
    try {
      this.stmt.insert.run(
        revision,
        key,
        row.created,
        row.deleted,
        row.created ? revision : row.createRevision,
        row.prevRevision,
        row.value,
        row.oldValue,
      );
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
        // Someone else appended after the same revision of this key: the CAS lost.
        this.resyncRevision();
        throw new StoreError(row.created ? 'KeyExists' : 'Conflict', `key ${key} was modified concurrently`);
      }
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        this.resyncRevision();
        throw new StoreError('Unavailable', `revision ${revision} already taken: another process is writing this database`);
      }
      throw new StoreError('Unavailable', `write failed: ${(err as Error).message}`);
    }
    this.revision = revision;
    return revision;
  }

  private resyncRevision(): void {
    this.revision = (this.stmt.sequence.get() as { seq: number } | undefined)?.seq ?? this.revision;
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
