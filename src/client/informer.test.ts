import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { findKind } from '../api/resources.js';
import { isApiError } from '../api/errors.js';
import { Informer } from './informer.js';
import { createLogger } from './log.js';
import { RestClient } from './rest-client.js';
import { FakeListWatchServer } from './testing/fake-list-watch-server.js';

const configmaps = findKind('', 'v1', 'ConfigMap')!;
const quiet = createLogger('test', { level: 'silent' });

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Informer against a list/watch server', () => {
  const server = new FakeListWatchServer();
  let client: RestClient;
  before(async () => {
    client = new RestClient({ server: await server.listen() });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('lists in pages, watches, re-watches from the last RV, relists on 410 with a diff', async () => {
    for (const name of ['a', 'b', 'c']) server.put(name, {}, false);
    const events: string[] = [];
    const informer = new Informer<KubeObject>(client, configmaps, { namespace: 'ns', pageSize: 2, log: quiet, initialBackoffMs: 1, watchTimeoutSeconds: () => 60 });
    informer.addHandlers({
      onAdd: (o) => events.push(`add ${o.metadata.name}`),
      onUpdate: (_old, o) => events.push(`update ${o.metadata.name}`),
      onDelete: (o) => events.push(`delete ${o.metadata.name}`),
    });
    const controller = new AbortController();
    const running = informer.start(controller.signal);
    try {
      assert.equal(await informer.waitForSync(controller.signal), true);
      assert.deepEqual(events.splice(0), ['add a', 'add b', 'add c']);
      const lists = server.requests.filter((r) => !r.query.has('watch'));
      assert.deepEqual(lists.map((r) => r.query.get('continue') ?? ''), ['', '2'], 'two pages');
      assert.equal(lists[0]!.query.get('limit'), '2');

      await waitFor(() => server.watcherCount === 1, 'the watch');
      const watch = server.requests.at(-1)!;
      assert.equal(watch.query.get('resourceVersion'), '3');
      assert.equal(watch.query.get('allowWatchBookmarks'), 'true');

      server.put('d');
      server.put('a', { k: 'v' });
      server.remove('b');
      await waitFor(() => events.length === 3, 'three watch events');
      assert.deepEqual(events.splice(0), ['add d', 'update a', 'delete b']);
      const lister = informer.lister();
      assert.deepEqual(lister.list('ns').map((o) => o.metadata.name).sort(), ['a', 'c', 'd']);
      assert.deepEqual(lister.get('ns', 'a')?.data, { k: 'v' });
      assert.throws(() => {
        (lister.get('ns', 'a')!.metadata as { name: string }).name = 'x';
      }, TypeError, 'cached objects are read-only');

      // The server ends the watch: the informer resumes from the last RV it saw (6, the delete).
      const watchesBefore = server.requests.filter((r) => r.query.has('watch')).length;
      server.endWatches();
      await waitFor(() => server.requests.filter((r) => r.query.has('watch')).length > watchesBefore && server.watcherCount === 1, 're-watch');
      assert.equal(server.requests.at(-1)!.query.get('resourceVersion'), '6');

      // Changes missed while disconnected, then a 410: the relist reports the difference.
      server.expireNextWatch = true;
      server.put('c', { changed: 'yes' }, false);
      server.remove('d', false);
      server.put('e', {}, false);
      server.endWatches();
      await waitFor(() => events.length === 3, 'relist diff');
      assert.deepEqual(events.splice(0).sort(), ['add e', 'delete d', 'update c']);
      assert.equal(informer.lastSyncResourceVersion(), '9');
    } finally {
      controller.abort();
      await running;
    }
    assert.equal(server.watcherCount, 0, 'the watch is closed on abort');
  });

  test('a handler added to a synced informer (a late sharer) first sees every cached object; managedFields are dropped', async () => {
    server.put('late-1', {}, false);
    server.put('late-2', {}, false);
    const informer = new Informer<KubeObject>(client, configmaps, { namespace: 'ns', log: quiet, watchTimeoutSeconds: () => 60 });
    const controller = new AbortController();
    const running = informer.start(controller.signal);
    try {
      assert.equal(await informer.waitForSync(controller.signal), true);
      const seen: string[] = [];
      informer.addHandlers({ onAdd: (o) => seen.push(o.metadata.name!) });
      assert.ok(seen.includes('late-1') && seen.includes('late-2'), `replayed: ${seen.join(', ')}`);
      assert.equal(informer.list().length, seen.length);
      for (const o of informer.list()) assert.equal(o.metadata.managedFields, undefined);
    } finally {
      controller.abort();
      await running;
    }
  });

  test('a transform trims listed and watched objects before handlers and the cache see them', async () => {
    server.put('trim-1', {}, false);
    const trim = (o: KubeObject): KubeObject => ({ metadata: { name: o.metadata.name, namespace: o.metadata.namespace, resourceVersion: o.metadata.resourceVersion } });
    const informer = new Informer<KubeObject>(client, configmaps, { namespace: 'ns', log: quiet, watchTimeoutSeconds: () => 60, transform: trim });
    const controller = new AbortController();
    const running = informer.start(controller.signal);
    try {
      assert.equal(await informer.waitForSync(controller.signal), true);
      const seen: KubeObject[] = [];
      informer.addHandlers({ onAdd: (o) => seen.push(o), onUpdate: (_old, o) => seen.push(o) });
      await waitFor(() => server.watcherCount === 1, 'the watch');
      server.put('trim-2', {}, true);
      await waitFor(() => seen.some((o) => o.metadata.name === 'trim-2'), 'the watched object');
      for (const o of [...seen, ...informer.list()]) assert.deepEqual(Object.keys(o), ['metadata'], JSON.stringify(o));
      assert.ok(informer.getByKey('ns/trim-1'));
    } finally {
      controller.abort();
      await running;
    }
  });

  test('rest errors decode to ApiError by reason', async () => {
    await assert.rejects(client.get(findKind('', 'v1', 'Secret')!, 'ns', 'x'), (err: unknown) => isApiError(err, 'NotFound') && err.code === 404);
  });
});
