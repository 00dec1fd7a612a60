import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InformerFactory } from '../../client/informer-factory.js';
import { createLogger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runWhenSynced } from './workers.js';

const informers = (synced: boolean): InformerFactory => ({ waitForSync: async () => synced }) as unknown as InformerFactory;

test('runWhenSynced runs nothing and shuts the queue down when the caches never sync', async () => {
  const queue = new WorkQueue<string>();
  queue.add('ns/a');
  const seen: string[] = [];
  await runWhenSynced(informers(false), { queue, workers: 1, signal: new AbortController().signal, log: createLogger('test'), sync: async (key) => void seen.push(key) });
  assert.deepEqual(seen, []);
  assert.equal(queue.isShuttingDown(), true);
});

test('runWhenSynced syncs queued keys until the signal aborts, then shuts the queue down', async () => {
  const queue = new WorkQueue<string>();
  queue.add('ns/a');
  const abort = new AbortController();
  const seen: string[] = [];
  await runWhenSynced(informers(true), {
    queue,
    workers: 1,
    signal: abort.signal,
    log: createLogger('test'),
    sync: async (key) => {
      seen.push(key);
      abort.abort();
    },
  });
  assert.deepEqual(seen, ['ns/a']);
  assert.equal(queue.isShuttingDown(), true);
});
