import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint } from '../../machinery/tolerations.js';
import { desiredTaints, nodeHealth, reconcileNode } from './reconcile.js';
import type { Lease, Node, NodeCondition } from './types.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const iso = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);
const GRACE = 40_000;

function cond(type: string, status: string, heartbeatSec = 0): NodeCondition {
  return { type, status, lastHeartbeatTime: iso(heartbeatSec), lastTransitionTime: iso(heartbeatSec), reason: 'KubeletSays', message: 'm' };
}
function node(conditions: NodeCondition[] | undefined, taints?: Taint[], extra: Partial<Node['spec']> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: iso(-100) }, spec: { ...(taints ? { taints } : {}), ...extra }, status: conditions ? { conditions } : {} };
}
function lease(renewSec: number): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(T0 + renewSec * 1000).toISOString() } };
}
const healthy = (hb = 0): NodeCondition[] => [cond('MemoryPressure', 'False', hb), cond('DiskPressure', 'False', hb), cond('PIDPressure', 'False', hb), cond('Ready', 'True', hb)];

describe('nodeHealth', () => {
  const cases: Array<{ name: string; node: Node; lease?: Lease; now: number; stale: boolean }> = [
    { name: 'fresh heartbeat, no lease', node: node(healthy(0)), now: 30, stale: false },
    { name: 'old heartbeat, no lease', node: node(healthy(0)), now: 41, stale: true },
    { name: 'old heartbeat, fresh lease', node: node(healthy(0)), lease: lease(100), now: 120, stale: false },
    { name: 'old heartbeat, old lease', node: node(healthy(0)), lease: lease(100), now: 141, stale: true },
    { name: 'exactly at the grace period is not stale yet', node: node(healthy(0)), lease: lease(0), now: 40, stale: false },
    { name: 'never reported: counts from creation', node: node(undefined), now: -70, stale: false },
    { name: 'never reported, long ago', node: node(undefined), now: 0, stale: true },
  ];
  for (const c of cases) test(c.name, () => assert.equal(nodeHealth(c.node, c.lease, at(c.now), GRACE).stale, c.stale));
});

describe('reconcileNode', () => {
  test('a silent node goes Unknown with NodeStatusUnknown and gets unreachable taints', () => {
    const plan = reconcileNode({ node: node(healthy(0), [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), lease: lease(10), now: at(60), gracePeriodMs: GRACE });
    assert.equal(plan.ready, 'Unknown');
    assert.equal(plan.markPodsNotReady, true);
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = plan.conditions?.find((x) => x.type === type);
      assert.equal(c?.status, 'Unknown', type);
      assert.equal(c?.reason, 'NodeStatusUnknown');
      assert.equal(c?.message, 'Kubelet stopped posting node status.');
      assert.equal(c?.lastHeartbeatTime, iso(0), 'heartbeat kept');
      assert.equal(c?.lastTransitionTime, iso(60));
    }
    assert.deepEqual(plan.taints, [
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(60) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ]);
  });

  test('a healthy node needs nothing and is re-checked when it would turn stale', () => {
    const plan = reconcileNode({ node: node(healthy(0)), lease: lease(10), now: at(20), gracePeriodMs: GRACE });
    assert.equal(plan.conditions, undefined);
    assert.equal(plan.taints, undefined);
    assert.equal(plan.markPodsNotReady, false);
    assert.equal(plan.recheckAfterMs, 30_001);
  });

  test('an already Unknown node is left alone (no new transition time, taints kept)', () => {
    const first = reconcileNode({ node: node(healthy(0)), now: at(60), gracePeriodMs: GRACE });
    const after = node(first.conditions, first.taints);
    const second = reconcileNode({ node: after, now: at(65), gracePeriodMs: GRACE });
    assert.equal(second.conditions, undefined);
    assert.equal(second.taints, undefined);
  });

  test('a node that never reported gets NodeStatusNeverUpdated conditions', () => {
    const plan = reconcileNode({ node: node(undefined), now: at(0), gracePeriodMs: GRACE });
    assert.equal(plan.conditions?.length, 4);
    assert.ok(plan.conditions?.every((c) => c.status === 'Unknown' && c.reason === 'NodeStatusNeverUpdated'));
  });

  test('recovery removes the readiness taints', () => {
    const taints: Taint[] = [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(60) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ];
    const plan = reconcileNode({ node: node(healthy(100), taints), now: at(101), gracePeriodMs: GRACE });
    assert.deepEqual(plan.taints, []);
    assert.equal(plan.conditions, undefined);
  });
});

describe('desiredTaints', () => {
  const nr = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(5) };
  const cases: Array<{ name: string; conditions: NodeCondition[]; taints?: Taint[]; unschedulable?: boolean; want: Taint[] }> = [
    {
      name: 'Ready=False: not-ready NoExecute (new timeAdded) and NoSchedule',
      conditions: [cond('Ready', 'False')],
      want: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(9) }, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }],
    },
    {
      name: 'Ready=False keeps the existing timeAdded',
      conditions: [cond('Ready', 'False')],
      taints: [nr],
      want: [nr, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }],
    },
    {
      name: 'Unknown replaces not-ready with unreachable',
      conditions: [cond('Ready', 'Unknown')],
      taints: [nr],
      want: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(9) }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }],
    },
    { name: 'pressure conditions add NoSchedule taints', conditions: [cond('Ready', 'True'), cond('DiskPressure', 'True')], want: [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }] },
    { name: 'cordoned node gets unschedulable', conditions: [cond('Ready', 'True')], unschedulable: true, want: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
    { name: 'foreign taints stay', conditions: [cond('Ready', 'True')], taints: [{ key: 'x', effect: 'NoExecute' }], want: [{ key: 'x', effect: 'NoExecute' }] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const n = node(c.conditions, c.taints, c.unschedulable ? { unschedulable: true } : {});
      assert.deepEqual(desiredTaints(n, c.conditions, at(9)), c.want);
    });
  }
});
