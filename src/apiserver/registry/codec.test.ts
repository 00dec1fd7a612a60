import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { KeyValue } from '../../store/store.js';
import { decodeMutable, decodeObject, encodeObject, rememberWritten } from './codec.js';
import { objectJson, ownedBytes } from './object-json.js';

const kvOf = (key: string, value: Uint8Array, modRevision: number): KeyValue => ({ key, value, createRevision: 1, modRevision });

test('the stored form has no resourceVersion and leads with apiVersion, kind and metadata', () => {
  const obj: KubeObject = { spec: { a: [1, 2] }, kind: 'Pod', metadata: { name: 'p', resourceVersion: '9' }, apiVersion: 'v1' };
  const text = Buffer.from(encodeObject(obj)).toString();
  assert.equal(text, '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"a":[1,2]}}');
  assert.equal(Buffer.from(encodeObject({ metadata: {} })).toString(), '{"metadata":{}}');
});

test('a written object is the decoding of its bytes, and its JSON is the stored text plus the resourceVersion', () => {
  const stored: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { k: 'v"quoted"' } };
  const kv = kvOf('/configmaps/n/c', encodeObject(stored), 42);
  rememberWritten(kv, stored);
  const decoded = decodeObject(kv);
  assert.equal(decoded, stored, 'no second parse');
  assert.equal(decoded.metadata.resourceVersion, '42');
  assert.deepEqual(JSON.parse(objectJson(decoded)), { ...stored, metadata: { ...stored.metadata, resourceVersion: '42' } });
  // A later read of the same revision (fresh bytes from the store) finds the same object.
  const again = decodeObject(kvOf('/configmaps/n/c', Buffer.from(Buffer.from(kv.value)), 42));
  assert.equal(again, stored);
  // A mutable copy is a new object with the same content.
  const copy = decodeMutable(kv);
  assert.notEqual(copy, stored);
  assert.deepEqual(copy, decoded);
});

test('a large object is decoded but not kept among the recent ones', () => {
  const big: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { k: 'x'.repeat(2 << 20) } };
  const bytes = encodeObject(big);
  const first = decodeObject(kvOf('/configmaps/big', bytes, 7));
  assert.equal(first.metadata.name, 'big');
  const fresh = decodeObject(kvOf('/configmaps/big', Buffer.from(Buffer.from(bytes)), 7));
  assert.notEqual(fresh, first, 'parsed again: the recent cache skips objects over its share');
  assert.deepEqual(fresh, first);
});

test('stored bytes and kept lines own their memory: no shared slab of short-lived buffers stays pinned', () => {
  const stored = encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'small' }, data: { a: 'b' } });
  for (const bytes of [stored, ownedBytes('{"type":"ADDED"}\n')]) {
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, bytes.byteLength, 'not a slice of a pooled slab');
  }
  assert.equal(ownedBytes('ü').toString(), 'ü');
  assert.equal(Buffer.from(stored).toString().startsWith('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"small"}'), true);
});
