import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxArchive, registryTestSkipReason } from '../../../test/support/registry.js';
import { formatSize, formatTable, imageCommand, imageTableRows, parseImageArgs } from './cli.js';

test('formatSize', () => {
  const cases: Array<[number, string]> = [[0, '0B'], [999, '999B'], [1000, '1kB'], [1_089_458, '1.09MB'], [2_500_000_000, '2.5GB']];
  for (const [bytes, text] of cases) assert.equal(formatSize(bytes), text);
});

test('parseImageArgs', () => {
  assert.deepEqual(parseImageArgs(['import', 'f.tar', '--data-dir', '/d']), { verb: 'import', positional: ['f.tar'], dataDir: '/d' });
  assert.deepEqual(parseImageArgs(['ls', '--data-dir=/x']), { verb: 'ls', positional: [], dataDir: '/x' });
  assert.throws(() => parseImageArgs(['ls', '--bogus']), /unknown flag/);
});

test('image table', () => {
  const rows = imageTableRows([
    { id: `sha256:${'ab'.repeat(32)}`, repoTags: ['docker.io/library/busybox:1.0', '127.0.0.1:5000/x:v'], repoDigests: [], size: 2_100_000, layers: [], config: {} },
    { id: `sha256:${'cd'.repeat(32)}`, repoTags: [], repoDigests: [], size: 5, layers: [], config: {} },
  ]);
  assert.equal(
    formatTable(['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], rows),
    'IMAGE              TAG      IMAGE ID       SIZE\n' +
      'busybox            1.0      abababababab   2.1MB\n' +
      '127.0.0.1:5000/x   v        abababababab   2.1MB\n' +
      '<none>             <none>   cdcdcdcdcdcd   5B\n',
  );
});

test('kijabi image import / ls / rm', { skip: registryTestSkipReason() ?? false }, async () => {
  const archive = await buildBusyboxArchive('oci');
  const dataDir = mkdtempSync(join(tmpdir(), 'kjb-cli-test-'));
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await imageCommand(['import', archive.file, '--data-dir', dataDir]);
    await imageCommand(['ls', '--data-dir', dataDir]);
    await imageCommand(['rm', 'busybox:1.0', '--data-dir', dataDir]);
    await imageCommand(['ls', '--data-dir', dataDir]);
  } finally {
    process.stdout.write = write;
    rmSync(dataDir, { recursive: true, force: true });
    await archive.cleanup();
  }
  assert.match(out[0]!, /^Imported docker\.io\/library\/busybox:1\.0 \(sha256:[a-f0-9]{64}\)\n$/);
  assert.match(out[1]!, /^IMAGE\s+TAG\s+IMAGE ID\s+SIZE\nbusybox\s+1\.0\s+[a-f0-9]{12}\s+1\.09MB\n$/);
  assert.match(out[2]!, /^Deleted: sha256:/);
  assert.equal(out[3], 'IMAGE   TAG   IMAGE ID   SIZE\n');
});
