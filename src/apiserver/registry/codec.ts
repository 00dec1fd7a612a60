// Objects are stored as JSON without their resourceVersion; the revision the store reports is the
// resourceVersion, as with etcd. Decoded objects are cached per stored value so that many watchers
// of one event parse it once; callers that change a decoded object must clone it first.

import type { KubeObject } from '../../api/meta.js';
import { FifoCache } from '../../store/fifo-cache.js';
import type { KeyValue } from '../../store/store.js';
import { ownedBytes, rememberObjectJson } from './object-json.js';
import { freezeShared } from '../../api/shared-objects.js';

/**
 * Recently written or read objects by revision and key. The response to a write, its watch events
 * and a selector-filtered watch's look at the previous version (usually written a moment before)
 * all find the object here instead of parsing the bytes again. Bounded by the size of the stored
 * bytes, and kept short on purpose: an object that outlives a few young-generation collections is
 * copied into the old generation, and keeping every latest version decoded (as a WeakMap beside
 * the store's cache of latest values did) made the API thread's collections the largest item of
 * its profile under load. A miss costs one parse.
 */
const recent = new FifoCache<string, KubeObject>(4 << 20);
/** Objects too large for `recent`: kept while their stored bytes are, since every watcher would parse them again. */
const large = new WeakMap<Uint8Array, KubeObject>();

function recentKey(kv: KeyValue): string {
  return `${kv.modRevision}\u0000${kv.key}`;
}

function remember(kv: KeyValue, obj: KubeObject): void {
  freezeShared(obj);
  if (kv.value.byteLength > recent.maxEntrySize) large.set(kv.value, obj);
  else recent.set(recentKey(kv), obj, kv.value.byteLength);
}

function remembered(kv: KeyValue): KubeObject | undefined {
  return kv.value.byteLength > recent.maxEntrySize ? large.get(kv.value) : recent.get(recentKey(kv));
}

/**
 * Records `stored` (the object whose encoding was just written as `kv`) as that value's decoding,
 * so the response and every watcher reuse it instead of parsing the bytes back. `stored` must be
 * JSON data and must not be changed afterwards.
 */
export function rememberWritten(kv: KeyValue, stored: KubeObject): void {
  const rv = String(kv.modRevision);
  stored.metadata.resourceVersion = rv;
  remember(kv, stored);
  // The served JSON is the stored text with the resourceVersion added: no second serialisation.
  const parts = encodedParts.get(kv.value);
  if (parts) {
    encodedParts.delete(kv.value);
    const metadata = parts.metadata === '{}' ? `{"resourceVersion":${JSON.stringify(rv)}}` : `{"resourceVersion":${JSON.stringify(rv)},${parts.metadata.slice(1)}`;
    rememberObjectJson(stored, parts.head + metadata + parts.tail);
  }
}

/** The pieces of an encoding around its metadata, from encodeObject until rememberWritten takes them. */
const encodedParts = new WeakMap<Uint8Array, { head: string; metadata: string; tail: string }>();

/**
 * The stored form: JSON without metadata.resourceVersion, with apiVersion, kind and metadata first
 * (Kubernetes' own order), so that the served form is the same text with the resourceVersion added.
 */
export function encodeObject(obj: KubeObject): Uint8Array {
  const { apiVersion, kind, metadata: fullMetadata, ...rest } = obj;
  const { resourceVersion: _dropped, ...metadata } = fullMetadata ?? {};
  let head = '{';
  if (apiVersion !== undefined) head += `"apiVersion":${JSON.stringify(apiVersion)},`;
  if (kind !== undefined) head += `"kind":${JSON.stringify(kind)},`;
  head += '"metadata":';
  const metadataJson = JSON.stringify(metadata);
  const restJson = JSON.stringify(rest);
  const tail = restJson === '{}' ? '}' : `,${restJson.slice(1)}`;
  const bytes = ownedBytes(head + metadataJson + tail);
  encodedParts.set(bytes, { head, metadata: metadataJson, tail });
  return bytes;
}

/** The stored object with its resourceVersion. Shared and frozen by convention: clone before changing. */
export function decodeObject(kv: KeyValue, resourceVersion: number = kv.modRevision): KubeObject {
  const rv = String(resourceVersion);
  let base = remembered(kv);
  if (!base) {
    base = JSON.parse(Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength).toString('utf8')) as KubeObject;
    base.metadata.resourceVersion = rv;
    remember(kv, base);
  }
  if (base.metadata.resourceVersion === rv) return base;
  return { ...base, metadata: { ...base.metadata, resourceVersion: rv } };
}

/** A private, mutable copy of a stored object (parsing the bytes again is cheaper than a deep clone). */
export function decodeMutable(kv: KeyValue): KubeObject {
  const obj = JSON.parse(Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength).toString('utf8')) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}
