import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncScheduler, type SchedulerTimers } from './sync-scheduler.js';

/** Manual clock: advance() fires due timers in order. */
class FakeTimers implements SchedulerTimers {
  t = 0;
  private next = 1;
  private pending = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.t + ms, fn });
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await flush();
    }
    this.t = end;
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

function setup(syncResult: (uid: string) => number | undefined, max = 8) {
  const timers = new FakeTimers();
  const calls: string[] = [];
  const scheduler = new SyncScheduler({
    sync: async (uid) => {
      calls.push(uid);
      return syncResult(uid);
    },
    keep: () => true,
    maxConcurrent: max,
    resyncMs: 10_000,
    timers,
    random: () => 0,
  });
  return { timers, calls, scheduler };
}

test('a steady pod is synced once per resync period, not in a loop', async () => {
  const { timers, calls, scheduler } = setup(() => undefined);
  scheduler.trigger('a');
  await flush();
  assert.equal(calls.length, 1);
  await timers.advance(60_000);
  assert.equal(calls.length, 7, 'one initial sync + one per 10 s');
  await scheduler.stop();
});

test('tiny requeues are floored so a pod never spins', async () => {
  const { timers, calls, scheduler } = setup(() => 0);
  scheduler.trigger('a');
  await flush();
  await timers.advance(5_000);
  assert.ok(calls.length <= 11, `synced ${calls.length} times in 5 s`);
  await scheduler.stop();
});

test('triggers while a sync is queued or running are coalesced', async () => {
  const { calls, scheduler } = setup(() => undefined);
  // The first trigger starts a sync at once; the 49 that arrive while it runs make one more.
  for (let i = 0; i < 50; i++) scheduler.trigger('a');
  await flush();
  assert.equal(calls.length, 2);
  await scheduler.stop();
});

test('an earlier requeue wins over a later one; back-off requeues fire on time', async () => {
  const { timers, calls, scheduler } = setup(() => 3000);
  scheduler.trigger('a');
  await flush();
  scheduler.trigger('a', 9000);
  await timers.advance(3000);
  assert.equal(calls.length, 2);
  await scheduler.stop();
});

test('at most maxConcurrent syncs run at once', async () => {
  let running = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const scheduler = new SyncScheduler({
    sync: async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => releases.push(r));
      running--;
      return undefined;
    },
    keep: () => false,
    maxConcurrent: 3,
    timers: new FakeTimers(),
  });
  for (let i = 0; i < 10; i++) scheduler.trigger(`p${i}`);
  let done = 0;
  while (done < 10) {
    await flush();
    const batch = releases.splice(0);
    assert.ok(batch.length > 0, 'no sync was started');
    batch.forEach((r) => r());
    done += batch.length;
  }
  assert.equal(peak, 3);
  await scheduler.stop();
});
