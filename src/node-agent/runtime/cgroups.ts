// cgroup v1 files for one container: stats, the OOM counter, and removal of the directories.

import { readFile, rmdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** Parses "key value" lines (memory.stat, memory.oom_control, cpu.stat). */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^-?\d+$/.test(value)) out.set(key, Number(value));
  }
  return out;
}

/** Working set as the kubelet defines it: usage minus inactive file cache, never below zero. */
export function workingSetBytes(usageBytes: number, memoryStat: Map<string, number>): number {
  const inactiveFile = memoryStat.get('total_inactive_file') ?? memoryStat.get('inactive_file') ?? 0;
  return Math.max(0, usageBytes - inactiveFile);
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const value = Number((await readFile(path, 'utf8')).trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function controllerDir(controller: string, cgroupsPath: string, root = CGROUP_ROOT): string {
  return join(root, controller, cgroupsPath);
}

export async function readCgroupStats(cgroupsPath: string, root = CGROUP_ROOT): Promise<{ cpuUsageNanos: number; memoryWorkingSetBytes: number }> {
  const cpuUsageNanos = (await readNumber(join(controllerDir('cpuacct', cgroupsPath, root), 'cpuacct.usage'))) ?? 0;
  const memoryDir = controllerDir('memory', cgroupsPath, root);
  const usage = (await readNumber(join(memoryDir, 'memory.usage_in_bytes'))) ?? 0;
  let stat = new Map<string, number>();
  try {
    stat = parseFlatKeyed(await readFile(join(memoryDir, 'memory.stat'), 'utf8'));
  } catch {
    // cgroup gone: report zero working set
  }
  return { cpuUsageNanos, memoryWorkingSetBytes: workingSetBytes(usage, stat) };
}

/** The kernel's count of OOM kills in this memory cgroup (0 when unknown). */
export async function readOomKillCount(cgroupsPath: string, root = CGROUP_ROOT): Promise<number> {
  try {
    const text = await readFile(join(controllerDir('memory', cgroupsPath, root), 'memory.oom_control'), 'utf8');
    return parseFlatKeyed(text).get('oom_kill') ?? 0;
  } catch {
    return 0;
  }
}

/** Every hierarchy under the cgroup root, including the hybrid cgroup2 one at unified/ (crun makes dirs there too). */
async function hierarchies(root: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * Removes the container's cgroup directories in every hierarchy, then its parents up to (not
 * including) the first path segment when they are empty, e.g. /kijabi/pod<uid>/<ctr> also drops
 * /kijabi/pod<uid> once its last container is gone. Only empty cgroups can be removed (rmdir).
 */
export async function removeCgroup(cgroupsPath: string, options: { keepDepth?: number; root?: string } = {}): Promise<void> {
  const root = options.root ?? CGROUP_ROOT;
  const keepDepth = options.keepDepth ?? 1;
  const segments = cgroupsPath.split('/').filter(Boolean);
  for (const hierarchy of await hierarchies(root)) {
    for (let depth = segments.length; depth > keepDepth; depth--) {
      const dir = join(root, hierarchy, ...segments.slice(0, depth));
      try {
        await rmdir(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        break; // busy or not empty: its parents are not empty either
      }
    }
  }
}
