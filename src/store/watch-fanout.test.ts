import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError, type StoreEvent } from './store.js';
import { WatchFanout } from './watch-fanout.js';

/** A log whose reads take a turn of the event loop, so live writes land in the middle of a replay. */
function makeLog(): { fanout: WatchFanout; write: (key: string) => void; reads: () => number } {
  const log: StoreEvent[] = [];
  let reads = 0;
  const fanout = new WatchFanout(
    {
      currentRevision: () => log.length,
      readEvents: async (prefix, after, upTo, limit) => {
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
        return log.filter((event) => event.revision > after && event.revision <= upTo && event.kv.key.startsWith(prefix)).slice(0, limit);
      },
    },
    { replayPageSize: 7, bufferLimit: 1000 },
  );
  const write = (key: string): void => {
    const revision = log.length + 1;
    const event: StoreEvent = { type: 'create', kv: { key, value: new Uint8Array(), createRevision: revision, modRevision: revision }, revision };
    log.push(event);
    fanout.publish(event);
  };
  return { fanout, write, reads: () => reads };
}

test('replay in small pages hands off to live events without gap or duplicate', { timeout: 10_000 }, async () => {
  const cases = [
    { name: 'everything', prefix: '/', after: 0, expected: 100 },
    { name: 'from the middle', prefix: '/', after: 33, expected: 67 },
    { name: 'one prefix', prefix: '/even/', after: 0, expected: 50 },
  ];
  for (const { name, prefix, after, expected } of cases) {
    const { fanout, write, reads } = makeLog();
    for (let index = 0; index < 40; index++) write(index % 2 === 0 ? `/even/${index}` : `/odd/${index}`);
    const watch = fanout.open(prefix, { afterRevision: after });
    const iterator = watch[Symbol.asyncIterator]();
    const seen: number[] = [];
    let written = 40;
    while (seen.length < expected) {
      const result = await iterator.next();
      assert.equal(result.done, false, name);
      seen.push(result.value.revision);
      // Keep writing while the watcher is still replaying (two per event, so a prefix watch also advances).
      for (let burst = 0; burst < 2 && written < 100; burst++) {
        write(written % 2 === 0 ? `/even/${written}` : `/odd/${written}`);
        written++;
      }
    }
    const all = Array.from({ length: 100 }, (_, index) => index + 1).filter((revision) => revision > after);
    const wanted = prefix === '/even/' ? all.filter((revision) => (revision - 1) % 2 === 0) : all;
    assert.deepEqual(seen, wanted, name);
    assert.ok(reads() > 1, `${name}: replay used several pages`);
    watch.close();
    assert.equal((await iterator.next()).done, true);
    assert.equal(fanout.watcherCount, 0);
  }
});

test('a history read error (e.g. Compacted) ends the watch with that error', { timeout: 10_000 }, async () => {
  const fanout = new WatchFanout({
    currentRevision: () => 10,
    readEvents: () => {
      throw Object.assign(new Error('gone'), { name: 'StoreError', code: 'Compacted' });
    },
  });
  const watch = fanout.open('/', { afterRevision: 2 });
  await assert.rejects(watch[Symbol.asyncIterator]().next(), (err: unknown) => isStoreError(err, 'Compacted'));
  assert.equal(fanout.watcherCount, 0);
});

test('a slow watcher is dropped, freeing its slot', { timeout: 10_000 }, async () => {
  const log = makeLog();
  const watch = log.fanout.open('/');
  for (let index = 0; index < 1001; index++) log.write(`/k/${index}`);
  assert.equal(log.fanout.watcherCount, 0);
  await assert.rejects(watch[Symbol.asyncIterator]().next(), (err: unknown) => isStoreError(err, 'WatcherTooSlow'));
});

test('progress: the current revision once nothing is waiting to be read, else unknown', async () => {
  const { fanout, write } = makeLog();
  write('/a/1');
  const watch = fanout.open('/b/', { afterRevision: 0 });
  assert.equal(watch.progress?.(), undefined, 'replay not done yet');
  const iterator = watch[Symbol.asyncIterator]();
  const pending = iterator.next();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  write('/a/2');
  assert.equal(watch.progress?.(), 2, 'other prefixes move it forward');
  write('/b/3');
  assert.equal((await pending).value?.revision, 3);
  write('/b/4');
  assert.equal(watch.progress?.(), undefined, 'an event of its own waits to be read');
  assert.equal((await iterator.next()).value?.revision, 4);
  assert.equal(watch.progress?.(), 4);
  watch.close();
  assert.equal(watch.progress?.(), undefined);
});
