import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ownedMode, podFsGroup, rootAlreadyOwned, setVolumeOwnership } from './volume-ownership.js';

test('modes as SetVolumeOwnership sets them', () => {
  const cases: Array<[number, boolean, boolean, number]> = [
    [0o644, false, false, 0o664],
    [0o644, false, true, 0o644],
    [0o600, false, true, 0o640],
    [0o777, true, false, 0o2777],
    [0o755, true, true, 0o2755],
    [0o700, true, false, 0o2770],
  ];
  for (const [mode, dir, ro, want] of cases) assert.equal(ownedMode(mode, dir, ro), want, `${mode.toString(8)} dir=${dir} ro=${ro}`);
  assert.equal(rootAlreadyOwned({ gid: 2000, mode: 0o42777 }, 2000, false), true);
  assert.equal(rootAlreadyOwned({ gid: 0, mode: 0o42777 }, 2000, false), false);
  assert.equal(rootAlreadyOwned({ gid: 2000, mode: 0o40777 }, 2000, false), false);
});

test('fsGroup from the pod security context', () => {
  assert.equal(podFsGroup({ metadata: {}, spec: {} }), undefined);
  assert.deepEqual(podFsGroup({ metadata: {}, spec: { securityContext: { fsGroup: 2000 } } }), { fsGroup: 2000 });
  assert.deepEqual(podFsGroup({ metadata: {}, spec: { securityContext: { fsGroup: 7, fsGroupChangePolicy: 'OnRootMismatch' } } }), { fsGroup: 7, policy: 'OnRootMismatch' });
});

test('a volume tree gets the group, symlinks are left alone', { skip: process.getuid?.() !== 0 ? 'needs root to chown' : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kijabi-fsgroup-'));
  try {
    mkdirSync(join(dir, 'sub'), { mode: 0o755 });
    writeFileSync(join(dir, 'sub', 'f'), 'x', { mode: 0o644 });
    symlinkSync('sub/f', join(dir, 'link'));
    await setVolumeOwnership(dir, { fsGroup: 2000, readOnly: false });
    for (const path of [dir, join(dir, 'sub'), join(dir, 'sub', 'f')]) assert.equal(statSync(path).gid, 2000, path);
    assert.equal(statSync(join(dir, 'sub')).mode & 0o7777, 0o2775);
    assert.equal(statSync(join(dir, 'sub', 'f')).mode & 0o7777, 0o664);
    assert.notEqual(lstatSync(join(dir, 'link')).gid, 2000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
