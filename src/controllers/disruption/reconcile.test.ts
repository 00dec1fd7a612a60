import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../common/pods.js';
import { reconcilePdb, type PodDisruptionBudget } from './reconcile.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const pod = (name: string, ready: boolean, owner = 'rs'): Pod => ({
  metadata: { name, namespace: 'ns', labels: { app: 'web' }, ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `${owner}-uid`, controller: true }] : [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (spec: NonNullable<PodDisruptionBudget['spec']>, disruptedPods?: Record<string, string>): PodDisruptionBudget => ({
  metadata: { name: 'b', namespace: 'ns', generation: 4 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status: disruptedPods ? { disruptedPods, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } : undefined,
});
const scaleOf = () => ({ uid: 'deploy-uid', replicas: 4 });

describe('reconcilePdb', () => {
  const three = [pod('a', true), pod('b', true), pod('c', true), pod('d', false)];
  const cases: Array<{ name: string; pdb: PodDisruptionBudget; pods: Pod[]; want: [number, number, number, number]; reason: string }> = [
    { name: 'minAvailable count', pdb: pdb({ minAvailable: 2 }), pods: three, want: [3, 2, 1, 4], reason: 'SufficientPods' },
    { name: 'minAvailable percent rounds up', pdb: pdb({ minAvailable: '50%' }), pods: three, want: [3, 2, 1, 4], reason: 'SufficientPods' },
    { name: 'maxUnavailable uses the controller scale', pdb: pdb({ maxUnavailable: 1 }), pods: three, want: [3, 3, 0, 4], reason: 'InsufficientPods' },
    { name: 'maxUnavailable percent', pdb: pdb({ maxUnavailable: '50%' }), pods: three, want: [3, 2, 1, 4], reason: 'SufficientPods' },
    { name: 'recently evicted pods are not healthy', pdb: pdb({ minAvailable: 2 }, { a: '2024-05-01T11:59:30Z' }), pods: three, want: [2, 2, 0, 4], reason: 'InsufficientPods' },
    { name: 'expired eviction records are dropped', pdb: pdb({ minAvailable: 2 }, { a: '2024-05-01T11:50:00Z' }), pods: three, want: [3, 2, 1, 4], reason: 'SufficientPods' },
    { name: 'pods without controller fail safe', pdb: pdb({ maxUnavailable: 1 }), pods: [pod('x', true, '')], want: [1, 0, 0, 0], reason: 'SyncFailed' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = reconcilePdb({ pdb: c.pdb, pods: c.pods, scaleOf, now: NOW });
      const s = plan.status;
      assert.deepEqual([s.currentHealthy, s.desiredHealthy, s.disruptionsAllowed, s.expectedPods], c.want);
      assert.equal(s.conditions?.[0]?.reason, c.reason);
      assert.equal(s.observedGeneration, 4);
    });
  }
});
