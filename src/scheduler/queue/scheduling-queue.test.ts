import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makePod } from '../testing/builders.js';
import { SchedulingQueue } from './scheduling-queue.js';

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('SchedulingQueue', () => {
  test('activeQ: higher priority first, then older', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue({ now: clock.now });
    q.add(makePod({ name: 'low-old', priority: 1 }));
    clock.advance(1);
    q.add(makePod({ name: 'high', priority: 10 }));
    clock.advance(1);
    q.add(makePod({ name: 'low-new', priority: 1 }));
    assert.deepEqual([q.tryPop(), q.tryPop(), q.tryPop()].map((i) => i?.pod.metadata.name), ['high', 'low-old', 'low-new']);
    assert.equal(q.tryPop(), undefined);
  });

  const backoffCases: Array<[number, number]> = [
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 10_000],
    [9, 10_000],
  ];
  for (const [attempts, want] of backoffCases) {
    test(`backoff after ${attempts} attempts is ${want} ms`, () => {
      const q = new SchedulingQueue();
      assert.equal(q.backoffDurationMs({ pod: makePod(), key: 'k', attempts, timestamp: 0, unschedulablePlugins: new Set() }), want);
    });
  }

  test('unschedulable pods wait for a relevant event, then back off', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue({ now: clock.now });
    q.add(makePod({ name: 'p' }));
    const info = q.tryPop()!;
    q.addUnschedulable(info, q.schedulingCycle(), ['NodeResourcesFit']);
    assert.equal(q.counts().unschedulable, 1);
    assert.equal(q.moveOnEvent(new Set(['InterPodAffinity'])), 0);
    assert.equal(q.moveOnEvent(new Set(['NodeResourcesFit'])), 1);
    assert.equal(q.counts().backoff, 1, 'still within its 1 s backoff');
    clock.advance(999);
    q.flushBackoffCompleted();
    assert.equal(q.tryPop(), undefined);
    clock.advance(1);
    q.flushBackoffCompleted();
    const again = q.tryPop()!;
    assert.equal(again.attempts, 2);
  });

  test('an event during the attempt sends the failed pod to backoff, not unschedulable', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue({ now: clock.now });
    q.add(makePod({ name: 'p' }));
    const info = q.tryPop()!;
    const cycle = q.schedulingCycle();
    q.moveOnEvent('all');
    q.addUnschedulable(info, cycle, ['NodeResourcesFit']);
    assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  });

  test('leftover unschedulable pods are retried after 5 minutes', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue({ now: clock.now });
    q.add(makePod({ name: 'p' }));
    q.addUnschedulable(q.tryPop()!, q.schedulingCycle());
    clock.advance(5 * 60_000 - 1);
    q.flushUnschedulableLeftover();
    assert.equal(q.counts().unschedulable, 1);
    clock.advance(1);
    q.flushUnschedulableLeftover();
    assert.equal(q.tryPop()?.pod.metadata.name, 'p');
  });

  test('deleted pods leave every queue; pop waits and wakes', async () => {
    const q = new SchedulingQueue();
    const pod = makePod({ name: 'gone' });
    q.add(pod);
    q.delete(pod);
    assert.equal(q.tryPop(), undefined);
    const waiting = q.pop();
    q.add(makePod({ name: 'late' }));
    assert.equal((await waiting)?.pod.metadata.name, 'late');
    const ac = new AbortController();
    const aborted = q.pop(ac.signal);
    ac.abort();
    assert.equal(await aborted, undefined);
  });

  test('a spec change moves an unschedulable pod back', () => {
    const clock = fakeClock();
    const q = new SchedulingQueue({ now: clock.now });
    const pod = makePod({ name: 'p', cpu: '9' });
    q.add(pod);
    q.addUnschedulable(q.tryPop()!, q.schedulingCycle());
    q.update({ ...pod, status: { phase: 'Pending' } });
    assert.equal(q.counts().unschedulable, 1, 'status-only change keeps it parked');
    clock.advance(2000);
    q.update({ ...pod, spec: { ...pod.spec, nodeSelector: { a: 'b' } } });
    assert.equal(q.counts().active, 1);
  });
});
