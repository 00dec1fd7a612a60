import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeResult } from './handlers.js';
import { ProbeWorker } from './probe-worker.js';

/** A manual clock and timer queue: `advance` fires due timers in order. */
function fakeTime() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  return {
    now: () => now,
    schedule: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return () => { timers = timers.filter((t) => t.id !== id); };
    },
    pending: () => timers.length,
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const due = timers[0];
        if (!due || due.at > end) break;
        timers.shift();
        now = due.at;
        due.fn();
        for (let i = 0; i < 5; i++) await Promise.resolve(); // let the probe's promise settle
      }
      now = end;
    },
  };
}

test('ProbeWorker: initial delay, period, thresholds, stop', async () => {
  const time = fakeTime();
  const results = [true, false, false, true];
  const runs: number[] = [];
  const changes: boolean[] = [];
  const worker = new ProbeWorker({
    kind: 'readiness',
    probe: { initialDelaySeconds: 5, periodSeconds: 2, failureThreshold: 2 },
    run: async (): Promise<ProbeResult> => { runs.push(time.now()); return { ok: results.shift() ?? true, output: '' }; },
    onChange: (healthy) => changes.push(healthy),
    now: time.now,
    schedule: time.schedule,
  });
  worker.start();
  assert.equal(worker.healthy, false);
  await time.advance(4_999);
  assert.deepEqual(runs, []);
  await time.advance(1);
  assert.deepEqual(runs, [5_000]);
  assert.equal(worker.healthy, true);
  await time.advance(6_000);
  assert.deepEqual(runs, [5_000, 7_000, 9_000, 11_000]);
  assert.deepEqual(changes, [true, false, true]);
  worker.stop();
  assert.equal(time.pending(), 0);
  await time.advance(10_000);
  assert.equal(runs.length, 4);
});

test('ProbeWorker: liveness holds after failure until restart; gate blocks probing', async () => {
  const time = fakeTime();
  let ok = false;
  let open = false;
  const changes: boolean[] = [];
  let runs = 0;
  const worker = new ProbeWorker({
    kind: 'liveness',
    probe: { periodSeconds: 1, failureThreshold: 1 },
    run: async () => { runs++; return { ok, output: ok ? '' : 'boom' }; },
    onChange: (healthy) => changes.push(healthy),
    now: time.now,
    schedule: time.schedule,
    gate: () => open,
  });
  worker.start();
  await time.advance(3_000);
  assert.equal(runs, 0, 'gated until the startup probe passed');
  open = true;
  await time.advance(1_000);
  assert.deepEqual(changes, [false]);
  assert.equal(worker.onHold, true);
  await time.advance(5_000);
  assert.equal(runs, 1, 'no probes while on hold');
  ok = true;
  worker.restart();
  assert.equal(worker.healthy, true);
  await time.advance(2_000);
  assert.equal(runs, 4, 'probes at 9s, 10s and 11s after the restart');
  worker.stop();
});
