import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../common/pods.js';
import { reconcileStatefulSet, revisionName, type StatefulSet } from './reconcile.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const T1 = { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'db:1' }] } };
const T2 = { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'db:2' }] } };

function sts(o: Partial<NonNullable<StatefulSet['spec']>> = {}, currentRevision?: string): StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'sts-uid', generation: 1 },
    spec: { replicas: 3, serviceName: 'nginx', selector: { matchLabels: { app: 'db' } }, template: T1, volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: {} }], ...o },
    status: currentRevision ? { replicas: 3, currentRevision } : undefined,
  };
}

const REV1 = revisionName(sts());
const REV2 = revisionName(sts({ template: T2 }));
const revisions = new Map([[REV1, T1], [REV2, T2]]);

function pod(ordinal: number, o: { ready?: boolean; rev?: string; phase?: string } = {}): Pod {
  return {
    metadata: { name: `web-${ordinal}`, namespace: 'ns', uid: `u${ordinal}`, labels: { app: 'db', 'controller-revision-hash': o.rev ?? REV1 } },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? '');

describe('reconcileStatefulSet', () => {
  const cases: Array<{ name: string; set: StatefulSet; pods: Pod[]; create: string[]; del: string[] }> = [
    { name: 'OrderedReady creates the lowest missing ordinal only', set: sts(), pods: [], create: ['web-0'], del: [] },
    { name: 'OrderedReady waits for the previous pod to be ready', set: sts(), pods: [pod(0, { ready: false })], create: [], del: [] },
    { name: 'OrderedReady continues once ready', set: sts(), pods: [pod(0)], create: ['web-1'], del: [] },
    { name: 'Parallel creates every missing pod', set: sts({ podManagementPolicy: 'Parallel' }), pods: [pod(1, { ready: false })], create: ['web-0', 'web-2'], del: [] },
    { name: 'scale down removes the highest ordinal first', set: sts({ replicas: 1 }), pods: [pod(0), pod(1), pod(2)], create: [], del: ['web-2'] },
    { name: 'failed pods are replaced', set: sts(), pods: [pod(0), pod(1, { phase: 'Failed' })], create: [], del: ['web-1'] },
    { name: 'rolling update starts at the highest ordinal', set: sts({ template: T2 }, REV1), pods: [pod(0), pod(1), pod(2)], create: [], del: ['web-2'] },
    { name: 'rolling update continues downwards', set: sts({ template: T2 }, REV1), pods: [pod(0), pod(1), pod(2, { rev: REV2 })], create: [], del: ['web-1'] },
    { name: 'rolling update stops at the partition', set: sts({ template: T2, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, REV1), pods: [pod(0), pod(1), pod(2, { rev: REV2 })], create: [], del: [] },
    { name: 'OnDelete never deletes for updates', set: sts({ template: T2, updateStrategy: { type: 'OnDelete' } }, REV1), pods: [pod(0), pod(1), pod(2)], create: [], del: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = reconcileStatefulSet({ sts: c.set, pods: c.pods, claims: new Set(), revisions, now: NOW });
      assert.deepEqual(names(plan.createPods), c.create);
      assert.deepEqual(names(plan.deletePods), c.del);
    });
  }
  test('pods get identity, claims and the revision label', () => {
    const plan = reconcileStatefulSet({ sts: sts(), pods: [], claims: new Set(), revisions: new Map(), now: NOW });
    const p = plan.createPods[0]!;
    assert.equal(p.spec?.hostname, 'web-0');
    assert.equal(p.spec?.subdomain, 'nginx');
    assert.equal(p.metadata.labels?.['controller-revision-hash'], REV1);
    assert.equal(p.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.deepEqual(p.spec?.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
    assert.deepEqual(plan.createClaims.map((c) => c.metadata.name), ['www-web-0']);
    assert.equal(plan.createRevision?.name, REV1);
  });
  test('pods below the partition are recreated from the current revision', () => {
    const plan = reconcileStatefulSet({ sts: sts({ template: T2, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, REV1), pods: [pod(1), pod(2, { rev: REV2 })], claims: new Set(['www-web-0']), revisions, now: NOW });
    assert.equal(plan.createPods[0]?.metadata.labels?.['controller-revision-hash'], REV1);
    assert.equal(plan.createClaims.length, 0);
  });
  test('status moves currentRevision once every pod is updated and ready', () => {
    const plan = reconcileStatefulSet({ sts: sts({ template: T2 }, REV1), pods: [pod(0, { rev: REV2 }), pod(1, { rev: REV2 }), pod(2, { rev: REV2 })], claims: new Set(), revisions, now: NOW });
    assert.equal(plan.status.currentRevision, REV2);
    assert.equal(plan.status.updatedReplicas, 3);
    assert.equal(plan.status.readyReplicas, 3);
  });
});
