import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { checkedEntryPath, classifyWhiteout, unpackLayerFile, unpackLayerStream } from './layer-unpack.js';

// A minimal ustar writer, so tests can produce entries that tar tools refuse to write (`../x`, `/x`).
interface Entry {
  path: string;
  type?: '0' | '1' | '2' | '3' | '5';
  body?: string;
  linkpath?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(e: Entry): Buffer {
  const h = Buffer.alloc(512);
  const body = Buffer.from(e.body ?? '');
  h.write(e.path, 0, 100);
  h.write(octal(e.mode ?? (e.type === '5' ? 0o755 : 0o644), 8), 100);
  h.write(octal(e.uid ?? 0, 8), 108);
  h.write(octal(e.gid ?? 0, 8), 116);
  h.write(octal((e.type ?? '0') === '0' ? body.length : 0, 12), 124);
  h.write(octal(1_700_000_000, 12), 136);
  h.write('        ', 148);
  h.write(e.type ?? '0', 156);
  h.write(e.linkpath ?? '', 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function makeTar(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    const body = Buffer.from((e.type ?? '0') === '0' ? (e.body ?? '') : '');
    parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const scratch = mkdtempSync(join(tmpdir(), 'kjb-unpack-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
function freshDir(): { dest: string; outside: string } {
  const base = join(scratch, String(counter++));
  return { dest: join(base, 'layer'), outside: base };
}
const isRoot = process.getuid?.() === 0;

describe('entry paths', () => {
  const ok: Array<[string, string]> = [['./a/b', 'a/b'], ['a//b/', 'a/b'], ['.', ''], ['./', ''], ['a/.wh.b', 'a/.wh.b']];
  for (const [input, out] of ok) test(`${input} → ${out}`, () => assert.equal(checkedEntryPath(input), out));
  for (const bad of ['/etc/passwd', '../escape', 'a/../../b', 'a/../b', './..']) {
    test(`rejects ${bad}`, () => assert.throws(() => checkedEntryPath(bad), { name: 'UnsafeLayerError' }));
  }
  test('whiteout classification', () => {
    assert.deepEqual(classifyWhiteout('.wh.vi'), { kind: 'whiteout', target: 'vi' });
    assert.deepEqual(classifyWhiteout('.wh..wh..opq'), { kind: 'opaque' });
    assert.deepEqual(classifyWhiteout('.wh..wh.plnk'), { kind: 'meta' });
    assert.deepEqual(classifyWhiteout('vi'), { kind: 'plain' });
  });
});

describe('unpackLayerStream', () => {
  test('files, dirs, symlinks, hard links, owners, modes; diffID is sha256 of the tar', async () => {
    const tar = makeTar([
      { path: 'bin/', type: '5' },
      { path: 'bin/busybox', body: 'ELF', mode: 0o4755, uid: 1234, gid: 2345 },
      { path: 'bin/sh', type: '2', linkpath: '/bin/busybox' },
      { path: 'bin/ash', type: '1', linkpath: 'bin/busybox' },
      { path: 'ro/', type: '5', mode: 0o555 },
      { path: 'ro/file', body: 'x', mode: 0o400 },
      { path: 'deep/er/file.txt', body: 'implicit parents' },
    ]);
    const { dest } = freshDir();
    const result = await unpackLayerStream(Readable.from([tar]), dest);
    assert.equal(result.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    assert.equal(readFileSync(join(dest, 'bin/busybox'), 'utf8'), 'ELF');
    assert.equal(readlinkSync(join(dest, 'bin/sh')), '/bin/busybox');
    assert.equal(lstatSync(join(dest, 'bin/ash')).ino, lstatSync(join(dest, 'bin/busybox')).ino);
    assert.equal(lstatSync(join(dest, 'ro')).mode & 0o7777, 0o555);
    assert.equal(lstatSync(join(dest, 'ro/file')).mode & 0o7777, 0o400);
    assert.equal(readFileSync(join(dest, 'deep/er/file.txt'), 'utf8'), 'implicit parents');
    if (isRoot) {
      const st = lstatSync(join(dest, 'bin/busybox'));
      assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [1234, 2345, 0o4755]);
    }
  });

  test('gzip layers give the same diffID', async () => {
    const tar = makeTar([{ path: 'a', body: 'hello' }]);
    const { dest, outside } = freshDir();
    const file = join(outside, 'layer.tar.gz');
    execFileSync('mkdir', ['-p', outside]);
    writeFileSync(file, gzipSync(tar));
    const result = await unpackLayerFile(file, dest);
    assert.equal(result.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    assert.equal(readFileSync(join(dest, 'a'), 'utf8'), 'hello');
  });

  test('whiteouts become overlayfs whiteouts (char 0/0, opaque xattr)', { skip: isRoot ? false : 'needs root for mknod and trusted.* xattrs' }, async () => {
    const tar = makeTar([
      { path: 'bin/', type: '5' },
      { path: 'bin/.wh.vi' },
      { path: 'etc/', type: '5' },
      { path: 'etc/.wh..wh..opq' },
      { path: 'etc/new.conf', body: 'x' },
      { path: '.wh.gone-dir' },
    ]);
    const { dest } = freshDir();
    const result = await unpackLayerStream(Readable.from([tar]), dest);
    assert.deepEqual([result.whiteouts, result.opaqueDirs], [2, 1]);
    for (const rel of ['bin/vi', 'gone-dir']) {
      const st = lstatSync(join(dest, rel));
      assert.equal(st.isCharacterDevice(), true, rel);
      assert.equal(st.rdev, 0, rel);
    }
    assert.equal(existsSync(join(dest, 'bin/.wh.vi')), false);
    assert.equal(existsSync(join(dest, 'etc/.wh..wh..opq')), false);
    const xattr = execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'trusted.overlay.opaque', join(dest, 'etc')]).toString();
    assert.equal(xattr, 'y');
  });

  const escapes: Array<[string, Entry[], string]> = [
    ['a ../escape entry', [{ path: '../escape', body: 'pwned' }], 'escape'],
    ['an absolute path', [{ path: '/abs-escape', body: 'pwned' }], 'abs-escape'],
    ['a write through a symlink', [{ path: 'link', type: '2', linkpath: '..' }, { path: 'link/through-link', body: 'pwned' }], 'through-link'],
    ['a write through an absolute symlink', [{ path: 'root', type: '2', linkpath: '/' }, { path: 'root/tmp/kjb-absolute-escape', body: 'pwned' }], '../../tmp/kjb-absolute-escape'],
    ['a hard link out of the layer', [{ path: 'h', type: '1', linkpath: '../victim' }], 'victim-never-created'],
    ['a whiteout through a symlink', [{ path: 'l', type: '2', linkpath: '..' }, { path: 'l/.wh.victim' }], 'victim'],
  ];
  for (const [name, entries, outsideName] of escapes) {
    test(`rejects ${name}`, async () => {
      const { dest, outside } = freshDir();
      await assert.rejects(unpackLayerStream(Readable.from([makeTar(entries)]), dest), { name: 'UnsafeLayerError' });
      assert.equal(existsSync(join(outside, outsideName)), false);
    });
  }

  test('rejects garbage', async () => {
    const { dest } = freshDir();
    await assert.rejects(unpackLayerStream(Readable.from([Buffer.alloc(1536, 7)]), dest));
  });
});
