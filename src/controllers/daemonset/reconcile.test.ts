import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../common/pods.js';
import { computeTemplateHash } from '../deployment/hash.js';
import { shouldRunOnNode, targetNodeOf, type NodeObject } from './eligibility.js';
import { reconcileDaemonSet, type DaemonSet } from './reconcile.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const T1 = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'a:1' }] } };
const T2 = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'a:2' }] } };
const node = (name: string, o: { labels?: Record<string, string>; taints?: NonNullable<NodeObject['spec']>['taints'] } = {}): NodeObject => ({ metadata: { name, labels: o.labels ?? {} }, spec: { taints: o.taints } });
const ds = (template = T1, maxUnavailable: number | string = 1): DaemonSet => ({ metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: 2 }, spec: { selector: { matchLabels: { app: 'agent' } }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable } } } });
const pod = (name: string, nodeName: string, o: { hash?: string; ready?: boolean } = {}): Pod => ({
  metadata: { name, namespace: 'ns', uid: name, labels: { app: 'agent', 'controller-revision-hash': o.hash ?? computeTemplateHash(T1) } },
  spec: { nodeName },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

describe('node eligibility', () => {
  const cases: Array<{ name: string; spec: Parameters<typeof shouldRunOnNode>[0]; node: NodeObject; want: boolean }> = [
    { name: 'plain node', spec: {}, node: node('a'), want: true },
    { name: 'nodeSelector mismatch', spec: { nodeSelector: { disk: 'ssd' } }, node: node('a'), want: false },
    { name: 'nodeSelector match', spec: { nodeSelector: { disk: 'ssd' } }, node: node('a', { labels: { disk: 'ssd' } }), want: true },
    { name: 'NoSchedule taint not tolerated', spec: {}, node: node('a', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }), want: false },
    { name: 'taint tolerated', spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] }, node: node('a', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }), want: true },
    { name: 'default tolerations cover unschedulable and not-ready', spec: {}, node: node('a', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), want: true },
    { name: 'PreferNoSchedule ignored', spec: {}, node: node('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), want: true },
    { name: 'required affinity', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } } }, node: node('n', { labels: { zone: 'b' } }), want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(shouldRunOnNode(c.spec, c.node), c.want));
});

describe('reconcileDaemonSet', () => {
  test('creates one pinned pod per eligible node', () => {
    const plan = reconcileDaemonSet({ ds: ds(), nodes: [node('a'), node('b'), node('c', { taints: [{ key: 'k', effect: 'NoSchedule' }] })], pods: [pod('p-a', 'a')], now: NOW });
    assert.deepEqual(plan.create.map((p) => targetNodeOf(p.spec)), ['b']);
    assert.equal(plan.create[0]?.spec?.nodeName, undefined);
    assert.ok(plan.create[0]?.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/not-ready'));
    assert.deepEqual([plan.status.desiredNumberScheduled, plan.status.currentNumberScheduled, plan.status.numberReady], [2, 1, 1]);
  });
  test('removes pods from ineligible nodes and duplicates', () => {
    const plan = reconcileDaemonSet({ ds: ds(), nodes: [node('a'), node('c', { taints: [{ key: 'k', effect: 'NoSchedule' }] })], pods: [pod('p-a', 'a'), pod('p-a2', 'a'), pod('p-c', 'c')], now: NOW });
    assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), ['p-a2', 'p-c']);
    assert.equal(plan.status.numberMisscheduled, 1);
  });
  test('rolling update replaces at most maxUnavailable available pods', () => {
    const plan = reconcileDaemonSet({ ds: ds(T2, 1), nodes: [node('a'), node('b'), node('c')], pods: [pod('p-a', 'a'), pod('p-b', 'b'), pod('p-c', 'c')], now: NOW });
    assert.equal(plan.delete.length, 1);
    assert.equal(plan.status.updatedNumberScheduled, 0);
  });
  test('rolling update waits while a node is unavailable, but replaces unavailable old pods', () => {
    const plan = reconcileDaemonSet({ ds: ds(T2, 1), nodes: [node('a'), node('b')], pods: [pod('p-a', 'a', { ready: false }), pod('p-b', 'b')], now: NOW });
    assert.deepEqual(plan.delete.map((p) => p.metadata.name), ['p-a']);
  });
  test('percent maxUnavailable rounds up', () => {
    const plan = reconcileDaemonSet({ ds: ds(T2, '50%'), nodes: [node('a'), node('b'), node('c')], pods: [pod('p-a', 'a'), pod('p-b', 'b'), pod('p-c', 'c')], now: NOW });
    assert.equal(plan.delete.length, 2);
  });
});
