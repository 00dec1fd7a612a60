import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../client/log.js';
import { buildMountpointLayer, MountpointLayers, mountpointLayerKey, planMountpointLayer } from './mountpoint-layer.js';

// A plain dir stands in for the merged overlay view: the module only lstats it.
const root = mkdtempSync(join(tmpdir(), 'kjb-mountpoints-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const dir = join(root, `case-${n++}`);
  mkdirSync(join(dir, 'merged'), { recursive: true });
  return dir;
};
const isRoot = process.getuid?.() === 0;

/** path -> 'dir' | 'file' | 'link' for everything under `dir`. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const full = join(dir, name);
    const s = lstatSync(full);
    out[rel] = s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : 'file';
    if (s.isDirectory()) Object.assign(out, tree(full, rel));
  }
  return out;
}

test('an empty image gets every mount point, dirs 0755 and empty files 0644', async () => {
  const dir = fresh();
  const layer = join(dir, 'layer');
  assert.equal(await buildMountpointLayer(join(dir, 'merged'), layer), true);
  assert.deepEqual(tree(layer), {
    dev: 'dir', etc: 'dir', 'etc/hostname': 'file', 'etc/hosts': 'file', 'etc/resolv.conf': 'file', proc: 'dir', sys: 'dir',
    var: 'dir', 'var/run': 'dir', 'var/run/secrets': 'dir', 'var/run/secrets/kubernetes.io': 'dir', 'var/run/secrets/kubernetes.io/serviceaccount': 'dir',
  });
  assert.equal(statSync(join(layer, 'proc')).mode & 0o7777, 0o755);
  assert.equal(statSync(join(layer, 'var/run/secrets')).mode & 0o7777, 0o755);
  const hosts = statSync(join(layer, 'etc/hosts'));
  assert.equal(hosts.mode & 0o7777, 0o644);
  assert.equal(hosts.size, 0);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temp dir left');
});

test('image dirs that parent a missing entry keep the image mode, owner and mtime in the layer', async () => {
  const dir = fresh();
  const merged = join(dir, 'merged');
  mkdirSync(join(merged, 'etc'));
  writeFileSync(join(merged, 'etc/hosts'), '127.0.0.1 localhost\n');
  chmodSync(join(merged, 'etc'), 0o2750);
  if (isRoot) chownSync(join(merged, 'etc'), 1234, 5678);
  const mtime = new Date('2020-01-02T03:04:05Z');
  utimesSync(join(merged, 'etc'), mtime, mtime);
  const layer = join(dir, 'layer');
  assert.equal(await buildMountpointLayer(merged, layer), true);
  const etc = statSync(join(layer, 'etc'));
  assert.equal(etc.mode & 0o7777, 0o2750);
  if (isRoot) assert.deepEqual([etc.uid, etc.gid], [1234, 5678]);
  assert.equal(etc.mtimeMs, mtime.getTime());
  // The image's own hosts file stays the image's: only the missing ones are added.
  assert.deepEqual(readdirSync(join(layer, 'etc')).sort(), ['hostname', 'resolv.conf']);
});

test('a symlinked component (var/run -> /run) leaves that path to crun', async () => {
  const dir = fresh();
  const merged = join(dir, 'merged');
  mkdirSync(join(merged, 'var'));
  symlinkSync('/run', join(merged, 'var/run'));
  const plan = await planMountpointLayer(merged);
  assert.deepEqual(plan.filter((e) => e.path.startsWith('var')), []);
  assert.ok(plan.some((e) => e.path === 'proc'), 'the other paths still go in');
});

test('a file where a dir is needed, or a dir where a file is, skips that path', async () => {
  const dir = fresh();
  const merged = join(dir, 'merged');
  writeFileSync(join(merged, 'dev'), '');
  mkdirSync(join(merged, 'etc/hostname'), { recursive: true });
  writeFileSync(join(merged, 'var'), '');
  const paths = (await planMountpointLayer(merged)).map((e) => e.path);
  assert.deepEqual(paths, ['proc', 'sys', 'etc', 'etc/hosts', 'etc/resolv.conf']);
});

test('an image with every mount point gets no layer', async () => {
  const dir = fresh();
  const merged = join(dir, 'merged');
  for (const d of ['proc', 'sys', 'dev', 'var/run/secrets/kubernetes.io/serviceaccount', 'etc']) mkdirSync(join(merged, d), { recursive: true });
  for (const f of ['etc/hosts', 'etc/hostname', 'etc/resolv.conf']) writeFileSync(join(merged, f), '');
  assert.deepEqual(await planMountpointLayer(merged), []);
  const layers = new MountpointLayers(join(dir, 'layers'));
  await layers.build(['/l1'], merged);
  assert.equal(await layers.ready(['/l1']), undefined);
  assert.deepEqual(readdirSync(join(dir, 'layers')), []);
});

test('concurrent builds of one key leave one complete layer', async () => {
  const dir = fresh();
  const merged = join(dir, 'merged');
  const target = join(dir, 'layer');
  const results = await Promise.all(Array.from({ length: 8 }, () => buildMountpointLayer(merged, target)));
  assert.deepEqual(results, Array(8).fill(true));
  assert.deepEqual(readdirSync(dir).sort(), ['layer', 'merged']);
  assert.equal(Object.keys(tree(target)).length, 12);
  // Through the cache as well: separate instances (as two processes would be) and one shared.
  const shared = new MountpointLayers(join(dir, 'layers'));
  const lowers = ['/img/a', '/img/b'];
  await Promise.all([shared.build(lowers, merged), shared.build(lowers, merged), new MountpointLayers(join(dir, 'layers')).build(lowers, merged)]);
  const key = mountpointLayerKey(lowers);
  assert.deepEqual(readdirSync(join(dir, 'layers')), [key]);
  assert.equal(await shared.ready(lowers), join(dir, 'layers', key));
});

test('a layer built earlier is found on disk; another image has another key', async () => {
  const dir = fresh();
  const lowers = ['/img/x'];
  await new MountpointLayers(join(dir, 'layers')).build(lowers, join(dir, 'merged'));
  const later = new MountpointLayers(join(dir, 'layers'));
  assert.equal(await later.ready(lowers), join(dir, 'layers', mountpointLayerKey(lowers)));
  assert.equal(await later.ready(['/img/y']), undefined);
  assert.notEqual(mountpointLayerKey(['/a', '/b']), mountpointLayerKey(['/b', '/a']));
});

test('a failed build is logged, not thrown, and not retried', async () => {
  const dir = fresh();
  // The layers dir cannot be created: a file is in the way.
  writeFileSync(join(dir, 'blocked'), '');
  const warnings: string[] = [];
  const log: Logger = { debug() {}, info() {}, warn: (msg: string) => warnings.push(msg), error() {}, with() { return log; } };
  const layers = new MountpointLayers(join(dir, 'blocked', 'layers'));
  await layers.build(['/img/z'], join(dir, 'merged'), log);
  assert.equal(await layers.ready(['/img/z']), undefined);
  assert.equal(warnings.length, 1);
  rmSync(join(dir, 'blocked'));
  await layers.build(['/img/z'], join(dir, 'merged'), log);
  assert.equal(await layers.ready(['/img/z']), undefined, 'not retried in this process');
  assert.equal(warnings.length, 1);
});
