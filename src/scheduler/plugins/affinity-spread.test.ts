import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import type { Node, Pod, PodAffinityTerm, TopologySpreadConstraint } from '../framework/types.js';
import { makeNode, makePod, preFiltered } from '../testing/builders.js';
import { newInterPodAffinity } from './inter-pod-affinity/inter-pod-affinity.js';
import { newPodTopologySpread } from './pod-topology-spread/pod-topology-spread.js';
import type { AnyPlugin } from '../framework/interfaces.js';

const zoneNodes = (): Node[] => [makeNode('a1', { labels: { zone: 'a' } }), makeNode('a2', { labels: { zone: 'a' } }), makeNode('b1', { labels: { zone: 'b' } }), makeNode('x', {})];
const term = (app: string, topologyKey = 'zone'): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });

/** Node names that pass the plugin's filter. */
function feasible(plugin: AnyPlugin, pod: Pod, nodes: Node[], existing: Pod[]): string[] {
  const snapshot = Snapshot.build(nodes, existing);
  const state = preFiltered(plugin, pod, snapshot);
  if (state.skipFilter.has(plugin.name)) return snapshot.list().map((n) => n.name);
  return snapshot.list().filter((n) => !plugin.filter!(state, pod, n)).map((n) => n.name);
}

describe('InterPodAffinity filter', () => {
  const db = makePod({ labels: { app: 'db' }, node: 'a1' });
  const cases: Array<{ name: string; pod: Pod; existing: Pod[]; want: string[] }> = [
    { name: 'no terms: every node', pod: makePod(), existing: [db], want: ['a1', 'a2', 'b1', 'x'] },
    { name: 'affinity to db zone', pod: makePod({ spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } }), existing: [db], want: ['a1', 'a2'] },
    { name: 'anti-affinity to db zone', pod: makePod({ spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } }), existing: [db], want: ['b1', 'x'] },
    { name: 'anti-affinity per host', pod: makePod({ spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'kubernetes.io/hostname')] } } } }), existing: [db], want: ['a2', 'b1', 'x'] },
    {
      name: 'first pod of a self-affine group may go anywhere with the key',
      pod: makePod({ labels: { app: 'web' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } }),
      existing: [db],
      want: ['a1', 'a2', 'b1'],
    },
    {
      name: "existing pod's anti-affinity repels the incoming pod",
      pod: makePod({ labels: { app: 'web' } }),
      existing: [makePod({ labels: { app: 'db' }, node: 'b1', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } })],
      want: ['a1', 'a2', 'x'],
    },
    { name: 'other namespace does not count', pod: makePod({ namespace: 'other', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } }), existing: [db], want: ['a1', 'a2', 'b1', 'x'] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(feasible(newInterPodAffinity(), c.pod, zoneNodes(), c.existing), c.want));

  test('reasons', () => {
    const plugin = newInterPodAffinity();
    const snapshot = Snapshot.build(zoneNodes(), [db]);
    const anti = makePod({ spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } });
    const aff = makePod({ spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } });
    assert.deepEqual(plugin.filter(preFiltered(plugin, anti, snapshot), anti, snapshot.get('a2')!)?.reasons, ["node(s) didn't match pod anti-affinity rules"]);
    assert.deepEqual(plugin.filter(preFiltered(plugin, aff, snapshot), aff, snapshot.get('b1')!)?.reasons, ["node(s) didn't match pod affinity rules"]);
  });

  test('preferred affinity scores the db zone higher', () => {
    const plugin = newInterPodAffinity();
    const snapshot = Snapshot.build(zoneNodes(), [db]);
    const pod = makePod({ spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('db') }] } } } });
    const state = preFiltered(plugin, pod, snapshot);
    plugin.preScore(state, pod, snapshot.list(), snapshot);
    const scores = snapshot.list().map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    plugin.normalizeScore!(state, pod, scores);
    assert.deepEqual(scores.map((s) => s.score), [100, 100, 0, 0]);
  });
});

describe('PodTopologySpread filter', () => {
  const spread = (c: Partial<TopologySpreadConstraint>): Pod =>
    makePod({ labels: { app: 'web' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...c }] } });
  const web = (node: string): Pod => makePod({ labels: { app: 'web' }, node });
  const cases: Array<{ name: string; pod: Pod; existing: Pod[]; want: string[] }> = [
    { name: 'empty cluster: both zones', pod: spread({}), existing: [], want: ['a1', 'a2', 'b1'] },
    { name: 'zone a ahead by one: only b', pod: spread({}), existing: [web('a1')], want: ['b1'] },
    { name: 'balanced: both', pod: spread({}), existing: [web('a1'), web('b1')], want: ['a1', 'a2', 'b1'] },
    { name: 'maxSkew 2 allows a', pod: spread({ maxSkew: 2 }), existing: [web('a1')], want: ['a1', 'a2', 'b1'] },
    { name: 'minDomains above domain count: min is 0', pod: spread({ minDomains: 3 }), existing: [web('b1')], want: ['a1', 'a2'] },
    { name: 'non-matching pods do not count', pod: spread({}), existing: [makePod({ labels: { app: 'db' }, node: 'a1' })], want: ['a1', 'a2', 'b1'] },
    { name: 'ScheduleAnyway does not filter', pod: spread({ whenUnsatisfiable: 'ScheduleAnyway' }), existing: [web('a1')], want: ['a1', 'a2', 'b1', 'x'] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(feasible(newPodTopologySpread(), c.pod, zoneNodes(), c.existing), c.want));

  test('missing label reason', () => {
    const plugin = newPodTopologySpread();
    const snapshot = Snapshot.build(zoneNodes(), []);
    const pod = spread({});
    assert.deepEqual(plugin.filter(preFiltered(plugin, pod, snapshot), pod, snapshot.get('x')!)?.reasons, ["node(s) didn't match pod topology spread constraints (missing required label)"]);
  });

  test('ScheduleAnyway scores the emptier zone higher', () => {
    const plugin = newPodTopologySpread();
    const snapshot = Snapshot.build(zoneNodes(), [web('a1'), web('a2')]);
    const pod = spread({ whenUnsatisfiable: 'ScheduleAnyway' });
    const state = preFiltered(plugin, pod, snapshot);
    const nodes = snapshot.list().filter((n) => n.name !== 'x');
    plugin.preScore(state, pod, nodes, snapshot);
    const scores = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    plugin.normalizeScore!(state, pod, scores);
    const byName = Object.fromEntries(scores.map((s) => [s.name, s.score]));
    assert.ok(byName.b1! > byName.a1!, JSON.stringify(byName));
  });
});
