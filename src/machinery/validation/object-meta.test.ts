import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../../api/errors.js';
import type { ObjectMeta } from '../../api/meta.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

const lines = (meta: ObjectMeta, namespaced = true): string[] =>
  validateObjectMeta(meta, { namespaced }).map((e) => `${e.field}: ${e.detail}`);

describe('validateObjectMeta', () => {
  const cases: Array<[string, ObjectMeta, boolean, string[]]> = [
    ['valid', { name: 'web', namespace: 'default', labels: { app: 'web' } }, true, []],
    ['missing name', { namespace: 'default' }, true, ['metadata.name: Required value: name or generateName is required']],
    ['generateName prefix', { generateName: 'web-', namespace: 'default' }, true, ['metadata.name: Required value: name or generateName is required']],
    ['missing namespace', { name: 'web' }, true, ['metadata.namespace: Required value']],
    ['namespace on cluster kind', { name: 'n1', namespace: 'default' }, false, ['metadata.namespace: Forbidden: not allowed on this type']],
    ['bad label value', { name: 'web', namespace: 'd', labels: { app: 'bad value!' } }, true, [
      `metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ]],
    ['bad annotation key', { name: 'web', namespace: 'd', annotations: { 'a b': 'x' } }, true, [
      `metadata.annotations: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ]],
    ['annotations too large', { name: 'web', namespace: 'd', annotations: { big: 'x'.repeat(262142) } }, true, ['metadata.annotations: Too long: may not be more than 262144 bytes']],
    ['two controllers', { name: 'web', namespace: 'd', ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
    ] }, true, [
      'metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
    ]],
    ['owner without uid', { name: 'web', namespace: 'd', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: '' }] }, true, [
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ]],
    ['bad finalizer', { name: 'web', namespace: 'd', finalizers: ['a/b/c'] }, true, [
      `metadata.finalizers: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ]],
    ['bad namespace', { name: 'web', namespace: 'a.b' }, true, ['metadata.namespace: Invalid value: "a.b": must not contain dots']],
  ];
  for (const [name, meta, namespaced, want] of cases) test(name, () => assert.deepEqual(lines(meta, namespaced), want));

  test('Invalid_Name reads exactly as kubectl shows it', () => {
    const errs = validateObjectMeta({ name: 'Invalid_Name', namespace: 'default' }, { namespaced: true });
    assert.equal(
      invalid('Pod', '', 'Invalid_Name', errs).message,
      `Pod "Invalid_Name" is invalid: metadata.name: Invalid value: "Invalid_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  });

  test('custom name validator and optional names', () => {
    const errs = validateObjectMeta({ name: 'x' }, { namespaced: false, nameValidator: () => ['nope'] });
    assert.deepEqual(errs.map((e) => e.detail), ['Invalid value: "x": nope']);
    assert.deepEqual(validateObjectMeta({}, { namespaced: false, nameOptional: true }), []);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = { name: 'web', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '5' };
  const cases: Array<[string, ObjectMeta, ObjectMeta, string[]]> = [
    ['labels may change', { ...old, labels: { a: 'b' } }, old, []],
    ['name immutable', { ...old, name: 'other' }, old, ['metadata.name: Invalid value: "other": field is immutable']],
    ['uid immutable', { ...old, uid: 'u2' }, old, ['metadata.uid: Invalid value: "u2": field is immutable']],
    ['missing uid counts as unchanged only when old has none', { ...old, uid: undefined }, { ...old, uid: undefined }, []],
    ['no finalizers added while deleting', { ...old, deletionTimestamp: 't', finalizers: ['x/y'] }, { ...old, deletionTimestamp: 't' }, [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/y"}',
    ]],
  ];
  for (const [name, next, prev, want] of cases) {
    test(name, () => assert.deepEqual(validateObjectMetaUpdate(next, prev).map((e) => `${e.field}: ${e.detail}`), want));
  }
});
