// Objects are stored as JSON without their resourceVersion; the revision the store reports is the
// resourceVersion, as with etcd. Decoded objects are cached per stored value so that many watchers
// of one event parse it once; callers that change a decoded object must clone it first.

import type { KubeObject } from '../../api/meta.js';
import type { KeyValue } from '../../store/store.js';

const decoded = new WeakMap<Uint8Array, KubeObject>();

export function encodeObject(obj: KubeObject): Uint8Array {
  const { resourceVersion: _dropped, ...metadata } = obj.metadata;
  return Buffer.from(JSON.stringify({ ...obj, metadata }));
}

/** The stored object with its resourceVersion. Shared and frozen by convention: clone before changing. */
export function decodeObject(kv: KeyValue, resourceVersion: number = kv.modRevision): KubeObject {
  let base = decoded.get(kv.value);
  if (!base) {
    base = JSON.parse(Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength).toString('utf8')) as KubeObject;
    decoded.set(kv.value, base);
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
