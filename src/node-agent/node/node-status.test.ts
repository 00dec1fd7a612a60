import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocatePodCidr, conditionsChanged, nodeConditions, nodeObject, osImageFrom } from './node-status.js';

test('pod CIDR allocation is deterministic, inside the cluster CIDR and never the first /24', () => {
  const cases = ['node-a', 'node-b', 'worker-17'];
  for (const name of cases) {
    const cidr = allocatePodCidr('10.42.0.0/16', name);
    assert.equal(cidr, allocatePodCidr('10.42.0.0/16', name));
    assert.match(cidr, /^10\.42\.(\d+)\.0\/24$/);
    assert.notEqual(cidr, '10.42.0.0/24');
  }
});

test('osImage from /etc/os-release', () => {
  assert.equal(osImageFrom('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(osImageFrom(''), 'Linux');
});

test('node conditions keep transition times and report changes only on status/reason', () => {
  const first = nodeConditions({ memory: false, disk: false, pid: false }, 'T1');
  assert.deepEqual(first.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
  const second = nodeConditions({ memory: false, disk: false, pid: false }, 'T2', first);
  assert.equal(second[0]!.lastTransitionTime, 'T1');
  assert.equal(second[0]!.lastHeartbeatTime, 'T2');
  assert.ok(!conditionsChanged(first, second));
  const third = nodeConditions({ memory: false, disk: true, pid: false }, 'T3', second);
  assert.ok(conditionsChanged(second, third));
  assert.equal(third[1]!.reason, 'KubeletHasDiskPressure');
});

test('node object advertises capacity, addresses, runtime and the streaming port', () => {
  const node = nodeObject({ name: 'n1', internalIp: '127.0.0.1', hostname: 'h', podCidr: '10.42.0.0/24', cpus: 2, memoryBytes: 2 * 1024 ** 3, ephemeralStorageBytes: 10 * 1024 ** 3, maxPods: 110, kernelVersion: '6.1', osImage: 'Debian', runtimeVersion: 'crun://1.8.1', architecture: 'amd64', streamingPort: 10250 }, { memory: false, disk: false, pid: false }, 'T') as Record<string, any>;
  assert.equal(node.spec.podCIDR, '10.42.0.0/24');
  assert.deepEqual(node.status.capacity, { cpu: '2', memory: '2097152Ki', pods: '110', 'ephemeral-storage': '10485760Ki', 'hugepages-2Mi': '0' });
  assert.deepEqual(node.status.addresses, [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'h' }]);
  assert.equal(node.status.daemonEndpoints.kubeletEndpoint.Port, 10250);
  assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.4-kijabi');
  assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'n1');
});

test('a separate loopback streaming address is listed as the first InternalIP, the node IP next', () => {
  const facts = { name: 'n2', internalIp: '10.254.0.2', hostname: 'h', podCidr: '10.42.1.0/24', cpus: 2, memoryBytes: 2 * 1024 ** 3, ephemeralStorageBytes: 10 * 1024 ** 3, maxPods: 110, kernelVersion: '6.1', osImage: 'Debian', runtimeVersion: 'crun://1.8.1', architecture: 'amd64', streamingPort: 10250 };
  const cases: [string | undefined, { type: string; address: string }[]][] = [
    ['127.0.0.1', [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'InternalIP', address: '10.254.0.2' }, { type: 'Hostname', address: 'h' }]],
    ['10.254.0.2', [{ type: 'InternalIP', address: '10.254.0.2' }, { type: 'Hostname', address: 'h' }]],
    [undefined, [{ type: 'InternalIP', address: '10.254.0.2' }, { type: 'Hostname', address: 'h' }]],
  ];
  for (const [streamingAddress, want] of cases) {
    const node = nodeObject({ ...facts, streamingAddress }, { memory: false, disk: false, pid: false }, 'T') as Record<string, any>;
    assert.deepEqual(node.status.addresses, want);
  }
});
