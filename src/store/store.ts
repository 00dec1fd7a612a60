// The storage contract: keys, bytes and revisions, nothing about objects. An object's
// resourceVersion is the revision of its last modification; a list's is the revision it was read at.
// Every backend (memory, SQLite, etcd) passes the one contract suite in conformance/.

export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision at which this key was created (etcd create_revision). */
  createRevision: number;
  /** Revision of the last modification (etcd mod_revision): the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0 or absent: the current revision). Compacted revisions fail with Compacted. */
  revision?: number;
  /** At most this many items (0 or absent: no limit). */
  limit?: number;
  /** Continue after this key (exclusive), as returned in ListResult.continueKey. */
  startAfter?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** When more items exist: the last key returned; pass it as startAfter with the same revision. */
  continueKey?: string;
  /** When more items exist: how many remain after this page. */
  remaining?: number;
}

export type StoreEventType = 'create' | 'update' | 'delete';

export interface StoreEvent {
  type: StoreEventType;
  /** The key's state after the event; for deletes, the deleted value with modRevision = the delete's revision. */
  kv: KeyValue;
  /** The key's state before the event (absent for creates). */
  prev?: KeyValue;
  /** Revision of this event. */
  revision: number;
}

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision. Absent: only events after the current revision. */
  afterRevision?: number;
  signal?: AbortSignal;
}

/**
 * A stream of events in revision order. Ends (returns) when aborted or closed; throws a StoreError
 * `Compacted` if the start revision is gone, or `WatcherTooSlow` if the consumer fell behind (relist).
 */
export interface Watch extends AsyncIterable<StoreEvent> {
  close(): void;
  /**
   * The revision up to which this watch has handed out every event of its prefix, when it has
   * nothing waiting to be read (undefined otherwise): what a bookmark may tell a client.
   */
  progress?(): number | undefined;
}

export interface Store {
  get(key: string, options?: { revision?: number }): Promise<KeyValue | undefined>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Fails with KeyExists if the key is present. Returns the new KeyValue. */
  create(key: string, value: Uint8Array): Promise<KeyValue>;
  /** Compare-and-swap: fails with Conflict unless the key's modRevision equals expectedRevision; NotFound if absent. */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue>;
  /** Deletes the key (only if its modRevision equals expectedRevision, when given). Returns the deleted KeyValue. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  watch(prefix: string, options?: WatchOptions): Watch;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable (the compaction point + 1). */
  compactedRevision(): Promise<number>;
  /** Forgets history at and below `revision`; current values stay. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export type StoreErrorCode = 'KeyExists' | 'Conflict' | 'NotFound' | 'Compacted' | 'FutureRevision' | 'WatcherTooSlow' | 'Unavailable';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** For Conflict: the key's current state, so callers can report or retry without another read. */
  readonly current?: KeyValue;
  /** For Compacted: the compaction revision. */
  readonly compactRevision?: number;

  constructor(code: StoreErrorCode, message: string, extra: { current?: KeyValue; compactRevision?: number } = {}) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.current = extra.current;
    this.compactRevision = extra.compactRevision;
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  if (typeof err !== 'object' || err === null) return false;
  const candidate = err as { name?: unknown; code?: unknown };
  return candidate.name === 'StoreError' && (code === undefined || candidate.code === code);
}
