import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderGuardTable } from './guard.js';
import { findHostPortConflicts, renderHostPortTable, type HostPortMapping } from './hostport.js';

describe('renderGuardTable', () => {
  const base = { bridge: 'kjb0', podCidr: '10.42.0.0/24', clusterDestinations: ['10.42.0.0/16', '10.43.0.0/16'], remotePodCidrs: [] };

  test('without egress: drops bridge to other interfaces and leaking cluster addresses', () => {
    const text = renderGuardTable({ ...base, egress: false });
    assert.ok(text.startsWith('table ip kijabi_guard_kjb0\ndelete table ip kijabi_guard_kjb0\n'));
    assert.match(text, /elements = \{ 10\.42\.0\.0\/16, 10\.43\.0\.0\/16 \}/);
    assert.match(text, /iifname "kjb0" oifname != "kjb0" counter drop/);
    assert.match(text, /type filter hook postrouting[\s\S]*oifname != "kjb0" ip daddr @cluster_dst counter drop/);
    assert.doesNotMatch(text, /remote_pod_cidrs \{[^}]*elements/);
    assert.doesNotMatch(text, /masquerade/);
  });

  test('with egress and remote nodes: no bridge drop, masquerade, remote CIDRs allowed', () => {
    const text = renderGuardTable({ ...base, egress: true, remotePodCidrs: ['10.42.1.0/24', '10.42.2.0/24'] });
    assert.doesNotMatch(text, /iifname "kjb0" oifname != "kjb0" counter drop/);
    assert.match(text, /elements = \{ 10\.42\.1\.0\/24, 10\.42\.2\.0\/24 \}/);
    assert.match(text, /ip saddr 10\.42\.0\.0\/24 ip daddr != @cluster_dst oifname != "kjb0" masquerade/);
  });
});

describe('hostPorts', () => {
  const m = (hostPort: number, hostIp?: string, protocol: HostPortMapping['protocol'] = 'TCP'): HostPortMapping => ({
    protocol,
    hostPort,
    containerPort: 80,
    hostIp,
    podIp: '10.42.0.5',
  });

  test('conflicts: same protocol, port and overlapping address', () => {
    const existing = { other: [m(8080), m(9090, '192.0.2.1')] };
    const cases: [HostPortMapping, number][] = [
      [m(8080), 1],
      [m(8080, '192.0.2.7'), 1],
      [m(8080, undefined, 'UDP'), 0],
      [m(9090, '192.0.2.2'), 0],
      [m(9090, '192.0.2.1'), 1],
      [m(9090), 1],
      [m(7070), 0],
    ];
    for (const [mapping, count] of cases) {
      assert.equal(findHostPortConflicts(existing, 'mine', [mapping]).length, count, JSON.stringify(mapping));
    }
    assert.equal(findHostPortConflicts(existing, 'other', [m(8080)]).length, 0, 'a pod does not conflict with itself');
  });

  test('renders DNAT rules per mapping in a stable order', () => {
    const text = renderHostPortTable('kjb0', '10.42.0.0/24', { b: [m(9090, '192.0.2.1', 'UDP')], a: [m(8080)] });
    const rules = text.split('\n').filter((l) => l.includes('dnat to'));
    assert.deepEqual(rules.map((r) => r.trim()), ['tcp dport 8080 dnat to 10.42.0.5:80', 'ip daddr 192.0.2.1 udp dport 9090 dnat to 10.42.0.5:80']);
    assert.match(text, /ct status dnat ip saddr 10\.42\.0\.0\/24 oifname "kjb0" masquerade/);
  });
});
