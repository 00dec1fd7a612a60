// Writes a volume's files the way the kubelet's atomic writer does, so a reader never sees a mix of
// old and new content:
//   <dir>/..2025_01_02_15_04_05.123456789/<files>   the current payload (a timestamped dir)
//   <dir>/..data -> ..2025_...                      swapped with one rename(2)
//   <dir>/<key>  -> ..data/<key>                    user-visible names, stable across updates

import { randomBytes } from 'node:crypto';
// Synchronous file calls on purpose: a volume is a handful of small files on the agent's tmpfs,
// where each call takes microseconds, while the promise versions cost a thread-pool round trip
// each and an error object (with a stack) for every expected "does not exist" (a token volume
// took about 25 of them, a millisecond of the agent's thread per pod).
import { chmodSync as chmod, existsSync, lstatSync as lstat, mkdirSync as mkdir, readFileSync as readFile, readdirSync as readdir, readlinkSync as readlink, renameSync as rename, rmSync as rm, statSync as stat, symlinkSync as symlink, unlinkSync as unlink, writeFileSync as writeFile } from 'node:fs';
import { dirname, join, sep } from 'node:path';

export interface PayloadFile { data: Buffer; mode: number }
/** Relative path (may contain '/') -> file. */
export type Payload = Map<string, PayloadFile>;

const DATA_LINK = '..data';
const DATA_LINK_TMP = '..data_tmp';

/** Rejects absolute paths, `..` components and names the writer reserves for itself. */
export function validatePayloadPath(path: string): void {
  if (path === '') throw new Error('invalid path: must not be empty');
  if (path.startsWith('/')) throw new Error(`invalid path ${JSON.stringify(path)}: must be relative`);
  const parts = path.split('/');
  if (parts.includes('..')) throw new Error(`invalid path ${JSON.stringify(path)}: must not contain '..'`);
  if (parts[0]!.startsWith('..')) throw new Error(`invalid path ${JSON.stringify(path)}: must not start with '..'`);
}

function timestampDirName(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}`;
  return `..${stamp}.${randomBytes(5).toString('hex')}`;
}

async function currentDataDir(targetDir: string): Promise<string | undefined> {
  const link = join(targetDir, DATA_LINK);
  if (!existsSync(link)) return undefined;
  try {
    return readlink(link);
  } catch {
    return undefined;
  }
}

/** Every regular file under `dir`, as relative paths. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

async function sameAsOnDisk(dataDir: string, payload: Payload): Promise<boolean> {
  let files: string[];
  try {
    files = await listFiles(dataDir);
  } catch {
    return false;
  }
  if (files.length !== payload.size) return false;
  for (const [path, file] of payload) {
    try {
      const full = join(dataDir, path);
      const [content, info] = [readFile(full), stat(full)];
      if (!content.equals(file.data) || (info.mode & 0o7777) !== file.mode) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function topLevelNames(payload: Payload): Set<string> {
  return new Set([...payload.keys()].map((path) => path.split('/')[0]!));
}

/**
 * Makes `targetDir` hold exactly `payload`. Returns false when the content already matched (nothing
 * written). Safe to call repeatedly; a crash mid-way leaves the previous `..data` intact.
 */
export async function writeAtomic(targetDir: string, payload: Payload, now: Date = new Date()): Promise<boolean> {
  for (const path of payload.keys()) validatePayloadPath(path);
  await mkdir(targetDir, { recursive: true, mode: 0o755 });
  const oldDataDir = await currentDataDir(targetDir);
  if (oldDataDir && (await sameAsOnDisk(join(targetDir, oldDataDir), payload))) {
    await ensureUserLinks(targetDir, payload);
    return false;
  }

  const newDataDir = timestampDirName(now);
  const newDataPath = join(targetDir, newDataDir);
  await mkdir(newDataPath, { mode: 0o755 });
  await chmod(newDataPath, 0o755);
  for (const [path, file] of payload) {
    const full = join(newDataPath, path);
    await mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await writeFile(full, file.data, { mode: file.mode });
    await chmod(full, file.mode); // writeFile's mode is filtered by the umask
  }

  const tmpLink = join(targetDir, DATA_LINK_TMP);
  if (existsSync(tmpLink)) await rm(tmpLink, { force: true });
  await symlink(newDataDir, tmpLink);
  await rename(tmpLink, join(targetDir, DATA_LINK));

  await ensureUserLinks(targetDir, payload);
  await removeStaleUserLinks(targetDir, payload);
  if (oldDataDir && oldDataDir !== newDataDir && !oldDataDir.includes(sep)) {
    await rm(join(targetDir, oldDataDir), { recursive: true, force: true });
  }
  return true;
}

async function ensureUserLinks(targetDir: string, payload: Payload): Promise<void> {
  for (const name of topLevelNames(payload)) {
    const link = join(targetDir, name);
    const want = `${DATA_LINK}/${name}`;
    try {
      // lstat, not existsSync: a dangling link still needs replacing.
      if (lstat(link, { throwIfNoEntry: false })) {
        if ((await readlink(link)) === want) continue;
        await unlink(link);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EINVAL') throw new Error(`cannot create symlink ${link}: a non-link file is in the way`);
    }
    await symlink(want, link);
  }
}

async function removeStaleUserLinks(targetDir: string, payload: Payload): Promise<void> {
  const wanted = topLevelNames(payload);
  for (const name of await readdir(targetDir)) {
    if (name.startsWith('..') || wanted.has(name)) continue;
    const link = join(targetDir, name);
    if ((await lstat(link)).isSymbolicLink()) await unlink(link);
  }
}
