// End to end: watch bookmarks. A watch that allows them learns how far it has come even when its
// selector filtered every change out (here: a watch of namespace b while only namespace a changes),
// so a client's next watch resumes from a recent revision. Raw watches through the real kubectl.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { succeeded } from './workloads-support.js';

describe('watch bookmarks', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, { input });

  before(async () => {
    cluster = await startCluster();
    for (const ns of ['a', 'b']) succeeded(await kubectl(['create', 'namespace', ns]));
  });

  after(async () => {
    await cluster?.stop();
  });

  // Secrets: no controller writes any in a new namespace (ConfigMaps get kube-root-ca.crt).
  const secret = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'a' }, stringData: { k: name } });
  const lines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { kind: string; apiVersion: string; metadata: { resourceVersion: string } } });

  test('a filtered watch gets a bookmark with the latest revision before it times out', async () => {
    const start = JSON.parse(succeeded(await kubectl(['get', 'secrets', '-n', 'b', '-o', 'json']))).metadata.resourceVersion as string;
    const watch = kubectl(['get', '--raw', `/api/v1/namespaces/b/secrets?watch=true&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=${start}`]);
    await new Promise((r) => setTimeout(r, 300));
    let last = '';
    for (const name of ['one', 'two', 'three']) last = JSON.parse(succeeded(await kubectl(['create', '-f', '-', '-o', 'json'], secret(name)))).metadata.resourceVersion;
    const events = lines(succeeded(await watch));
    assert.deepEqual(events.map((e) => e.type), ['BOOKMARK'], 'nothing of namespace a, one bookmark');
    const [bookmark] = events;
    assert.equal(bookmark.object.kind, 'Secret');
    assert.equal(bookmark.object.apiVersion, 'v1');
    assert.ok(Number(bookmark.object.metadata.resourceVersion) >= Number(last), `${bookmark.object.metadata.resourceVersion} >= ${last}`);
  });

  test('without allowWatchBookmarks there are none; a bookmark never repeats the revision the watch started at', async () => {
    const start = JSON.parse(succeeded(await kubectl(['get', 'secrets', '-n', 'a', '-o', 'json']))).metadata.resourceVersion as string;
    const plain = kubectl(['get', '--raw', `/api/v1/namespaces/b/secrets?watch=true&timeoutSeconds=2&resourceVersion=${start}`]);
    await new Promise((r) => setTimeout(r, 300));
    succeeded(await kubectl(['create', '-f', '-'], secret('four')));
    assert.deepEqual(lines(succeeded(await plain)), []);
    const now = JSON.parse(succeeded(await kubectl(['get', 'secrets', '-n', 'a', '-o', 'json']))).metadata.resourceVersion as string;
    const idle = kubectl(['get', '--raw', `/api/v1/namespaces/b/secrets?watch=true&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion=${now}`]);
    // Other objects of the cluster may change meanwhile; a bookmark is sent only for a newer revision.
    for (const event of lines(succeeded(await idle))) {
      assert.equal(event.type, 'BOOKMARK');
      assert.ok(Number(event.object.metadata.resourceVersion) > Number(now));
    }
  });
});
