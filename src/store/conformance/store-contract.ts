// The one contract suite every Store backend passes (memory, SQLite, etcd), in the spirit of
// Kubernetes' apiserver/pkg/storage/testing/store_tests.go. Each test gets a fresh store.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError, type Store, type StoreErrorCode, type StoreEvent, type StoreEventType, type Watch } from '../store.js';

export interface StoreFixture {
  store: Store;
  cleanup: () => Promise<void>;
}

/** Options a factory should honour; the slow-watcher test needs a small buffer. */
export interface StoreFactoryOptions {
  watchBufferLimit?: number;
}

export type StoreFactory = (options?: StoreFactoryOptions) => Promise<StoreFixture>;

/** A broken watch hangs rather than fails; bound every test. */
const TIMEOUT = { timeout: 20_000 };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (value: Uint8Array): string => decoder.decode(value);

/** Yields to the event loop (not a sleep: no wall-clock wait). */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isStoreError(err, code), `expected StoreError ${code}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected StoreError ${code}, but it succeeded`);
}

/** Reads exactly n events from a watch. */
async function take(watch: Watch, n: number): Promise<StoreEvent[]> {
  const iterator = watch[Symbol.asyncIterator]();
  const events: StoreEvent[] = [];
  while (events.length < n) {
    const result = await iterator.next();
    if (result.done) break;
    events.push(result.value);
  }
  return events;
}

function summary(event: StoreEvent): string {
  return `${event.type} ${event.kv.key}@${event.revision}=${text(event.kv.value)}`;
}

export function runStoreContract(name: string, makeStore: StoreFactory): void {
  async function withStore(body: (store: Store) => Promise<void>, options?: StoreFactoryOptions): Promise<void> {
    const fixture = await makeStore(options);
    try {
      await body(fixture.store);
    } finally {
      await fixture.store.close();
      await fixture.cleanup();
    }
  }

  describe(`store contract: ${name}`, () => {
    test('create then get; KeyExists on a second create', TIMEOUT, () =>
      withStore(async (store) => {
        const cases = [
          { key: '/registry/pods/ns/a', value: 'alpha' },
          { key: '/registry/pods/ns/b', value: '' },
          { key: '/registry/pods/ns/ü-unicode', value: '{"x":1}' },
        ];
        for (const { key, value } of cases) {
          const before = await store.currentRevision();
          const created = await store.create(key, bytes(value));
          assert.equal(created.modRevision, before + 1);
          assert.equal(created.createRevision, created.modRevision);
          const got = await store.get(key);
          assert.ok(got, key);
          assert.equal(text(got.value), value);
          assert.equal(got.modRevision, created.modRevision);
          assert.equal(got.createRevision, created.createRevision);
          const err = await rejectsWith(store.create(key, bytes('again')), 'KeyExists');
          assert.ok(isStoreError(err));
        }
        assert.equal(await store.get('/registry/pods/ns/missing'), undefined);
      }));

    test('update: compare-and-swap succeeds on the expected revision, Conflict otherwise', TIMEOUT, () =>
      withStore(async (store) => {
        const created = await store.create('/k', bytes('v1'));
        const updated = await store.update('/k', bytes('v2'), created.modRevision);
        assert.equal(updated.createRevision, created.modRevision);
        assert.ok(updated.modRevision > created.modRevision);
        assert.equal(text((await store.get('/k'))!.value), 'v2');
        const err = await rejectsWith(store.update('/k', bytes('v3'), created.modRevision), 'Conflict');
        assert.ok(isStoreError(err));
        assert.equal(err.current?.modRevision, updated.modRevision);
        assert.equal(text(err.current!.value), 'v2');
        assert.equal(text((await store.get('/k'))!.value), 'v2');
      }));

    test('delete with and without an expected revision; NotFound cases', TIMEOUT, () =>
      withStore(async (store) => {
        const a = await store.create('/d/a', bytes('a'));
        const b = await store.create('/d/b', bytes('b'));
        await rejectsWith(store.delete('/d/a', a.modRevision + 100), 'Conflict');
        const deletedA = await store.delete('/d/a', a.modRevision);
        assert.equal(text(deletedA.value), 'a');
        assert.equal(deletedA.modRevision, a.modRevision);
        const deletedB = await store.delete('/d/b');
        assert.equal(text(deletedB.value), 'b');
        assert.equal(deletedB.createRevision, b.createRevision);
        assert.equal(await store.get('/d/a'), undefined);
        const notFound: Array<[string, () => Promise<unknown>]> = [
          ['delete a deleted key', () => store.delete('/d/a')],
          ['delete a missing key', () => store.delete('/d/never')],
          ['update a deleted key', () => store.update('/d/b', bytes('x'), b.modRevision)],
          ['update a missing key', () => store.update('/d/never', bytes('x'), 1)],
        ];
        for (const [label, call] of notFound) {
          await rejectsWith(call(), 'NotFound').catch((err: unknown) => assert.fail(`${label}: ${String(err)}`));
        }
        const recreated = await store.create('/d/a', bytes('a2'));
        assert.equal(recreated.createRevision, recreated.modRevision);
        assert.ok(recreated.createRevision > a.createRevision);
      }));

    test('list by prefix isolates sibling prefixes and sorts by key', TIMEOUT, () =>
      withStore(async (store) => {
        for (const key of ['/a/2', '/a/1', '/ab/1', '/a', '/b/1', '/a/sub/3']) await store.create(key, bytes(key));
        const cases: Array<[string, string[]]> = [
          ['/a/', ['/a/1', '/a/2', '/a/sub/3']],
          ['/ab/', ['/ab/1']],
          ['/b/', ['/b/1']],
          ['/c/', []],
          ['/', ['/a', '/a/1', '/a/2', '/a/sub/3', '/ab/1', '/b/1']],
        ];
        const revision = await store.currentRevision();
        for (const [prefix, expected] of cases) {
          const result = await store.list(prefix);
          assert.deepEqual(result.items.map((kv) => kv.key), expected, prefix);
          assert.equal(result.revision, revision);
          assert.equal(result.continueKey, undefined);
        }
      }));

    test('list and get at an older revision see the past', TIMEOUT, () =>
      withStore(async (store) => {
        const one = await store.create('/h/1', bytes('one'));
        await store.create('/h/2', bytes('two'));
        const snapshot = await store.currentRevision();
        await store.update('/h/1', bytes('one-b'), one.modRevision);
        await store.delete('/h/2');
        await store.create('/h/3', bytes('three'));
        const past = await store.list('/h/', { revision: snapshot });
        assert.equal(past.revision, snapshot);
        assert.deepEqual(past.items.map((kv) => `${kv.key}=${text(kv.value)}`), ['/h/1=one', '/h/2=two']);
        const now = await store.list('/h/');
        assert.deepEqual(now.items.map((kv) => `${kv.key}=${text(kv.value)}`), ['/h/1=one-b', '/h/3=three']);
        assert.equal(text((await store.get('/h/2', { revision: snapshot }))!.value), 'two');
        assert.equal(await store.get('/h/3', { revision: snapshot }), undefined);
      }));

    test('list pages with limit and startAfter at one revision, with remaining counts', TIMEOUT, () =>
      withStore(async (store) => {
        const keys = Array.from({ length: 25 }, (_, index) => `/p/${String(index).padStart(3, '0')}`);
        for (const key of keys) await store.create(key, bytes(key));
        await store.create('/pq/outside', bytes('x'));
        const first = await store.list('/p/', { limit: 10 });
        assert.equal(first.items.length, 10);
        assert.equal(first.remaining, 15);
        assert.equal(first.continueKey, keys[9]);
        // Writes between pages must not show up in later pages read at the first page's revision.
        await store.create('/p/0105', bytes('late'));
        await store.delete(keys[20]);
        const second = await store.list('/p/', { limit: 10, startAfter: first.continueKey, revision: first.revision });
        assert.equal(second.revision, first.revision);
        assert.deepEqual(second.items.map((kv) => kv.key), keys.slice(10, 20));
        assert.equal(second.remaining, 5);
        const third = await store.list('/p/', { limit: 10, startAfter: second.continueKey, revision: first.revision });
        assert.deepEqual(third.items.map((kv) => kv.key), keys.slice(20));
        assert.equal(third.continueKey, undefined);
        assert.equal(third.remaining, undefined);
        const exact = await store.list('/p/', { limit: 25, revision: first.revision });
        assert.equal(exact.items.length, 25);
        assert.equal(exact.continueKey, undefined);
      }));

    test('concurrent compare-and-swap: exactly one of N racing updates wins', TIMEOUT, () =>
      withStore(async (store) => {
        const created = await store.create('/race', bytes('0'));
        const racers = 20;
        const results = await Promise.allSettled(
          Array.from({ length: racers }, (_, index) => store.update('/race', bytes(`w${index}`), created.modRevision)),
        );
        const winners = results.filter((result) => result.status === 'fulfilled');
        const losers = results.filter((result) => result.status === 'rejected');
        assert.equal(winners.length, 1);
        assert.equal(losers.length, racers - 1);
        for (const loser of losers) assert.ok(isStoreError((loser as PromiseRejectedResult).reason, 'Conflict'));
        const winner = (winners[0] as PromiseFulfilledResult<{ modRevision: number }>).value;
        assert.equal((await store.get('/race'))!.modRevision, winner.modRevision);
      }));

    test('writes issued in one turn keep their own semantics, take revisions in arrival order', TIMEOUT, () =>
      withStore(async (store) => {
        const race = await store.create('/t/race', bytes('r0'));
        const doomed = await store.create('/t/doomed', bytes('d0'));
        const base = await store.currentRevision();
        const live = store.watch('/t/');
        // Issued synchronously, none awaited: a batching backend sees them all at once. More than
        // a few hundred, so a backend with a batch limit has to split them. Each row says what
        // the write must do on its own; successful ones take base+1, base+2, ... in issue order.
        const fanout = 300;
        const calls: Array<{ label: string; call: () => Promise<unknown>; expect: StoreEventType | StoreErrorCode }> = [
          ...Array.from({ length: fanout }, (_, index) => ({
            label: `create /t/k${index}`,
            call: () => store.create(`/t/k${index}`, bytes(`k${index}`)),
            expect: 'create' as const,
          })),
          { label: 'create an existing key', call: () => store.create('/t/race', bytes('x')), expect: 'KeyExists' },
          { label: 'create a key created earlier in the turn', call: () => store.create('/t/k7', bytes('x')), expect: 'KeyExists' },
          { label: 'first CAS on /t/race wins', call: () => store.update('/t/race', bytes('r1'), race.modRevision), expect: 'update' },
          { label: 'second CAS on /t/race loses', call: () => store.update('/t/race', bytes('r2'), race.modRevision), expect: 'Conflict' },
          { label: 'delete /t/race at the old revision loses', call: () => store.delete('/t/race', race.modRevision), expect: 'Conflict' },
          { label: 'update a missing key', call: () => store.update('/t/none', bytes('x'), 1), expect: 'NotFound' },
          // base+2 is the revision /t/k1 takes above: a CAS may build on a write of the same turn.
          { label: 'update /t/k1 at its new revision', call: () => store.update('/t/k1', bytes('k1b'), base + 2), expect: 'update' },
          { label: 'delete /t/doomed', call: () => store.delete('/t/doomed', doomed.modRevision), expect: 'delete' },
          { label: 'delete /t/doomed twice', call: () => store.delete('/t/doomed'), expect: 'NotFound' },
          { label: 'recreate /t/doomed', call: () => store.create('/t/doomed', bytes('d1')), expect: 'create' },
        ];
        const results = await Promise.allSettled(calls.map(({ call }) => call()));
        let expectedRevision = base;
        const expectedEvents: string[] = [];
        for (const [index, { label, expect }] of calls.entries()) {
          const result = results[index];
          if (expect === 'create' || expect === 'update' || expect === 'delete') {
            assert.equal(result.status, 'fulfilled', `${label}: ${result.status === 'rejected' ? String(result.reason) : ''}`);
            expectedRevision++;
            const kv = (result as PromiseFulfilledResult<{ key: string; modRevision: number }>).value;
            // A delete returns the deleted state; every other write returns its new revision.
            if (expect !== 'delete') assert.equal(kv.modRevision, expectedRevision, label);
            expectedEvents.push(`${expect}@${expectedRevision}`);
          } else {
            assert.equal(result.status, 'rejected', label);
            assert.ok(isStoreError((result as PromiseRejectedResult).reason, expect), `${label}: ${String((result as PromiseRejectedResult).reason)}`);
          }
        }
        // The loser of the CAS race is told the winner's state.
        const loser = (results[fanout + 3] as PromiseRejectedResult).reason as { current?: { modRevision: number; value: Uint8Array } };
        assert.equal(loser.current?.modRevision, base + fanout + 1);
        assert.equal(text(loser.current!.value), 'r1');
        // Everything acknowledged is visible to reads issued afterwards.
        assert.equal(await store.currentRevision(), expectedRevision);
        assert.equal(text((await store.get('/t/race'))!.value), 'r1');
        assert.equal(text((await store.get('/t/k1'))!.value), 'k1b');
        assert.equal(text((await store.get('/t/doomed'))!.value), 'd1');
        assert.equal((await store.list('/t/k')).items.length, fanout);
        // Watchers, live and replaying, get exactly these events in revision order.
        const replay = store.watch('/t/', { afterRevision: base });
        for (const watch of [live, replay]) {
          const events = await take(watch, expectedEvents.length);
          assert.deepEqual(events.map((event) => `${event.type}@${event.revision}`), expectedEvents);
          watch.close();
        }
      }));

    test('currentRevision is monotonic: +1 per write, unchanged by failed writes', TIMEOUT, () =>
      withStore(async (store) => {
        let revision = await store.currentRevision();
        const steps: Array<[string, () => Promise<unknown>, boolean]> = [
          ['create', () => store.create('/m', bytes('1')), true],
          ['duplicate create', () => store.create('/m', bytes('1')), false],
          ['update', async () => store.update('/m', bytes('2'), (await store.get('/m'))!.modRevision), true],
          ['stale update', () => store.update('/m', bytes('3'), 1), false],
          ['delete', () => store.delete('/m'), true],
          ['delete missing', () => store.delete('/m'), false],
        ];
        for (const [label, call, succeeds] of steps) {
          await call().catch(() => undefined);
          const next = await store.currentRevision();
          assert.equal(next, revision + (succeeds ? 1 : 0), label);
          revision = next;
        }
      }));

    test('watch from a revision replays history in order, then continues live', TIMEOUT, () =>
      withStore(async (store) => {
        const a = await store.create('/w/a', bytes('a1'));
        const start = a.modRevision - 1;
        await store.update('/w/a', bytes('a2'), a.modRevision);
        await store.create('/w/b', bytes('b1'));
        const watch = store.watch('/w/', { afterRevision: start });
        const iterator = watch[Symbol.asyncIterator]();
        const replayed = [await iterator.next(), await iterator.next(), await iterator.next()].map((r) => summary(r.value as StoreEvent));
        assert.deepEqual(replayed, [`create /w/a@${start + 1}=a1`, `update /w/a@${start + 2}=a2`, `create /w/b@${start + 3}=b1`]);
        const pending = iterator.next();
        await store.delete('/w/b');
        const live = (await pending).value as StoreEvent;
        assert.equal(summary(live), `delete /w/b@${start + 4}=b1`);
        watch.close();
        assert.equal((await iterator.next()).done, true);
      }));

    test('watch started during 500 concurrent writes loses and duplicates nothing', TIMEOUT, () =>
      withStore(async (store) => {
        const base = await store.currentRevision();
        const total = 500;
        const writer = (async () => {
          for (let index = 0; index < total; index++) {
            const key = `/c/${index % 37}`;
            const current = await store.get(key);
            if (!current) await store.create(key, bytes(String(index)));
            else if (index % 5 === 0) await store.delete(key, current.modRevision);
            else await store.update(key, bytes(String(index)), current.modRevision);
            if (index % 7 === 0) await tick();
          }
        })();
        // Open watches at several points while the writer runs, all asking for everything after base.
        const watches: Watch[] = [];
        for (const threshold of [0, 50, 200, 420]) {
          while ((await store.currentRevision()) < base + threshold) await tick();
          watches.push(store.watch('/c/', { afterRevision: base }));
        }
        const received = await Promise.all(watches.map((watch) => take(watch, total)));
        await writer;
        for (const events of received) {
          assert.deepEqual(
            events.map((event) => event.revision),
            Array.from({ length: total }, (_, index) => base + index + 1),
          );
        }
        for (const watch of watches) watch.close();
      }));

    test('watch filters by prefix', TIMEOUT, () =>
      withStore(async (store) => {
        const base = await store.currentRevision();
        const watch = store.watch('/a/', { afterRevision: base });
        for (const key of ['/ab/1', '/a/1', '/b/1', '/a', '/a/2']) await store.create(key, bytes(key));
        const events = await take(watch, 2);
        assert.deepEqual(events.map((event) => event.kv.key), ['/a/1', '/a/2']);
        watch.close();
      }));

    test('watch without afterRevision sees only later events', TIMEOUT, () =>
      withStore(async (store) => {
        await store.create('/n/old', bytes('old'));
        const watch = store.watch('/n/');
        await store.create('/n/new', bytes('new'));
        const [event] = await take(watch, 1);
        assert.equal(event.kv.key, '/n/new');
        watch.close();
      }));

    test('update and delete events carry the previous value', TIMEOUT, () =>
      withStore(async (store) => {
        const base = await store.currentRevision();
        const created = await store.create('/e/x', bytes('v1'));
        const updated = await store.update('/e/x', bytes('v2'), created.modRevision);
        await store.delete('/e/x', updated.modRevision);
        // Once from the log (replay) and once live: both must carry the same information.
        const replay = await take(store.watch('/e/', { afterRevision: base }), 3);
        const liveWatch = store.watch('/e/');
        const again = await store.create('/e/x', bytes('v3'));
        const updatedAgain = await store.update('/e/x', bytes('v4'), again.modRevision);
        await store.delete('/e/x');
        const live = await take(liveWatch, 3);
        liveWatch.close();
        for (const [events, firstRevision, values] of [
          [replay, created.modRevision, ['v1', 'v2']],
          [live, again.modRevision, ['v3', 'v4']],
        ] as const) {
          const [create, update, del] = events;
          assert.equal(create.type, 'create');
          assert.equal(create.prev, undefined);
          assert.equal(update.type, 'update');
          assert.equal(text(update.prev!.value), values[0]);
          assert.equal(update.prev!.modRevision, firstRevision);
          assert.equal(del.type, 'delete');
          assert.equal(text(del.kv.value), values[1]);
          assert.equal(del.kv.modRevision, del.revision);
          assert.equal(text(del.prev!.value), values[1]);
          assert.equal(del.prev!.modRevision, firstRevision + 1);
          assert.equal(del.prev!.createRevision, firstRevision);
        }
        assert.equal(updatedAgain.modRevision, again.modRevision + 1);
      }));

    test('compaction: old revisions fail with Compacted, current values stay', TIMEOUT, () =>
      withStore(async (store) => {
        const keep = await store.create('/x/keep', bytes('k1'));
        const gone = await store.create('/x/gone', bytes('g'));
        const old = await store.currentRevision();
        await store.update('/x/keep', bytes('k2'), keep.modRevision);
        await store.delete('/x/gone', gone.modRevision);
        const compactAt = await store.currentRevision();
        await store.create('/x/after', bytes('a'));
        await store.compact(compactAt);
        assert.equal(await store.compactedRevision(), compactAt + 1);
        for (const revision of [old, compactAt]) {
          const err = await rejectsWith(store.list('/x/', { revision }), 'Compacted');
          assert.ok(isStoreError(err));
          assert.equal(err.compactRevision, compactAt);
          await rejectsWith(store.get('/x/keep', { revision }), 'Compacted');
        }
        await rejectsWith(take(store.watch('/x/', { afterRevision: old }), 1), 'Compacted');
        const current = await store.list('/x/');
        assert.deepEqual(current.items.map((kv) => `${kv.key}=${text(kv.value)}`), ['/x/after=a', '/x/keep=k2']);
        const atBoundary = await store.list('/x/', { revision: compactAt + 1 });
        assert.deepEqual(atBoundary.items.map((kv) => kv.key), ['/x/after', '/x/keep']);
        // Watching from the compaction point itself still works: it needs only later events.
        const [next] = await take(store.watch('/x/', { afterRevision: compactAt }), 1);
        assert.equal(next.kv.key, '/x/after');
        await store.compact(compactAt - 1); // compacting backwards is a no-op
        assert.equal(await store.compactedRevision(), compactAt + 1);
        const recreated = await store.create('/x/gone', bytes('g2'));
        assert.equal(recreated.createRevision, recreated.modRevision);
      }));

    test('FutureRevision for reads and watches beyond the current revision', TIMEOUT, () =>
      withStore(async (store) => {
        await store.create('/f/1', bytes('1'));
        const future = (await store.currentRevision()) + 10;
        await rejectsWith(store.get('/f/1', { revision: future }), 'FutureRevision');
        await rejectsWith(store.list('/f/', { revision: future }), 'FutureRevision');
        await rejectsWith(take(store.watch('/f/', { afterRevision: future }), 1), 'FutureRevision');
        await rejectsWith(store.compact(future), 'FutureRevision');
      }));

    test('a watcher that falls behind is dropped with WatcherTooSlow; others continue', TIMEOUT, () =>
      withStore(
        async (store) => {
          const slow = store.watch('/s/');
          const fast = store.watch('/s/');
          const fastEvents = take(fast, 40);
          for (let index = 0; index < 40; index++) {
            await store.create(`/s/${index}`, bytes(String(index)));
            await tick();
          }
          assert.equal((await fastEvents).length, 40);
          await rejectsWith(take(slow, 40), 'WatcherTooSlow');
          fast.close();
        },
        { watchBufferLimit: 16 },
      ));

    test('abort signal and store close end watches cleanly', TIMEOUT, () =>
      withStore(async (store) => {
        const controller = new AbortController();
        const aborted = store.watch('/q/', { signal: controller.signal });
        const closing = store.watch('/q/');
        const abortedNext = aborted[Symbol.asyncIterator]().next();
        const closingNext = closing[Symbol.asyncIterator]().next();
        controller.abort();
        assert.equal((await abortedNext).done, true);
        await store.close();
        assert.equal((await closingNext).done, true);
        const preAborted = store.watch('/q/', { signal: AbortSignal.abort() });
        assert.deepEqual(await take(preAborted, 1), []);
      }));
  });
}
