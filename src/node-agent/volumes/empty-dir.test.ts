import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMounted, setupEmptyDir, tmpfsOptions, unmount } from './empty-dir.js';

test('tmpfs options', () => {
  assert.deepEqual(tmpfsOptions(undefined), ['mode=0777']);
  assert.deepEqual(tmpfsOptions('64Mi'), ['mode=0777', 'size=67108864']);
  assert.deepEqual(tmpfsOptions('1G'), ['mode=0777', 'size=1000000000']);
  assert.throws(() => tmpfsOptions('lots'), /invalid emptyDir sizeLimit/);
});

test('disk-backed emptyDir is a world-writable dir', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-ed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const vol = join(dir, 'v');
  await setupEmptyDir(vol, {});
  assert.equal(statSync(vol).mode & 0o777, 0o777);
  assert.equal(await isMounted(vol), false);
  await assert.rejects(setupEmptyDir(join(dir, 'h'), { medium: 'HugePages' }), /not supported/);
});

test('memory-backed emptyDir mounts a sized tmpfs and unmounts', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-ed-'));
  const vol = join(dir, 'mem');
  t.after(async () => {
    await unmount(vol);
    rmSync(dir, { recursive: true, force: true });
  });
  await setupEmptyDir(vol, { medium: 'Memory', sizeLimit: '1Mi' });
  await setupEmptyDir(vol, { medium: 'Memory', sizeLimit: '1Mi' }); // idempotent: no second mount
  assert.equal(await isMounted(vol), true);
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === vol);
  assert.equal(line.length, 1);
  assert.match(line[0]!, / - tmpfs tmpfs .*size=1024k/);
  writeFileSync(join(vol, 'f'), 'x');
  await unmount(vol);
  assert.equal(await isMounted(vol), false);
});
