import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxArchive, buildBusyboxLayout, LAYER2_INDEX_HTML, registryTestSkipReason, startRegistry, type BusyboxLayout, type TestRegistry } from '../../../test/support/registry.js';
import { ImageStore, type PullProgress } from './image-store.js';
import { formatTable, imageTableRows } from './cli.js';

const skip = registryTestSkipReason() ?? false;

function tempStore(options: ConstructorParameters<typeof ImageStore>[1] = {}): { store: ImageStore; root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'kjb-store-test-'));
  return { store: new ImageStore(root, options), root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

describe('ImageStore against a local registry', { skip }, () => {
  let image: BusyboxLayout;
  let registry: TestRegistry;
  before(async () => {
    image = await buildBusyboxLayout({ secondLayer: true });
    registry = await startRegistry();
    await registry.push(image.layout, 'web');
    await registry.push(image.layout, 'base');
  });
  after(async () => {
    await registry?.stop();
    await image?.cleanup();
  });

  test('pulls a two-layer image and applies whiteouts in the unpacked layer dirs', async () => {
    const { store, root, cleanup } = tempStore();
    try {
      const progress: PullProgress[] = [];
      const ref = `${registry.host}/library/busybox:web`;
      const record = await store.pull(ref, { onProgress: (p) => progress.push(p) });
      assert.match(record.id, /^sha256:[a-f0-9]{64}$/);
      assert.deepEqual(record.repoTags, [ref]);
      assert.match(record.repoDigests[0]!, new RegExp(`^${registry.host}/library/busybox@sha256:[a-f0-9]{64}$`));
      assert.deepEqual(record.config.cmd, ['/bin/httpd', '-f', '-p', '80', '-h', '/www']);
      assert.equal(record.config.workingDir, '/www');
      assert.equal(record.layers.length, 2);
      const [lower, upper] = record.layers as [string, string];
      assert.equal(readlinkOrUndefined(join(lower, 'bin/vi')), '/bin/busybox');
      assert.equal(lstatSync(join(upper, 'bin/vi')).isCharacterDevice(), true);
      assert.equal(lstatSync(join(upper, 'bin/vi')).rdev, 0);
      assert.equal(readFileSync(join(upper, 'www/index.html'), 'utf8'), LAYER2_INDEX_HTML);
      assert.equal(existsSync(join(upper, 'bin/.wh.vi')), false);
      assert.ok(record.size > 1_000_000);
      const last = progress.filter((p) => p.phase === 'done');
      assert.equal(last.length, 2);
      assert.ok(progress.some((p) => p.phase === 'downloading' && p.bytesDone === p.bytesTotal));
      // resolve by tag, digest, id and id prefix; a second store reads the same index
      for (const r of [ref, record.repoDigests[0]!, record.id, record.id.slice(7, 19)]) assert.equal(store.resolve(r)?.id, record.id, r);
      assert.equal(new ImageStore(root).resolve(ref)?.id, record.id);
      // pulling again (imagePullPolicy Always) asks the registry but writes nothing
      const indexInode = statSync(join(root, 'index.json')).ino;
      const again: PullProgress[] = [];
      await store.pull(ref, { onProgress: (p) => again.push(p) });
      assert.deepEqual(again.map((p) => p.phase), ['exists', 'exists']);
      assert.equal(statSync(join(root, 'index.json')).ino, indexInode, 'the index was not rewritten');
      // ...unless a layer has gone missing: then it is unpacked again
      rmSync(upper, { recursive: true, force: true });
      const repaired: PullProgress[] = [];
      const after = await store.pull(ref, { onProgress: (p) => repaired.push(p) });
      assert.ok(repaired.some((p) => p.phase === 'done'), 'the missing layer was unpacked again');
      assert.equal(readFileSync(join(after.layers[1]!, 'www/index.html'), 'utf8'), LAYER2_INDEX_HTML);
    } finally {
      cleanup();
    }
  });

  test('missing tag fails with the registry message', async () => {
    const { store, cleanup } = tempStore();
    try {
      await assert.rejects(store.pull(`${registry.host}/library/busybox:nope`), (err: Error & { reason?: string }) => {
        assert.equal(err.name, 'ImagePullError');
        assert.equal(err.reason, 'ImageNotFound');
        assert.match(err.message, /manifest unknown/);
        assert.match(err.message, /busybox:nope/);
        return true;
      });
      await assert.rejects(store.pull('Not A Ref'), { reason: 'InvalidImageName' });
      assert.deepEqual(store.list(), []);
    } finally {
      cleanup();
    }
  });

  test('concurrent pulls of one reference share a single download', async () => {
    const { store, cleanup } = tempStore();
    try {
      const ref = `${registry.host}/library/busybox:base`;
      const seen: string[][] = [[], []];
      const [a, b] = await Promise.all([0, 1].map((i) => store.pull(ref, { onProgress: (p) => seen[i]!.push(p.phase) })));
      assert.equal(a!.id, b!.id);
      assert.equal(seen[0]!.filter((p) => p === 'done').length, 1);
      assert.equal(seen[1]!.filter((p) => p === 'done').length, 1);
      assert.equal(seen[0]!.concat(seen[1]!).includes('exists'), false);
    } finally {
      cleanup();
    }
  });

  test('list, remove (shared layers survive), and LRU garbage collection', async () => {
    let now = 1_000;
    let available = 50;
    const { store, root, cleanup } = tempStore({ now: () => now, diskUsage: async () => ({ capacityBytes: 100, availableBytes: available }) });
    try {
      const base = await store.pull(`${registry.host}/library/busybox:base`);
      now = 2_000;
      const web = await store.pull(`${registry.host}/library/busybox:web`);
      assert.deepEqual(store.list().map((i) => i.id).sort(), [base.id, web.id].sort());
      assert.equal(base.layers[0], web.layers[0], 'the base layer is stored once');
      const table = formatTable(['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], imageTableRows(store.list()));
      assert.match(table, new RegExp(`${registry.host}/library/busybox\\s+base\\s+${base.id.slice(7, 19)}\\s+\\d`));

      // below the high threshold nothing goes
      assert.deepEqual((await store.garbageCollect(new Set(), { highThresholdPercent: 85, lowThresholdPercent: 80 })).removed, []);
      // above it, the least recently used unused image goes first; the in-use one stays
      available = 10;
      now = 3_000;
      store.resolve(base.id);
      const gc = await store.garbageCollect(new Set([`${registry.host}/library/busybox:base`]), { highThresholdPercent: 85, lowThresholdPercent: 80 });
      assert.deepEqual(gc.removed, [web.id]);
      assert.equal(existsSync(web.layers[1]!), false);
      assert.equal(existsSync(web.layers[0]!), true, 'layer shared with base is kept');

      await store.remove(`${registry.host}/library/busybox:base`);
      assert.deepEqual(store.list(), []);
      assert.equal(existsSync(base.layers[0]!), false);
      await assert.rejects(store.remove('busybox:nothere'), /not found/);
      assert.deepEqual(execFileSync('ls', [join(root, 'layers')]).toString(), '');
    } finally {
      cleanup();
    }
  });
});

describe('registry authentication', { skip: skip || (existsSync('/usr/bin/htpasswd') ? false : 'needs htpasswd (apt-get install apache2-utils)') }, () => {
  let image: BusyboxLayout;
  let registry: TestRegistry;
  before(async () => {
    image = await buildBusyboxLayout();
    registry = await startRegistry({ auth: { username: 'kijabi', password: 's3cret' } });
    await registry.push(image.layout, 'base');
  });
  after(async () => {
    await registry?.stop();
    await image?.cleanup();
  });

  test('without or with wrong credentials: unauthorized with the registry message', async () => {
    const { store, cleanup } = tempStore();
    try {
      const ref = `${registry.host}/library/busybox:base`;
      for (const auth of [undefined, [{ registry: registry.host, username: 'kijabi', password: 'wrong' }]]) {
        await assert.rejects(store.pull(ref, auth ? { auth } : {}), (err: Error & { reason?: string }) => {
          assert.equal(err.reason, 'Unauthorized');
          assert.match(err.message, /unauthorized: authentication required/);
          return true;
        });
      }
    } finally {
      cleanup();
    }
  });

  test('pull secret (dockerconfigjson auth field) and registries.yaml credentials both work', async () => {
    const ref = `${registry.host}/library/busybox:base`;
    const withSecret = tempStore();
    const withConfig = tempStore({ registriesConfig: { configs: { [registry.host]: { auth: { username: 'kijabi', password: 's3cret' } } } } });
    try {
      const auth = Buffer.from('kijabi:s3cret').toString('base64');
      const a = await withSecret.store.pull(ref, { auth: [{ registry: `http://${registry.host}`, auth }] });
      const b = await withConfig.store.pull(ref);
      assert.equal(a.id, b.id);
    } finally {
      withSecret.cleanup();
      withConfig.cleanup();
    }
  });
});

describe('importArchive', { skip }, () => {
  for (const kind of ['docker', 'oci'] as const) {
    test(`imports a ${kind} archive`, async () => {
      const archive = await buildBusyboxArchive(kind);
      const { store, cleanup } = tempStore();
      try {
        const [record, ...rest] = await store.importArchive(archive.file);
        assert.equal(rest.length, 0);
        assert.deepEqual(record!.repoTags, ['docker.io/library/busybox:1.0']);
        assert.equal(store.resolve('busybox:1.0')?.id, record!.id);
        assert.equal(record!.layers.length, 2);
        assert.equal(lstatSync(join(record!.layers[1]!, 'bin/vi')).isCharacterDevice(), true);
        assert.equal(readFileSync(join(record!.layers[1]!, 'www/index.html'), 'utf8'), LAYER2_INDEX_HTML);
        assert.deepEqual(record!.config.cmd, ['/bin/httpd', '-f', '-p', '80', '-h', '/www']);
      } finally {
        cleanup();
        await archive.cleanup();
      }
    });
  }
});

function readlinkOrUndefined(path: string): string | undefined {
  try {
    return execFileSync('readlink', [path]).toString().trim();
  } catch {
    return undefined;
  }
}
