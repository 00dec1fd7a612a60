import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runWorkers, WorkQueue } from './work-queue.js';
import { ItemExponentialBackoff } from './rate-limiter.js';

/** A manual clock: timers fire only when the test advances time. */
function fakeTimers() {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  return {
    setTimeout: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id: unknown) => void timers.delete(id as number),
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          timers.delete(id);
          t.fn();
        }
      }
    },
    pending: () => timers.size,
  };
}

describe('WorkQueue', () => {
  test('deduplicates keys and keeps FIFO order', async () => {
    const q = new WorkQueue<string>();
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    assert.equal(q.len(), 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
  });

  test('a key added while processing is re-queued only after done()', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const key = await q.get();
    assert.equal(key, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not queued while processing');
    q.done('a');
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  test('a waiting get() receives a key added later', async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.add('x');
    assert.equal(await pending, 'x');
    q.add('x');
    assert.equal(q.len(), 0, 'x is processing');
  });

  test('shutDown resolves waiting and future get() with undefined and clears timers', async () => {
    const timers = fakeTimers();
    const q = new WorkQueue<string>(timers);
    const pending = q.get();
    q.addAfter('later', 100);
    assert.equal(timers.pending(), 1);
    q.shutDown();
    assert.equal(await pending, undefined);
    assert.equal(await q.get(), undefined);
    assert.equal(timers.pending(), 0);
    q.add('y');
    assert.equal(q.len(), 0);
  });

  test('addAfter adds when the delay passes', async () => {
    const timers = fakeTimers();
    const q = new WorkQueue<string>(timers);
    q.addAfter('a', 50);
    timers.advance(49);
    assert.equal(q.len(), 0);
    timers.advance(1);
    assert.equal(q.len(), 1);
  });

  test('addRateLimited backs off exponentially per item; forget resets', () => {
    const timers = fakeTimers();
    const q = new WorkQueue<string>(timers);
    const delays: number[] = [];
    const limiter = new ItemExponentialBackoff<string>();
    for (let i = 0; i < 5; i++) delays.push(limiter.when('k'));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    q.addRateLimited('a');
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 2);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });

  test('backoff is capped at 1000 s', () => {
    const limiter = new ItemExponentialBackoff<string>();
    let last = 0;
    for (let i = 0; i < 2000; i++) last = limiter.when('k');
    assert.equal(last, 1_000_000);
  });
});

describe('runWorkers', () => {
  test('never runs one key concurrently; re-adds during a sync are processed afterwards', async () => {
    const q = new WorkQueue<string>();
    const controller = new AbortController();
    const active = new Set<string>();
    const log: string[] = [];
    let overlaps = 0;
    let releaseFirst!: () => void;
    const firstBlocked = new Promise<void>((r) => (releaseFirst = r));
    let calls = 0;
    const sync = async (key: string): Promise<void> => {
      if (active.has(key)) overlaps++;
      active.add(key);
      calls++;
      log.push(`start ${key} ${calls}`);
      if (calls === 1) {
        // While 'a' is processing, it is added again and other workers are free.
        q.add('a');
        q.add('b');
        await firstBlocked;
      }
      active.delete(key);
      if (calls === 3) controller.abort();
    };
    q.add('a');
    const done = runWorkers(q, 4, sync, controller.signal);
    // Let the other workers pick up 'b' and find nothing else.
    await new Promise((r) => setImmediate(r));
    releaseFirst();
    await done;
    assert.equal(overlaps, 0);
    assert.deepEqual(log.map((l) => l.split(' ')[1]).sort(), ['a', 'a', 'b']);
  });

  test('a failing sync is retried with backoff, a successful one forgotten', async () => {
    const timers = fakeTimers();
    const q = new WorkQueue<string>(timers);
    const controller = new AbortController();
    let attempts = 0;
    const sync = async (): Promise<void> => {
      attempts++;
      if (attempts < 3) throw new Error('boom');
      controller.abort();
    };
    q.add('k');
    const done = runWorkers(q, 1, sync, controller.signal);
    for (let i = 0; i < 10 && attempts < 3; i++) {
      await new Promise((r) => setImmediate(r));
      timers.advance(1000);
    }
    await done;
    assert.equal(attempts, 3);
    assert.equal(q.numRequeues('k'), 0, 'forgotten after success');
  });
});
