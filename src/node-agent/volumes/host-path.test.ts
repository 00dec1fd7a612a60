import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostPathType } from './host-path.js';

test('hostPath type checks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kjb-hp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'file');
  const sub = join(dir, 'sub');
  writeFileSync(file, 'x');
  mkdirSync(sub);
  const socketPath = join(dir, 'sock');
  const server = createServer();
  await new Promise<void>((r) => server.listen(socketPath, r));
  t.after(() => server.close());

  const cases: { path: string; type: string | undefined; error?: string }[] = [
    { path: sub, type: 'Directory' },
    { path: file, type: 'Directory', error: `hostPath type check failed: ${file} is not a directory` },
    { path: join(dir, 'none'), type: 'Directory', error: `hostPath type check failed: ${join(dir, 'none')} is not a directory` },
    { path: file, type: 'File' },
    { path: sub, type: 'File', error: `hostPath type check failed: ${sub} is not a file` },
    { path: file, type: 'DirectoryOrCreate', error: `hostPath type check failed: ${file} is not a directory` },
    { path: sub, type: 'FileOrCreate', error: `hostPath type check failed: ${sub} is not a file` },
    { path: socketPath, type: 'Socket' },
    { path: file, type: 'Socket', error: `hostPath type check failed: ${file} is not a socket file` },
    { path: '/dev/null', type: 'CharDevice' },
    { path: file, type: 'CharDevice', error: `hostPath type check failed: ${file} is not a character device` },
    { path: '/dev/null', type: 'BlockDevice', error: 'hostPath type check failed: /dev/null is not a block device' },
    { path: join(dir, 'whatever'), type: '' },
    { path: join(dir, 'whatever'), type: undefined },
    { path: file, type: 'Bogus', error: 'Bogus is an invalid volume type' },
  ];
  for (const c of cases) {
    if (c.error) await assert.rejects(checkHostPathType(c.path, c.type), { message: c.error }, `${c.type} ${c.path}`);
    else await checkHostPathType(c.path, c.type);
  }

  // No type: a missing path becomes a directory, as containerd creates a missing bind source.
  assert.ok(statSync(join(dir, 'whatever')).isDirectory());

  const created = join(dir, 'a/b/c');
  await checkHostPathType(created, 'DirectoryOrCreate');
  assert.ok(statSync(created).isDirectory());
  const createdFile = join(dir, 'new-file');
  await checkHostPathType(createdFile, 'FileOrCreate');
  assert.ok(statSync(createdFile).isFile());
  // FileOrCreate does not create missing parents.
  await assert.rejects(checkHostPathType(join(dir, 'missing/parent/f'), 'FileOrCreate'));
  assert.equal(existsSync(join(dir, 'missing')), false);
});
