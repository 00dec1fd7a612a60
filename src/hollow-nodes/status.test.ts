import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePod, dueLeaseRenewals, hollowNode, hollowNodeAddress, hollowPodCidr, hollowView } from './status.js';

const NOW = new Date('2026-11-29T12:00:00Z');

describe('hollow node status', () => {
  test('a registered node is Ready with the requested capacity', () => {
    const node = hollowNode({ name: 'n-7', cpu: '4', memory: '16Gi', pods: 110, index: 7 }, NOW);
    const status = node.status as { capacity: Record<string, string>; allocatable: Record<string, string>; conditions: { type: string; status: string }[]; addresses: { type: string; address: string }[] };
    assert.deepEqual(status.allocatable, { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' });
    assert.equal(status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(status.addresses[0].address, '198.18.0.7');
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'n-7');
  });

  test('addresses and pod CIDRs differ per node', () => {
    assert.notEqual(hollowNodeAddress(1), hollowNodeAddress(257));
    assert.notEqual(hollowPodCidr(1), hollowPodCidr(257));
    assert.equal(hollowPodCidr(3), '10.128.3.0/24');
  });

  const cases: { name: string; pod: Parameters<typeof decidePod>[0]; expected: string }[] = [
    { name: 'pending pod is reported running', pod: { metadata: { name: 'p', uid: 'u' }, spec: { nodeName: 'n', containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Pending' } }, expected: 'report-running' },
    { name: 'running pod needs nothing', pod: { metadata: { name: 'p' }, spec: { nodeName: 'n' }, status: { phase: 'Running' } }, expected: 'none' },
    { name: 'finished pod needs nothing', pod: { metadata: { name: 'p' }, spec: { nodeName: 'n' }, status: { phase: 'Succeeded' } }, expected: 'none' },
    { name: 'terminating pod is finished off', pod: { metadata: { name: 'p', deletionTimestamp: '2026-11-29T12:00:00Z' }, spec: { nodeName: 'n' }, status: { phase: 'Running' } }, expected: 'finish-deletion' },
  ];
  test('the trimmed view a hollow node caches decides the same as the whole pod', () => {
    const whole = {
      metadata: { name: 'p', namespace: 'ns', uid: 'u', resourceVersion: '7', labels: { a: 'b' }, managedFields: [] },
      spec: { nodeName: 'n', containers: [{ name: 'c', image: 'busybox', command: ['sleep'], env: [{ name: 'X', value: 'y' }] }], initContainers: [{ name: 'i', image: 'init' }], volumes: [{ name: 'v' }] },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
    };
    const view = hollowView(whole);
    assert.deepEqual(decidePod(view as Parameters<typeof decidePod>[0], 3, 5, NOW), decidePod(whole, 3, 5, NOW));
    assert.deepEqual(JSON.parse(JSON.stringify(view)), {
      metadata: { name: 'p', namespace: 'ns', uid: 'u', resourceVersion: '7' },
      spec: { nodeName: 'n', containers: [{ name: 'c', image: 'busybox' }], initContainers: [{ name: 'i', image: 'init' }] },
      status: { phase: 'Pending' },
    });
    const deleting = { ...whole, metadata: { ...whole.metadata, deletionTimestamp: '2026-11-29T12:00:00Z' } };
    assert.equal(decidePod(hollowView(deleting) as Parameters<typeof decidePod>[0], 0, 0, NOW).type, 'finish-deletion');
  });

  for (const c of cases) {
    test(c.name, () => assert.equal(decidePod(c.pod, 0, 0, NOW).type, c.expected));
  }

  test('the running status carries ready conditions and container states', () => {
    const action = decidePod({ metadata: { name: 'p', uid: 'u' }, spec: { nodeName: 'n', containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } }, 2, 5, NOW);
    assert.equal(action.type, 'report-running');
    if (action.type !== 'report-running') return;
    const status = action.status as { podIP: string; conditions: { type: string; status: string }[]; containerStatuses: { name: string; ready: boolean; state: { running?: unknown } }[] };
    assert.equal(status.podIP, '10.128.2.7');
    assert.ok(status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.deepEqual(status.containerStatuses.map((c) => [c.name, c.ready, Boolean(c.state.running)]), [['a', true, true], ['b', true, true]]);
  });
});

describe('lease renewals spread over the interval', () => {
  test('4 nodes, 1 s interval: one renewal every 250 ms, in node order, round after round', () => {
    assert.deepEqual(dueLeaseRenewals(0, 0, 1000, 4), { nodes: [], next: 0, waitMs: 250 });
    assert.deepEqual(dueLeaseRenewals(0, 250, 1000, 4), { nodes: [0], next: 1, waitMs: 250 });
    assert.deepEqual(dueLeaseRenewals(1, 760, 1000, 4), { nodes: [1, 2], next: 3, waitMs: 240 });
    assert.deepEqual(dueLeaseRenewals(3, 1000, 1000, 4), { nodes: [3], next: 4, waitMs: 250 });
    assert.deepEqual(dueLeaseRenewals(4, 1250, 1000, 4), { nodes: [0], next: 5, waitMs: 250 });
  });

  test('every node renews within one interval of registration', () => {
    const count = 5000;
    const renewed = new Set<number>();
    let next = 0;
    for (let elapsed = 0; elapsed <= 40_000; elapsed += 100) {
      const step = dueLeaseRenewals(next, elapsed, 40_000, count);
      step.nodes.forEach((n) => renewed.add(n));
      next = step.next;
      assert.ok(step.nodes.length <= 13, `at most ${count / 400} per 100 ms tick, got ${step.nodes.length}`);
    }
    assert.equal(renewed.size, count);
  });

  test('a heartbeat that fell behind renews each late node once', () => {
    const step = dueLeaseRenewals(2, 3500, 1000, 4);
    assert.deepEqual(step.nodes, [2, 3, 0, 1]);
    assert.equal(step.next, 14);
    assert.equal(step.waitMs, 250);
  });

  test('the wait has a floor, so a huge node count does not spin', () => {
    assert.equal(dueLeaseRenewals(0, 0, 10_000, 100_000, 50).waitMs, 50);
  });
});
