// The node agent's ConfigMaps and Secrets come from a watch per object on the real API server:
// reads after the first are served from the watch (no GET), changes arrive by watch, absent
// objects read as undefined, idle watches stop, and an API that cannot be reached still gets its
// error through to the caller.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource, type ResourceDescriptor } from '../../src/api/resources.js';
import type { RunningServer } from '../../src/cmd/server.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { createLogger } from '../../src/client/log.js';
import { PatchTypes, RestClient } from '../../src/client/rest-client.js';
import { WatchedObjects } from '../../src/node-agent/volumes/watched-objects.js';
import { eventually } from '../support/cluster.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;
const quiet = createLogger('test', { level: 'silent' });

describe('WatchedObjects on the real API server', () => {
  let dir: string;
  let server: RunningServer;
  let client: RestClient;
  let now = 0;
  const directReads: string[] = [];
  let watched: WatchedObjects;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kijabi-watched-'));
    server = await startInProcessServer(join(dir, 'data'), 'watched-token');
    client = RestClient.fromKubeconfig(server.kubeconfigPath);
    const direct = async (desc: ResourceDescriptor, ns: string, name: string) => {
      directReads.push(`${desc.resource}/${ns}/${name}`);
      return client.get(desc, ns, name);
    };
    watched = new WatchedObjects(client, { direct, idleMs: 60_000, now: () => now, log: quiet });
  });

  after(async () => {
    watched?.close();
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('reads come from the watch, changes arrive by watch, absent objects read as undefined', async () => {
    await client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'one' } } as KubeObject);
    const first = await watched.get(CONFIGMAPS, 'default', 'settings');
    assert.deepEqual(first?.data, { mode: 'one' });
    assert.equal(watched.size, 1);

    await client.patch(CONFIGMAPS, 'default', 'settings', PatchTypes.merge, { data: { mode: 'two' } });
    await eventually(async () => ((await watched.get(CONFIGMAPS, 'default', 'settings'))?.data as { mode?: string } | undefined)?.mode === 'two');
    assert.equal(watched.size, 1, 'one watch per object');

    assert.equal(await watched.get(SECRETS, 'default', 'missing'), undefined);
    await client.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'missing', namespace: 'default' }, data: { k: 'dg==' } } as KubeObject);
    await eventually(async () => (await watched.get(SECRETS, 'default', 'missing')) !== undefined);
    assert.deepEqual((await watched.get(SECRETS, 'default', 'missing'))?.data, { k: 'dg==' });

    await client.delete(CONFIGMAPS, 'default', 'settings');
    await eventually(async () => (await watched.get(CONFIGMAPS, 'default', 'settings')) === undefined);
    assert.deepEqual(directReads, [], 'no GET once each watch had listed');
  });

  test('a watch nobody reads from stops; the next read starts a new one', async () => {
    await client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'idle', namespace: 'default' }, data: { a: '1' } } as KubeObject);
    await watched.get(CONFIGMAPS, 'default', 'idle');
    const before = watched.size;
    now += 30_000;
    await watched.get(CONFIGMAPS, 'default', 'idle');
    now += 45_000;
    watched.stopIdle();
    assert.equal(watched.size, 1, 'only the object read 45 s ago is still watched');
    now += 61_000;
    watched.stopIdle();
    assert.equal(watched.size, 0);
    assert.ok(before >= 2);
    assert.deepEqual((await watched.get(CONFIGMAPS, 'default', 'idle'))?.data, { a: '1' });
  });

  test('an unreachable API: the read fails with the direct request\'s error', async () => {
    const nowhere = new RestClient({ server: 'http://127.0.0.1:9', token: 't', timeoutMs: 1000 });
    const failing = new WatchedObjects(nowhere, { syncWaitMs: 200, log: quiet });
    try {
      await assert.rejects(failing.get(CONFIGMAPS, 'default', 'any'), /ECONNREFUSED|connect/);
    } finally {
      failing.close();
      nowhere.close();
    }
  });
});
