// Overlay root filesystems for containers, and the agent's mounts in general: mount(2) and
// umount2(2) done by the helper launcher (no process per mount), the mount/umount binaries where
// the launcher cannot.

import { mkdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { mountThroughLauncher, runHelper } from '../launcher/launch.js';
import { limitedSpawn } from '../process-limit.js';

const run = (file: string, args: string[]) => limitedSpawn(() => runHelper(file, args, { timeoutMs: 60_000 }));

/** The kernel takes mount data of at most one page. */
const MAX_MOUNT_DATA = 4096;

/**
 * Whether `dir` is a mount point right now. The agent mounts only new filesystems (overlay,
 * tmpfs) in its own namespace, and each has a device of its own, so two stats answer; reading
 * /proc/self/mountinfo (kilobytes of text per running pod, several times per pod start) is the
 * fallback when a stat fails in an unexpected way.
 */
export async function isMounted(dir: string): Promise<boolean> {
  const target = resolve(dir);
  try {
    // Synchronous: two stats of cached inodes take microseconds; a promise round trip takes tens.
    return statSync(target).dev !== statSync(dirname(target)).dev;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
  }
  return (await mountPoints()).includes(target);
}

/** Every mount point of this mount namespace, from /proc/self/mountinfo. */
async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text.split('\n').map((line) => unescapeMountPath(line.split(' ')[4] ?? '')).filter(Boolean);
}

/** Mount points at or below `dir`, deepest first (reads the whole mount table: not for hot paths). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const root = resolve(dir);
  const points = (await mountPoints()).filter((point) => point === root || point.startsWith(`${root}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts every mount point at or below `dir`, deepest first; failures are left to the caller's checks. */
export async function unmountAllUnder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir).catch(() => [])) await unmount(point).catch(() => undefined);
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The overlay option string; `lowers` are listed lowest first (overlay wants topmost first). */
export function overlayOptions(lowers: string[], upper: string, work: string): string {
  if (lowers.length === 0) throw new Error('overlay mount needs at least one lower layer');
  const options = `lowerdir=${[...lowers].reverse().join(':')},upperdir=${upper},workdir=${work}`;
  if (options.length >= MAX_MOUNT_DATA) {
    throw new Error(`overlay mount options are ${options.length} bytes, over the kernel's ${MAX_MOUNT_DATA}: use shorter layer paths`);
  }
  return options;
}

/** umount2(2) flag: detach now, free once no longer busy. */
const MNT_DETACH = 2;

/** `mount -t fstype -o data source target`; the error says what failed and why. */
export async function mountFilesystem(fstype: string, source: string, target: string, data: string): Promise<void> {
  try {
    if (await mountThroughLauncher({ mount: { source, target, fstype, data } })) return;
    await run('/usr/bin/mount', ['-t', fstype, '-o', data, source, target]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`mounting ${fstype} at ${target} failed: ${stderr || (err as Error).message}`);
  }
}

/** Mounts an overlay of `lowers` (lowest first) at `merged`; a no-op when already mounted. */
export async function mountOverlay(lowers: string[], upper: string, work: string, merged: string): Promise<void> {
  const options = overlayOptions(lowers, upper, work);
  for (const dir of [upper, work, merged]) mkdirSync(dir, { recursive: true });
  if (await isMounted(merged)) return;
  await mountFilesystem('overlay', 'overlay', merged, options);
}

async function unmountOnce(dir: string, detach: boolean): Promise<void> {
  if (await mountThroughLauncher({ umount: { target: dir, flags: detach ? MNT_DETACH : 0 } })) return;
  await run('/usr/bin/umount', detach ? ['-l', dir] : [dir]);
}

/** Unmounts `dir`; a no-op when it is not mounted (or does not exist). */
export async function unmount(dir: string): Promise<void> {
  let mounted: boolean;
  try {
    mounted = await isMounted(dir);
  } catch {
    return;
  }
  if (!mounted) return;
  try {
    await unmountOnce(dir, false);
  } catch (err) {
    if (!(await isMounted(dir))) return;
    // Still busy (a process holds it): detach it so the pod can go; the kernel frees it later.
    try {
      await unmountOnce(dir, true);
    } catch {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`unmounting ${dir} failed: ${stderr || (err as Error).message}`);
    }
  }
}
