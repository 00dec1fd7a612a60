import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareRunDir } from './run-dir.js';
import { unmount } from './rootfs.js';

const mountsAt = (path: string): number => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === path).length;

describe('agent run dir (root)', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  const base = mkdtempSync(join(tmpdir(), 'kjb-rundir-'));
  const dir = join(base, 'run');
  after(async () => {
    while (mountsAt(dir) > 0) await unmount(dir);
    rmSync(base, { recursive: true, force: true });
  });

  test('a tmpfs is mounted once and found again by the next agent start', async () => {
    const first = await prepareRunDir(dir);
    assert.deepEqual(first, { path: dir, tmpfs: true });
    assert.notEqual(statSync(dir).dev, statSync(base).dev);
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'only root reads runtime state and secrets');
    assert.match(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dir) ?? '', / - tmpfs kijabi-run /);
    const again = await prepareRunDir(dir);
    assert.deepEqual(again, first);
    assert.equal(mountsAt(dir), 1, 'not mounted twice');
  });
});
