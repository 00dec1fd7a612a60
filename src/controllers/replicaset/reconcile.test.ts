import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { slowStartBatch, type Pod } from '../common/pods.js';
import { rankPodsForDeletion, reconcileReplicaSet, type ReplicaSet } from './reconcile.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; restarts?: number; created?: string; owner?: string; labels?: Record<string, string>; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web' },
      creationTimestamp: o.created ?? '2024-05-01T10:00:00Z',
      ownerReferences: o.owner === undefined ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }] : o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `${o.owner}-uid`, controller: true }] : [],
      deletionTimestamp: o.deleting ? '2024-05-01T11:00:00Z' : undefined,
    },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2024-05-01T11:00:00Z' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

function rs(replicas: number, minReadySeconds = 0): ReplicaSet {
  return {
    metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid', generation: 3 },
    spec: { replicas, minReadySeconds, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'x' } } } },
  };
}

describe('scale-down ordering', () => {
  const cases: Array<{ name: string; pods: Pod[]; first: string }> = [
    { name: 'unscheduled before scheduled', pods: [pod('a', { node: 'n1', ready: true }), pod('b', { phase: 'Pending' })], first: 'b' },
    { name: 'pending before running', pods: [pod('a', { node: 'n1' }), pod('b', { node: 'n1', phase: 'Pending' })], first: 'b' },
    { name: 'not ready before ready', pods: [pod('a', { node: 'n1', ready: true }), pod('b', { node: 'n1' })], first: 'b' },
    { name: 'ready more recently first', pods: [pod('a', { node: 'n1', ready: true, readySince: '2024-05-01T09:00:00Z' }), pod('b', { node: 'n1', ready: true, readySince: '2024-05-01T11:00:00Z' })], first: 'b' },
    { name: 'more restarts first', pods: [pod('a', { node: 'n1', restarts: 1 }), pod('b', { node: 'n1', restarts: 5 })], first: 'b' },
    { name: 'younger first', pods: [pod('a', { node: 'n1', created: '2024-05-01T09:00:00Z' }), pod('b', { node: 'n1', created: '2024-05-01T11:00:00Z' })], first: 'b' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(rankPodsForDeletion(c.pods, 1)[0]?.metadata.name, c.first);
      assert.equal(rankPodsForDeletion([...c.pods].reverse(), 1)[0]?.metadata.name, c.first);
    });
  }
});

describe('reconcileReplicaSet', () => {
  const cases: Array<{ name: string; rs: ReplicaSet; pods: Pod[]; satisfied?: boolean; create: number; del: string[]; adopt?: string[]; release?: string[]; replicas: number; ready?: number; available?: number }> = [
    { name: 'creates missing pods', rs: rs(3), pods: [pod('a', { node: 'n' })], create: 2, del: [], replicas: 1 },
    { name: 'waits for expectations', rs: rs(3), pods: [], satisfied: false, create: 0, del: [], replicas: 0 },
    { name: 'deletes surplus, unready first', rs: rs(1), pods: [pod('a', { node: 'n', ready: true }), pod('b', { node: 'n' })], create: 0, del: ['b'], replicas: 2, ready: 1, available: 1 },
    { name: 'ignores terminating and finished pods', rs: rs(2), pods: [pod('a', { deleting: true }), pod('b', { phase: 'Succeeded' }), pod('c', { node: 'n' })], create: 1, del: [], replicas: 1 },
    { name: 'adopts orphans that match', rs: rs(2), pods: [pod('o', { owner: '' }), pod('x', { owner: '', labels: { app: 'other' } })], create: 1, del: [], adopt: ['o'], replicas: 1 },
    { name: 'leaves pods of other owners alone', rs: rs(1), pods: [pod('p', { owner: 'other' })], create: 1, del: [], replicas: 0 },
    { name: 'releases pods that stop matching', rs: rs(1), pods: [pod('r', { labels: { app: 'moved' } })], create: 1, del: [], release: ['r'], replicas: 0 },
    { name: 'minReadySeconds gates availability', rs: rs(2, 600), pods: [pod('a', { node: 'n', ready: true, readySince: '2024-05-01T11:55:00Z' }), pod('b', { node: 'n', ready: true, readySince: '2024-05-01T11:00:00Z' })], create: 0, del: [], replicas: 2, ready: 2, available: 1 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = reconcileReplicaSet({ rs: c.rs, pods: c.pods, now: NOW, expectationsSatisfied: c.satisfied ?? true });
      assert.equal(plan.create, c.create);
      assert.deepEqual(plan.delete.map((p) => p.metadata.name), c.del);
      assert.deepEqual(plan.adopt.map((p) => p.metadata.name), c.adopt ?? []);
      assert.deepEqual(plan.release.map((p) => p.metadata.name), c.release ?? []);
      assert.equal(plan.status.replicas, c.replicas);
      assert.equal(plan.status.observedGeneration, 3);
      if (c.ready !== undefined) assert.equal(plan.status.readyReplicas, c.ready);
      if (c.available !== undefined) assert.equal(plan.status.availableReplicas, c.available);
    });
  }
  test('requeues when a ready pod will become available', () => {
    const plan = reconcileReplicaSet({ rs: rs(1, 600), pods: [pod('a', { node: 'n', ready: true, readySince: '2024-05-01T11:55:00Z' })], now: NOW, expectationsSatisfied: true });
    assert.equal(plan.requeueAfterMs, 300_000);
  });
});

describe('slowStartBatch', () => {
  test('batches grow 1, 2, 4 and stop at the first failing batch', async () => {
    const calls: number[] = [];
    const result = await slowStartBatch(10, 1, async (i) => {
      calls.push(i);
      if (i === 4) throw new Error('quota');
    });
    // batches: [0], [1,2], [3,4,5,6] -> stops after the third batch
    assert.deepEqual(calls, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(result.successes, 6);
    assert.ok(result.error);
  });
});
