// Pod directories on the data disk are recycled instead of deleted and made again. A pod start
// made about ten directories and files there (pod dir, container dir, writable layer, overlay work
// dir, log dirs) and its deletion removed them; on ext4 every new inode is a search of the inode
// bitmap, and without a journal that search skips each inode deleted in the last minute, so under
// churn a pod start spent milliseconds of CPU just finding inodes. A deleted pod's dir, emptied,
// waits in `spare-pods/` and the next pod takes it over by renames, which allocate nothing.
//
// Only what is certainly clean is kept: a container dir whose writable layer is empty (a layer
// with content may carry overlayfs attributes that must not meet other lower layers), the pod's
// first log dir with its first log file emptied, and the pod record files emptied. Everything
// else is deleted as before.

import { existsSync, renameSync } from 'node:fs';
import { mkdir, readdir, rename, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORD_SLOTS } from './pod-record.js';

/** The log file of a container's first attempt (pod-record.ts containerLogPath). */
const FIRST_LOG = '0.log';

/** Spare container dir inside a spare pod dir (`containers/<name>-<attempt>` of the next pod). */
export const SPARE_CONTAINER = '.spare';
/** Spare log dir inside a spare pod dir (`logs/<container name>` of the next pod). */
export const SPARE_LOGS = '.spare';
/** Spares kept at most; beyond that deleted pods are removed. */
export const DEFAULT_MAX_SPARES = 128;

async function isEmptyDir(path: string): Promise<boolean> {
  return readdir(path).then((names) => names.length === 0, () => false);
}

/**
 * Renames `from` to `to` when `to` is missing and `from` exists; true when it did. The checks are
 * synchronous on purpose: one stat each, where a failing async call builds an error with a stack.
 */
export async function adoptSpare(from: string, to: string): Promise<boolean> {
  if (existsSync(to) || !existsSync(from)) return false;
  try {
    renameSync(from, to);
    return true;
  } catch {
    return false;
  }
}

export class SparePodDirs {
  private readonly spares: string[] = [];
  private loaded?: Promise<void>;

  constructor(
    private readonly podsDir: string,
    private readonly spareDir: string,
    private readonly max = DEFAULT_MAX_SPARES,
  ) {}

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      await mkdir(this.spareDir, { recursive: true });
      for (const name of await readdir(this.spareDir)) this.keep(join(this.spareDir, name));
    })();
    return this.loaded;
  }

  get count(): number {
    return this.spares.length;
  }

  /** Gives pod `uid` a spare dir when it has no dir yet; a no-op otherwise or without spares. */
  async claim(uid: string): Promise<void> {
    await this.load();
    const target = join(this.podsDir, uid);
    while (this.spares.length > 0) {
      if (existsSync(target)) return;
      const spare = this.spares.pop()!;
      try {
        renameSync(spare, target);
        return;
      } catch {
        // gone or unusable: try the next one
      }
    }
  }

  /**
   * Empties the dir of a pod that is gone (nothing may be mounted under it any more) and keeps it
   * as a spare; false when the pool is full or the dir is not there (the caller deletes it).
   */
  async recycle(uid: string): Promise<boolean> {
    await this.load();
    if (this.spares.length >= this.max) return false;
    const dir = join(this.podsDir, uid);
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return false;
    }
    for (const name of entries) {
      if (name === 'containers' || name === 'logs') continue;
      // The record slots stay, emptied: the next pod overwrites them in place (pod-record.ts).
      if ((RECORD_SLOTS as readonly string[]).includes(name)) await truncate(join(dir, name), 0);
      else await rm(join(dir, name), { recursive: true, force: true });
    }
    await this.keepOne(join(dir, 'containers'), SPARE_CONTAINER, (path) => isEmptyDir(join(path, 'upper')));
    await this.keepOne(join(dir, 'logs'), SPARE_LOGS, async (path) => {
      // The first attempt's log file stays, emptied, for the next pod's first container.
      for (const file of await readdir(path)) {
        if (file === FIRST_LOG) await truncate(join(path, file), 0);
        else await rm(join(path, file), { recursive: true, force: true });
      }
      return true;
    });
    const spare = join(this.spareDir, uid);
    try {
      await rename(dir, spare);
    } catch {
      return false;
    }
    this.keep(spare);
    return true;
  }

  /**
   * Adds a spare to the pool. Spares with a container dir are taken first (claim pops from the
   * end): a pod whose layer had content leaves only its pod and log dirs, which save less.
   */
  private keep(spare: string): void {
    if (existsSync(join(spare, 'containers', SPARE_CONTAINER))) this.spares.push(spare);
    else this.spares.unshift(spare);
  }

  /** Keeps the first entry of `parent` that `usable` accepts, renamed to `keepAs`; deletes the rest. */
  private async keepOne(parent: string, keepAs: string, usable: (path: string) => Promise<boolean>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(parent);
    } catch {
      return;
    }
    let kept = false;
    for (const name of names) {
      const path = join(parent, name);
      if (!kept && (await usable(path).catch(() => false))) {
        kept = name === keepAs || (await rename(path, join(parent, keepAs)).then(() => true, () => false));
        if (kept) continue;
      }
      await rm(path, { recursive: true, force: true });
    }
  }
}
