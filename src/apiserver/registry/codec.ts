// Objects are stored as JSON without their resourceVersion; the revision the store reports is the
// resourceVersion, as with etcd. Decoded objects are cached per stored value so that many watchers
// of one event parse it once; callers that change a decoded object must clone it first.

import type { KubeObject } from '../../api/meta.js';
import type { KeyValue } from '../../store/store.js';

const decoded = new WeakMap<Uint8Array, KubeObject>();

/**
 * Recently written or read objects by key and revision. A watch with a selector needs the previous
 * version of every changed object, which the store hands over as fresh bytes: this finds the
 * object already decoded (usually the one written a moment before) instead of parsing it again.
 */
const recent = new Map<string, KubeObject>();
const RECENT_MAX = 8192;

function recentKey(kv: KeyValue): string {
  return `${kv.modRevision}\u0000${kv.key}`;
}

function remember(kv: KeyValue, obj: KubeObject): void {
  decoded.set(kv.value, obj);
  recent.set(recentKey(kv), obj);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
}

/**
 * Records `stored` (the object whose encoding was just written as `kv`) as that value's decoding,
 * so the response and every watcher reuse it instead of parsing the bytes back. `stored` must be
 * JSON data and must not be changed afterwards.
 */
export function rememberWritten(kv: KeyValue, stored: KubeObject): void {
  stored.metadata.resourceVersion = String(kv.modRevision);
  remember(kv, stored);
}

export function encodeObject(obj: KubeObject): Uint8Array {
  const { resourceVersion: _dropped, ...metadata } = obj.metadata;
  return Buffer.from(JSON.stringify({ ...obj, metadata }));
}

/** The stored object with its resourceVersion. Shared and frozen by convention: clone before changing. */
export function decodeObject(kv: KeyValue, resourceVersion: number = kv.modRevision): KubeObject {
  let base = decoded.get(kv.value) ?? recent.get(recentKey(kv));
  if (!base) {
    base = JSON.parse(Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength).toString('utf8')) as KubeObject;
    remember(kv, base);
  }
  const rv = String(resourceVersion);
  if (base.metadata.resourceVersion === rv) return base;
  if (base.metadata.resourceVersion === undefined) {
    base.metadata.resourceVersion = rv;
    return base;
  }
  return { ...base, metadata: { ...base.metadata, resourceVersion: rv } };
}

/** A private, mutable copy of a stored object (parsing the bytes again is cheaper than a deep clone). */
export function decodeMutable(kv: KeyValue): KubeObject {
  const obj = JSON.parse(Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength).toString('utf8')) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}
