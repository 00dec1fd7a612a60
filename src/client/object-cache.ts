// The informer's in-memory store: objects keyed by `ns/name`, secondary indexes, and the diff a
// relist produces. Pure (no I/O). Stored objects are shared: callers must clone before mutating
// (under test they are deep-frozen, so a mutation throws: api/shared-objects.ts).
import { objectKey, type KubeObject } from '../api/meta.js';
import { deepFreeze, freezeShared } from '../api/shared-objects.js';

export type IndexFunc<T> = (obj: T) => string[];

export interface ReplaceDiff<T> {
  added: T[];
  updated: Array<{ oldObj: T; newObj: T }>;
  deleted: T[];
}


/** Built-in indexes every informer carries. */
export const NAMESPACE_INDEX = 'namespace';
export const OWNER_UID_INDEX = 'ownerUid';
export const NODE_NAME_INDEX = 'nodeName';

export const builtInIndexes: Record<string, IndexFunc<KubeObject>> = {
  [NAMESPACE_INDEX]: (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []),
  [OWNER_UID_INDEX]: (obj) => (obj.metadata.ownerReferences ?? []).map((ref) => ref.uid),
  // Pods carry spec.nodeName; other kinds simply produce no entries.
  [NODE_NAME_INDEX]: (obj) => {
    const nodeName = (obj.spec as { nodeName?: unknown } | undefined)?.nodeName;
    return typeof nodeName === 'string' && nodeName !== '' ? [nodeName] : [];
  },
};

export class ObjectCache<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = builtInIndexes as Record<string, IndexFunc<T>>) {
    for (const [name, fn] of Object.entries(indexers)) this.addIndex(name, fn);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new Error(`index ${name} already exists`);
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) this.indexOne(index, fn, key, obj);
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): T[] {
    return [...this.items.values()];
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no index named ${name}`);
    const keys = index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Stores `obj` (frozen) and returns the object it replaced, if any. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    const frozen = freezeShared(obj);
    // Selectors are frozen in any case: label-selector.ts parses a frozen selector only once.
    const spec = (frozen as { spec?: { selector?: unknown } }).spec;
    if (spec && typeof spec.selector === 'object' && spec.selector !== null) deepFreeze(spec.selector);
    this.items.set(key, frozen);
    for (const [name, fn] of this.indexers) this.indexOne(this.indices.get(name)!, fn, key, frozen);
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Replaces the whole content with a fresh list; reports what changed (by resourceVersion). */
  replace(objects: T[]): ReplaceDiff<T> {
    const diff: ReplaceDiff<T> = { added: [], updated: [], deleted: [] };
    const seen = new Set<string>();
    for (const obj of objects) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.items.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion && old.metadata.uid === obj.metadata.uid) continue;
      if (old && old.metadata.uid !== obj.metadata.uid && old.metadata.uid !== undefined) {
        // Same name, new object: the old one was deleted while we were not watching.
        this.delete(key);
        diff.deleted.push(old);
        this.set(obj);
        diff.added.push(this.items.get(key)!);
        continue;
      }
      this.set(obj);
      const stored = this.items.get(key)!;
      if (old) diff.updated.push({ oldObj: old, newObj: stored });
      else diff.added.push(stored);
    }
    for (const key of [...this.items.keys()]) {
      if (seen.has(key)) continue;
      diff.deleted.push(this.delete(key)!);
    }
    return diff;
  }

  private indexOne(index: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T): void {
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const value of new Set(fn(obj))) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
  }
}
