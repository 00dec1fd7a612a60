import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptSpare, SPARE_CONTAINER, SPARE_LOGS, SparePodDirs } from './spare-dirs.js';

const base = mkdtempSync(join(tmpdir(), 'kjb-spares-'));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A pod dir as a deleted pod leaves it: containers with upper/work, logs, record, volumes. */
function podWithDirs(podsDir: string, uid: string, options: { upperContent?: boolean; containers?: string[] } = {}): void {
  for (const c of options.containers ?? ['main-0']) {
    mkdirSync(join(podsDir, uid, 'containers', c, 'upper'), { recursive: true });
    mkdirSync(join(podsDir, uid, 'containers', c, 'work', 'work'), { recursive: true });
    mkdirSync(join(podsDir, uid, 'logs', c.replace(/-\d+$/, '')), { recursive: true });
    writeFileSync(join(podsDir, uid, 'logs', c.replace(/-\d+$/, ''), '0.log'), 'line\n');
  }
  if (options.upperContent) writeFileSync(join(podsDir, uid, 'containers', (options.containers ?? ['main-0'])[0]!, 'upper', 'written'), 'x');
  writeFileSync(join(podsDir, uid, 'state-a.json'), '{"seq":1,"record":{}}');
  writeFileSync(join(podsDir, uid, 'state.json'), '{}');
  mkdirSync(join(podsDir, uid, 'volumes', 'kubernetes.io~empty-dir', 'data'), { recursive: true });
}

function fresh(max?: number): { podsDir: string; spareDir: string; spares: SparePodDirs } {
  const root = join(base, `case-${n++}`);
  const podsDir = join(root, 'pods');
  const spareDir = join(root, 'spare-pods');
  mkdirSync(podsDir, { recursive: true });
  return { podsDir, spareDir, spares: new SparePodDirs(podsDir, spareDir, max) };
}

describe('spare pod dirs', () => {
  test('a deleted pod leaves a clean spare: one empty container dir, one empty log dir, nothing else', async () => {
    const { podsDir, spareDir, spares } = fresh();
    podWithDirs(podsDir, 'a', { containers: ['main-0', 'main-1', 'side-0'] });
    assert.equal(await spares.recycle('a'), true);
    assert.equal(existsSync(join(podsDir, 'a')), false);
    const spare = join(spareDir, 'a');
    assert.deepEqual(readdirSync(spare).sort(), ['containers', 'logs', 'state-a.json']);
    assert.equal(readFileSync(join(spare, 'state-a.json'), 'utf8'), '', 'the record slot is kept, empty');
    assert.deepEqual(readdirSync(join(spare, 'containers')), [SPARE_CONTAINER]);
    assert.deepEqual(readdirSync(join(spare, 'containers', SPARE_CONTAINER, 'upper')), []);
    assert.deepEqual(readdirSync(join(spare, 'logs')), [SPARE_LOGS]);
    assert.deepEqual(readdirSync(join(spare, 'logs', SPARE_LOGS)), ['0.log']);
    assert.equal(readFileSync(join(spare, 'logs', SPARE_LOGS, '0.log'), 'utf8'), '', 'the first log file is kept, empty');
    assert.equal(spares.count, 1);
  });

  test('a container that wrote to its layer is not kept (overlay attributes must not be reused)', async () => {
    const { podsDir, spareDir, spares } = fresh();
    podWithDirs(podsDir, 'b', { upperContent: true });
    assert.equal(await spares.recycle('b'), true);
    assert.deepEqual(readdirSync(join(spareDir, 'b', 'containers')), []);
  });

  test('the next pod takes a spare over by renames: same inodes, no new directories', async () => {
    const { podsDir, spareDir, spares } = fresh();
    podWithDirs(podsDir, 'old');
    await spares.recycle('old');
    const inode = statSync(join(spareDir, 'old', 'containers', SPARE_CONTAINER, 'upper')).ino;
    await spares.claim('new');
    assert.equal(spares.count, 0);
    const containers = join(podsDir, 'new', 'containers');
    assert.equal(await adoptSpare(join(containers, SPARE_CONTAINER), join(containers, 'app-0')), true);
    assert.equal(statSync(join(containers, 'app-0', 'upper')).ino, inode);
    assert.equal(await adoptSpare(join(podsDir, 'new', 'logs', SPARE_LOGS), join(podsDir, 'new', 'logs', 'app')), true);
    assert.equal(await adoptSpare(join(containers, SPARE_CONTAINER), join(containers, 'app-1')), false, 'one spare per pod');
  });

  test('spares with a container dir are taken first, also after a restart', async () => {
    const { podsDir, spareDir, spares } = fresh();
    podWithDirs(podsDir, 'clean');
    podWithDirs(podsDir, 'written', { upperContent: true });
    await spares.recycle('clean');
    await spares.recycle('written');
    await spares.claim('first');
    assert.equal(existsSync(join(podsDir, 'first', 'containers', SPARE_CONTAINER)), true, 'the spare with a container dir went first');
    // A restarted agent reads the pool from disk and orders it the same way.
    podWithDirs(podsDir, 'clean2');
    await spares.recycle('clean2');
    const restarted = new SparePodDirs(podsDir, spareDir);
    await restarted.claim('second');
    assert.equal(existsSync(join(podsDir, 'second', 'containers', SPARE_CONTAINER)), true);
    await restarted.claim('third');
    assert.equal(existsSync(join(podsDir, 'third', 'containers', SPARE_CONTAINER)), false);
  });

  test('claim leaves an existing pod dir alone; without spares it does nothing', async () => {
    const { podsDir, spares } = fresh();
    podWithDirs(podsDir, 'gone');
    await spares.recycle('gone');
    mkdirSync(join(podsDir, 'here'));
    await spares.claim('here');
    assert.equal(spares.count, 1, 'the spare stays for a pod without a dir');
    await spares.claim('other');
    await spares.claim('third');
    assert.equal(existsSync(join(podsDir, 'third')), false);
  });

  test('a full pool refuses (the caller deletes), and spares on disk are found by a new instance', async () => {
    const { podsDir, spareDir, spares } = fresh(1);
    podWithDirs(podsDir, 'p1');
    podWithDirs(podsDir, 'p2');
    assert.equal(await spares.recycle('p1'), true);
    assert.equal(await spares.recycle('p2'), false);
    assert.equal(existsSync(join(podsDir, 'p2')), true);
    const again = new SparePodDirs(podsDir, spareDir);
    await again.claim('p3');
    assert.equal(existsSync(join(podsDir, 'p3', 'containers', SPARE_CONTAINER)), true);
  });
});
