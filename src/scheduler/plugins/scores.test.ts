import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../framework/cycle-state.js';
import type { NodeScore } from '../framework/interfaces.js';
import { Snapshot } from '../framework/snapshot.js';
import { makeNode, makePod, nodeInfoWith } from '../testing/builders.js';
import { balanceScore, newBalancedAllocation } from './balanced-allocation/balanced-allocation.js';
import { newImageLocality } from './image-locality/image-locality.js';
import { defaultNormalize, newNodeAffinity } from './node-affinity/node-affinity.js';
import { newNodeResourcesFit } from './node-resources-fit/node-resources-fit.js';
import { leastAllocatedScore, mostAllocatedScore, requestedToCapacityRatioScorer, shapeFunction } from './node-resources-fit/scoring.js';
import { newTaintToleration } from './taint-toleration/taint-toleration.js';

describe('resource scoring functions', () => {
  const cases: Array<[string, number, number, number]> = [
    ['least: half used', leastAllocatedScore(50, 100), 0, 50],
    ['least: over capacity', leastAllocatedScore(150, 100), 0, 0],
    ['least: empty', leastAllocatedScore(0, 100), 0, 100],
    ['most: 3/4 used', mostAllocatedScore(75, 100), 0, 75],
    ['most: over capacity caps at 100', mostAllocatedScore(150, 100), 0, 100],
    ['most: no capacity', mostAllocatedScore(1, 0), 0, 0],
    ['shape: midpoint', shapeFunction([{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }])(50), 0, 50],
    ['shape: below first point', shapeFunction([{ utilization: 20, score: 2 }, { utilization: 100, score: 10 }])(0), 0, 20],
    ['ratio: full node', requestedToCapacityRatioScorer([{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }])(200, 100), 0, 0],
    ['balance: equal fractions', balanceScore([0.5, 0.5]), 0, 100],
    ['balance: 0.2 vs 0.8', balanceScore([0.2, 0.8]), 0, 70],
  ];
  for (const [name, got, , want] of cases) test(name, () => assert.equal(got, want));
});

describe('score plugins', () => {
  const node = makeNode('a', { cpu: '4', memory: '8Gi' });
  const busy = nodeInfoWith(node, [makePod({ cpu: '2', memory: '4Gi', node: 'a' })]);
  const empty = nodeInfoWith(makeNode('b', { cpu: '4', memory: '8Gi' }));
  const pod = makePod({ cpu: '1', memory: '2Gi' });
  const cases: Array<{ name: string; score: () => [number, number]; check: (busy: number, empty: number) => boolean }> = [
    { name: 'LeastAllocated prefers the empty node', score: () => scoreBoth(newNodeResourcesFit()), check: (b, e) => e > b && e === 75 && b === 25 },
    { name: 'MostAllocated prefers the busy node', score: () => scoreBoth(newNodeResourcesFit({ scoringStrategy: { type: 'MostAllocated' } })), check: (b, e) => b > e && b === 75 },
    {
      name: 'RequestedToCapacityRatio follows the shape',
      score: () => scoreBoth(newNodeResourcesFit({ scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } })),
      check: (b, e) => b === 75 && e === 25,
    },
    {
      name: 'weights by resource',
      score: () => scoreBoth(newNodeResourcesFit({ scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] } })),
      check: (b) => b === 75,
    },
    { name: 'BalancedAllocation equal on both', score: () => scoreBoth(newBalancedAllocation()), check: (b, e) => b === 100 && e === 100 },
  ];
  function scoreBoth(plugin: ReturnType<typeof newNodeResourcesFit> | ReturnType<typeof newBalancedAllocation>): [number, number] {
    const state = new CycleState();
    return [plugin.score(state, pod, busy), plugin.score(state, pod, empty)];
  }
  for (const c of cases) {
    test(c.name, () => {
      const [b, e] = c.score();
      assert.ok(c.check(b, e), `busy=${b} empty=${e}`);
    });
  }

  test('TaintToleration counts untolerated PreferNoSchedule taints, normalised in reverse', () => {
    const plugin = newTaintToleration();
    const tainted = nodeInfoWith(makeNode('t', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'y', effect: 'PreferNoSchedule' }] }));
    const state = new CycleState();
    const scores: NodeScore[] = [
      { name: 't', score: plugin.score(state, pod, tainted) },
      { name: 'b', score: plugin.score(state, pod, empty) },
    ];
    assert.deepEqual(scores.map((s) => s.score), [2, 0]);
    plugin.normalizeScore!(state, pod, scores);
    assert.deepEqual(scores.map((s) => s.score), [0, 100]);
  });

  test('NodeAffinity preferred weights, normalised to the best', () => {
    const plugin = newNodeAffinity();
    const p = makePod({ spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } }, { weight: 30, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }] } } } });
    const state = new CycleState();
    const infos = [nodeInfoWith(makeNode('x', { labels: { zone: 'z1' } })), nodeInfoWith(makeNode('y', { labels: { zone: 'z1', ssd: '' } })), nodeInfoWith(makeNode('z'))];
    const scores = infos.map((i) => ({ name: i.name, score: plugin.score(state, p, i) }));
    assert.deepEqual(scores.map((s) => s.score), [10, 40, 0]);
    defaultNormalize(scores, false);
    assert.deepEqual(scores.map((s) => s.score), [25, 100, 0]);
  });

  test('ImageLocality prefers nodes holding the image', () => {
    const plugin = newImageLocality();
    const withImage = makeNode('img', { images: [{ names: ['docker.io/library/nginx:1.25'], sizeBytes: 500 * 1024 * 1024 }] });
    const without = makeNode('none');
    const snapshot = Snapshot.build([withImage, without], []);
    const p = makePod({ image: 'nginx:1.25' });
    const state = new CycleState();
    plugin.preScore(state, p, snapshot.list(), snapshot);
    const a = plugin.score(state, p, snapshot.get('img')!);
    const b = plugin.score(state, p, snapshot.get('none')!);
    assert.ok(a > 0 && b === 0, `a=${a} b=${b}`);
  });
});
