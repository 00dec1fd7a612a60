import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeFramework, makeNode, makePod } from '../testing/builders.js';
import { FitError, numFeasibleNodesToFind, PodPlacer } from './schedule-cycle.js';
import { Snapshot } from './snapshot.js';

describe('numFeasibleNodesToFind', () => {
  const cases: Array<[number, number, number]> = [
    [0, 50, 50],
    [0, 100, 100],
    [0, 1000, 420],
    [0, 5000, 500],
    [0, 6000, 300],
    [0, 20000, 1000],
    [30, 1000, 300],
    [1, 1000, 100],
    [100, 5000, 5000],
  ];
  for (const [pct, nodes, want] of cases) test(`${pct}% of ${nodes}`, () => assert.equal(numFeasibleNodesToFind(pct, nodes), want));
});

describe('scheduling cycle', () => {
  test('FailedScheduling message groups and sorts reasons, then preemption', () => {
    const nodes = [
      makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      makeNode('w1', { cpu: '1' }),
      makeNode('w2', { cpu: '1' }),
    ];
    const snapshot = Snapshot.build(nodes, []);
    const fw = makeFramework(snapshot);
    const pod = makePod({ cpu: '2' });
    const state = fw.newCycleState();
    let err: unknown;
    try {
      new PodPlacer(fw).schedule(state, pod);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof FitError);
    const post = fw.runPostFilter(state, pod, err.filtered);
    err.setPostFilterMessage(post!.status.reasons.join(', '));
    assert.equal(
      err.message,
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..',
    );
  });

  test('Filter plugins skipped by PreFilter are left out for that cycle only', () => {
    const snapshot = Snapshot.build([makeNode('small', { cpu: '1' })], []);
    const fw = makeFramework(snapshot);
    const node = snapshot.get('small')!;
    const pod = makePod({ cpu: '2' });
    const skipping = fw.newCycleState();
    const plain = fw.newCycleState();
    for (const state of [skipping, plain]) assert.equal(fw.runPreFilter(state, pod).status, undefined);
    assert.equal(fw.runFilters(skipping, pod, node)?.plugin, 'NodeResourcesFit');
    skipping.skipFilter.add('NodeResourcesFit');
    assert.equal(fw.runFilters(skipping, pod, node), undefined, 'a skip added to the cycle is seen');
    assert.equal(fw.runFilters(plain, pod, node)?.plugin, 'NodeResourcesFit', 'another cycle is not affected');
    assert.equal(fw.runFilters(skipping, pod, node), undefined);
    assert.equal(fw.runFilters(skipping.clone(), pod, node), undefined, 'a clone (preemption) skips the same plugins');
  });

  test('picks the best node and spreads with LeastAllocated', () => {
    const snapshot = Snapshot.build([makeNode('a'), makeNode('b')], [makePod({ cpu: '2', node: 'a' })]);
    const fw = makeFramework(snapshot);
    const result = new PodPlacer(fw).schedule(fw.newCycleState(), makePod({ cpu: '1' }));
    assert.equal(result.nodeName, 'b');
  });

  test('preemption picks the node with the least important victims', () => {
    const snapshot = Snapshot.build(
      [makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' })],
      [makePod({ name: 'hi', cpu: '2', node: 'a', priority: 100 }), makePod({ name: 'lo1', cpu: '1', node: 'b', priority: 1 }), makePod({ name: 'lo2', cpu: '1', node: 'b', priority: 2 })],
    );
    const fw = makeFramework(snapshot);
    const pod = makePod({ cpu: '1', priority: 50 });
    const state = fw.newCycleState();
    let err: unknown;
    try {
      new PodPlacer(fw).schedule(state, pod);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof FitError);
    const post = fw.runPostFilter(state, pod, err.filtered)!;
    assert.equal(post.status.code, 'Success');
    assert.equal(post.nominatedNodeName, 'b');
    assert.deepEqual(post.victims!.map((v) => v.metadata.name), ['lo1']);
    // The what-if evaluation must leave the real snapshot untouched.
    assert.equal(snapshot.get('b')!.pods.size, 2);
  });

  test('preemptionPolicy Never is not eligible', () => {
    const snapshot = Snapshot.build([makeNode('a', { cpu: '1' })], [makePod({ cpu: '1', node: 'a', priority: 0 })]);
    const fw = makeFramework(snapshot);
    const pod = makePod({ cpu: '1', priority: 10, spec: { preemptionPolicy: 'Never' } });
    const state = fw.newCycleState();
    try {
      new PodPlacer(fw).schedule(state, pod);
      assert.fail('should not fit');
    } catch (e) {
      assert.ok(e instanceof FitError);
      assert.equal(fw.runPostFilter(state, pod, e.filtered)!.status.code, 'Unschedulable');
    }
  });
});
