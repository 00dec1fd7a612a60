import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePayloadPath, writeAtomic, type Payload } from './atomic-writer.js';

function payload(entries: Record<string, string>, mode = 0o644): Payload {
  return new Map(Object.entries(entries).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));
}

test('atomic writer: write, unchanged, update swaps ..data, removed key disappears', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-aw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  assert.equal(await writeAtomic(dir, payload({ a: '1', 'nested/b': '2' }), new Date(Date.UTC(2025, 0, 2, 3, 4, 5))), true);
  const first = readlinkSync(join(dir, '..data'));
  assert.match(first, /^\.\.2025_01_02_03_04_05\.[0-9a-f]+$/);
  assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
  assert.equal(readlinkSync(join(dir, 'nested')), '..data/nested');
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '1');
  assert.equal(readFileSync(join(dir, 'nested/b'), 'utf8'), '2');
  assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o644);

  assert.equal(await writeAtomic(dir, payload({ a: '1', 'nested/b': '2' })), false);
  assert.equal(readlinkSync(join(dir, '..data')), first);

  assert.equal(await writeAtomic(dir, payload({ a: 'changed', c: '3' }, 0o600)), true);
  const second = readlinkSync(join(dir, '..data'));
  assert.notEqual(second, first);
  assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'changed');
  assert.equal(statSync(join(dir, 'c')).mode & 0o777, 0o600);
  const entries = readdirSync(dir).sort();
  assert.deepEqual(entries, [second, '..data', 'a', 'c'].sort());

  // A mode change alone is an update too.
  assert.equal(await writeAtomic(dir, payload({ a: 'changed', c: '3' }, 0o644)), true);
});

test('atomic writer refuses to replace a regular file with a link', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-aw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a'), 'user file');
  await assert.rejects(writeAtomic(dir, payload({ a: '1' })), /non-link file is in the way/);
});

test('payload paths are validated', () => {
  for (const bad of ['/abs', '../up', 'a/../b', '..data', '']) assert.throws(() => validatePayloadPath(bad), /invalid path/, bad);
  for (const good of ['a', 'a/b', 'a..b', '.hidden']) assert.doesNotThrow(() => validatePayloadPath(good));
});
