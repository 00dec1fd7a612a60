// Extracts one image layer (a tar, gzip or plain) into its own directory for use as an overlayfs
// lower dir. npm tar parses; we create every file ourselves so that no entry can write outside the
// layer dir (absolute paths, `..`, and writes through symlinks are rejected), keep owners and modes,
// and turn OCI whiteouts into overlayfs ones (`.wh.x` → char device 0/0, `.wh..wh..opq` → xattr).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { once } from 'node:events';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export class UnsafeLayerError extends Error {
  override name = 'UnsafeLayerError';
}

export interface UnpackResult {
  /** sha256 of the uncompressed tar stream (the layer's diffID). */
  diffId: string;
  /** Sum of regular file sizes, for disk accounting. */
  unpackedSize: number;
  whiteouts: number;
  opaqueDirs: number;
}

/**
 * Normalises an entry path to a relative path inside the layer; throws on absolute paths and on any
 * `..` component. `./a//b/` → `a/b`; `.` → ``.
 */
export function checkedEntryPath(path: string): string {
  if (path.startsWith('/')) throw new UnsafeLayerError(`layer entry "${path}" has an absolute path`);
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnsafeLayerError(`layer entry "${path}" escapes the layer directory`);
  return parts.join('/');
}

/** Classifies a basename: a whiteout of `target`, an opaque marker, other AUFS metadata, or plain. */
export function classifyWhiteout(name: string): { kind: 'plain' } | { kind: 'opaque' } | { kind: 'meta' } | { kind: 'whiteout'; target: string } {
  if (!name.startsWith(WHITEOUT_PREFIX)) return { kind: 'plain' };
  if (name === OPAQUE_WHITEOUT) return { kind: 'opaque' };
  if (name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return { kind: 'meta' };
  return { kind: 'whiteout', target: name.slice(WHITEOUT_PREFIX.length) };
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, (err, _stdout, stderr) => (err ? reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve()));
  });
}

/** Node has no mknod(2); the coreutils binary does it. */
export function makeNode(path: string, type: 'c' | 'b' | 'p', mode: number, major = 0, minor = 0): Promise<void> {
  const args = ['-m', (mode & 0o7777).toString(8), path, type];
  if (type !== 'p') args.push(String(major), String(minor));
  return run('/usr/bin/mknod', args);
}

let xattrTool: Promise<'setfattr' | 'python3'> | undefined;

/** Node has no setxattr(2): use `setfattr` (Debian package `attr`), else python3 as a fallback. */
export async function setXattr(path: string, name: string, value: string): Promise<void> {
  xattrTool ??= access('/usr/bin/setfattr').then(
    () => 'setfattr' as const,
    () => 'python3' as const,
  );
  if ((await xattrTool) === 'setfattr') return run('/usr/bin/setfattr', ['-h', '-n', name, '-v', value, path]);
  return run('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode(), follow_symlinks=False)', path, name, value]).catch((err: Error) => {
    throw new Error(`cannot set xattr ${name} on ${path} (install the "attr" package for setfattr): ${err.message}`);
  });
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Opens a file and returns a stream of its uncompressed content (gzip detected by magic bytes). */
export async function openLayerStream(file: string): Promise<Readable> {
  const handle = await open(file, 'r');
  const magic = Buffer.alloc(4);
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const raw = createReadStream(file);
  if (magic[0] === 0x1f && magic[1] === 0x8b) return raw.pipe(createGunzip());
  if (magic.readUInt32LE(0) === 0xfd2fb528) {
    raw.destroy();
    throw new UnsafeLayerError('zstd-compressed layers are not supported');
  }
  return raw;
}

interface Context {
  root: string;
  preserveOwner: boolean;
  knownDirs: Set<string>;
  deferredDirModes: Array<{ path: string; mode: number; mtime?: Date }>;
  whiteouts: string[];
  opaques: string[];
  unpackedSize: number;
}

/** Makes sure every component of `rel` (relative to the layer root) is a real directory, creating missing ones. */
async function ensureDirs(ctx: Context, rel: string): Promise<void> {
  let current = '';
  for (const part of rel === '' ? [] : rel.split('/')) {
    current = current ? `${current}/${part}` : part;
    if (ctx.knownDirs.has(current)) continue;
    const abs = join(ctx.root, current);
    const st = await lstatOrUndefined(abs);
    if (!st) await mkdir(abs, { mode: 0o755 });
    else if (st.isSymbolicLink()) throw new UnsafeLayerError(`layer entry path "${rel}" goes through the symlink "${current}"`);
    else if (!st.isDirectory()) throw new UnsafeLayerError(`layer entry path "${rel}" goes through the non-directory "${current}"`);
    ctx.knownDirs.add(current);
  }
}

/** Removes whatever is at `rel` and forgets cached directories below it. */
async function clearPath(ctx: Context, rel: string): Promise<void> {
  await rm(join(ctx.root, rel), { recursive: true, force: true });
  for (const dir of ctx.knownDirs) if (dir === rel || dir.startsWith(`${rel}/`)) ctx.knownDirs.delete(dir);
}

async function applyEntry(ctx: Context, entry: ReadEntry): Promise<void> {
  const rel = checkedEntryPath(entry.path);
  const name = posix.basename(rel);
  const dir = rel.includes('/') ? posix.dirname(rel) : '';
  const whiteout = classifyWhiteout(name);
  if (whiteout.kind !== 'plain') {
    if (whiteout.kind === 'opaque') ctx.opaques.push(dir);
    else if (whiteout.kind === 'whiteout') ctx.whiteouts.push(dir ? `${dir}/${whiteout.target}` : whiteout.target);
    entry.resume();
    return;
  }
  const mode = (entry.mode ?? 0o644) & 0o7777;
  const target = join(ctx.root, rel);
  if (rel === '') {
    if (entry.type === 'Directory') ctx.deferredDirModes.push({ path: ctx.root, mode, ...(entry.mtime ? { mtime: entry.mtime } : {}) });
    entry.resume();
    return;
  }
  await ensureDirs(ctx, dir);
  const existing = await lstatOrUndefined(target);
  switch (entry.type) {
    case 'Directory':
    case 'GNUDumpDir':
      if (existing && !existing.isDirectory()) await clearPath(ctx, rel);
      if (!existing || !existing.isDirectory()) await mkdir(target, { mode: 0o700 });
      ctx.knownDirs.add(rel);
      ctx.deferredDirModes.push({ path: target, mode, ...(entry.mtime ? { mtime: entry.mtime } : {}) });
      entry.resume();
      break;
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      if (existing) await clearPath(ctx, rel);
      await pipeline(entry, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
      ctx.unpackedSize += entry.size;
      break;
    case 'SymbolicLink':
      if (existing) await clearPath(ctx, rel);
      await symlink(entry.linkpath ?? '', target);
      entry.resume();
      break;
    case 'Link': {
      const source = checkedEntryPath(entry.linkpath ?? '');
      if (source === '') throw new UnsafeLayerError(`hard link "${entry.path}" has no target`);
      await ensureDirs(ctx, source.includes('/') ? posix.dirname(source) : '');
      if (existing) await clearPath(ctx, rel);
      await link(join(ctx.root, source), target);
      entry.resume();
      return; // a hard link shares the target's inode: owner and mode are already right
    }
    case 'CharacterDevice':
    case 'BlockDevice':
    case 'FIFO':
      if (existing) await clearPath(ctx, rel);
      await makeNode(target, entry.type === 'FIFO' ? 'p' : entry.type === 'CharacterDevice' ? 'c' : 'b', mode, entry.header.devmaj ?? 0, entry.header.devmin ?? 0);
      entry.resume();
      break;
    default:
      entry.resume();
      return;
  }
  if (entry.type === 'Directory' || entry.type === 'GNUDumpDir') {
    if (ctx.preserveOwner) await lchown(target, entry.uid ?? 0, entry.gid ?? 0);
    return;
  }
  // chown before chmod: chown clears set-id bits.
  if (ctx.preserveOwner) await lchown(target, entry.uid ?? 0, entry.gid ?? 0);
  if (entry.type === 'SymbolicLink') {
    if (entry.mtime) await lutimes(target, entry.mtime, entry.mtime).catch(() => undefined);
    return;
  }
  await chmod(target, mode);
  if (entry.mtime) await utimes(target, entry.mtime, entry.mtime);
}

async function applyWhiteouts(ctx: Context): Promise<void> {
  for (const dir of ctx.opaques) {
    await ensureDirs(ctx, dir);
    await setXattr(dir === '' ? ctx.root : join(ctx.root, dir), 'trusted.overlay.opaque', 'y');
  }
  for (const rel of ctx.whiteouts) {
    checkedEntryPath(rel);
    await ensureDirs(ctx, rel.includes('/') ? posix.dirname(rel) : '');
    if (await lstatOrUndefined(join(ctx.root, rel))) await clearPath(ctx, rel);
    await makeNode(join(ctx.root, rel), 'c', 0, 0, 0);
  }
  // Deepest first, so a read-only parent does not get in the way of its children's timestamps.
  for (const d of ctx.deferredDirModes.reverse()) {
    await chmod(d.path, d.mode);
    if (d.mtime) await utimes(d.path, d.mtime, d.mtime);
  }
}

/**
 * Extracts an uncompressed tar stream into `destination` (created if missing) and returns its diffID.
 * On error the destination is left half-written: callers extract into a temp dir and rename.
 */
export async function unpackLayerStream(tarStream: Readable, destination: string, options: { preserveOwner?: boolean; signal?: AbortSignal } = {}): Promise<UnpackResult> {
  await mkdir(destination, { recursive: true, mode: 0o755 });
  const ctx: Context = {
    root: destination,
    preserveOwner: options.preserveOwner ?? process.getuid?.() === 0,
    knownDirs: new Set(['']),
    deferredDirModes: [],
    whiteouts: [],
    opaques: [],
    unpackedSize: 0,
  };
  const hash = createHash('sha256');
  const parser = new Parser({ strict: true });
  let failure: unknown;
  let chain: Promise<void> = Promise.resolve();
  parser.on('entry', (entry: ReadEntry) => {
    chain = chain.then(async () => {
      if (failure) return void entry.resume();
      try {
        await applyEntry(ctx, entry);
      } catch (err) {
        failure ??= err;
        entry.resume();
      }
    });
  });
  const parserDone = new Promise<void>((resolve, reject) => {
    parser.on('error', reject);
    parser.on('end', resolve);
  });
  parserDone.catch(() => undefined);
  try {
    for await (const chunk of tarStream) {
      options.signal?.throwIfAborted();
      if (failure) break;
      hash.update(chunk as Buffer);
      if (!parser.write(chunk as Buffer)) await Promise.race([once(parser, 'drain'), parserDone]);
    }
    if (!failure) {
      parser.end();
      await parserDone;
    }
  } catch (err) {
    failure ??= err;
  } finally {
    tarStream.destroy();
  }
  await chain;
  if (failure) throw failure instanceof Error && failure.message.startsWith('TAR') ? new UnsafeLayerError(`invalid layer tar: ${failure.message}`) : failure;
  await applyWhiteouts(ctx);
  return { diffId: `sha256:${hash.digest('hex')}`, unpackedSize: ctx.unpackedSize, whiteouts: ctx.whiteouts.length, opaqueDirs: ctx.opaques.length };
}

/** Extracts a layer file (gzip or plain tar). */
export async function unpackLayerFile(file: string, destination: string, options: { preserveOwner?: boolean; signal?: AbortSignal } = {}): Promise<UnpackResult> {
  return unpackLayerStream(await openLayerStream(file), destination, options);
}
