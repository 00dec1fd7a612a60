import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DESCRIPTION_ANNOTATION, reconcileRootCa, rootCaConfigMap } from './reconcile.js';

const CA = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n';

test('kube-root-ca.crt: created in active namespaces, repaired when edited, left alone when current', () => {
  const current = rootCaConfigMap('a', CA);
  const cases: Array<{ name: string; ns: Parameters<typeof reconcileRootCa>[0]; existing?: Parameters<typeof reconcileRootCa>[1]; want: string }> = [
    { name: 'missing', ns: { metadata: { name: 'a' } }, want: 'create' },
    { name: 'current', ns: { metadata: { name: 'a' } }, existing: current, want: 'none' },
    { name: 'edited ca.crt', ns: { metadata: { name: 'a' } }, existing: { ...current, data: { 'ca.crt': 'x' } }, want: 'update' },
    { name: 'extra key', ns: { metadata: { name: 'a' } }, existing: { ...current, data: { 'ca.crt': CA, more: '1' } }, want: 'update' },
    { name: 'annotation removed', ns: { metadata: { name: 'a' } }, existing: { ...current, metadata: { name: 'kube-root-ca.crt', namespace: 'a' } }, want: 'update' },
    { name: 'terminating namespace', ns: { metadata: { name: 'a', deletionTimestamp: 'now' } }, want: 'none' },
    { name: 'terminating phase', ns: { metadata: { name: 'a' }, status: { phase: 'Terminating' } }, want: 'none' },
    { name: 'namespace gone', ns: undefined, want: 'none' },
  ];
  for (const c of cases) {
    const action = reconcileRootCa(c.ns, c.existing, CA);
    assert.equal(action.type, c.want, c.name);
    if (action.type !== 'none') {
      assert.deepEqual(action.configMap.data, { 'ca.crt': CA }, c.name);
      assert.ok(action.configMap.metadata.annotations?.[DESCRIPTION_ANNOTATION], c.name);
    }
  }
});
