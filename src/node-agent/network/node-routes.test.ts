import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { desiredNodeRoutes, nodeRouteAddress, nodeRouteChanges } from './node-routes.js';

function node(name: string, podCIDR: string | undefined, addresses: [string, string][], deleting = false): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) }, spec: { podCIDR }, status: { addresses: addresses.map(([type, address]) => ({ type, address })) } } as unknown as KubeObject;
}

test('route address is the first non-loopback InternalIP', () => {
  const cases: [[string, string][], string | undefined][] = [
    [[['InternalIP', '10.0.0.2']], '10.0.0.2'],
    [[['InternalIP', '127.0.0.1'], ['InternalIP', '10.254.0.2']], '10.254.0.2'],
    [[['InternalIP', '127.0.0.1'], ['Hostname', 'h']], undefined],
    [[['Hostname', '10.0.0.9']], undefined],
    [[['InternalIP', 'fd00::1'], ['InternalIP', '10.1.1.1']], '10.1.1.1'],
  ];
  for (const [addresses, want] of cases) assert.equal(nodeRouteAddress(node('n', '10.42.1.0/24', addresses)), want, JSON.stringify(addresses));
});

test('desired routes skip this node, nodes without CIDR or address, deleting nodes and our own CIDR', () => {
  const nodes = [
    node('self', '10.42.0.0/24', [['InternalIP', '10.0.0.1']]),
    node('b', '10.42.1.0/24', [['InternalIP', '10.0.0.2']]),
    node('c', undefined, [['InternalIP', '10.0.0.3']]),
    node('d', '10.42.3.0/24', [['InternalIP', '127.0.0.1']]),
    node('e', '10.42.4.0/24', [['InternalIP', '10.0.0.5']], true),
    node('f', '10.42.0.0/24', [['InternalIP', '10.0.0.6']]),
    node('g', '10.42.7.0/24', [['InternalIP', '10.0.0.7']]),
  ];
  assert.deepEqual(desiredNodeRoutes(nodes, 'self', '10.42.0.0/24'), { '10.42.1.0/24': '10.0.0.2', '10.42.7.0/24': '10.0.0.7' });
});

test('changes: remove stale, add new, replace moved next hops, nothing when equal', () => {
  const cases: [Record<string, string>, Record<string, string>, { remove: string[]; add: [string, string][] }][] = [
    [{}, { a: '1' }, { remove: [], add: [['a', '1']] }],
    [{ a: '1' }, { a: '1' }, { remove: [], add: [] }],
    [{ a: '1', b: '2' }, { a: '3' }, { remove: ['b'], add: [['a', '3']] }],
    [{ a: '1' }, {}, { remove: ['a'], add: [] }],
  ];
  for (const [current, desired, want] of cases) assert.deepEqual(nodeRouteChanges(current, desired), want);
});
