// Removes the directories of this node's local-path volumes once their PersistentVolume is gone
// (reclaim policy Delete: the PV controller deletes the object, the node deletes the data). Driven
// by a watch of PersistentVolumes; after each (re)list, directories no volume names any more are
// swept too, so deletions missed while the agent was down are caught up.
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import { findResource } from '../../api/resources.js';
import { Informer } from '../../client/informer.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';

/** Only names the provisioner makes (`pvc-<uid>_<namespace>_<name>`) are ever removed. */
const VOLUME_DIR = /^pvc-[0-9a-f-]{36}_[a-z0-9-]+_[a-z0-9.-]+$/;

function hostPathOf(volume: KubeObject): string | undefined {
  return (volume.spec as { hostPath?: { path?: string } } | undefined)?.hostPath?.path;
}

/** Directories under `dir` that are volume directories no listed volume names (pure). */
export function orphanedVolumeDirs(dir: string, entries: readonly string[], volumes: readonly KubeObject[]): string[] {
  const used = new Set(volumes.map(hostPathOf).filter((p): p is string => p !== undefined));
  return entries.filter((name) => VOLUME_DIR.test(name) && !used.has(join(dir, name))).map((name) => join(dir, name));
}

export class LocalPathCleanup {
  private readonly informer: Informer<KubeObject>;

  constructor(client: RestClient, private readonly dir: string, private readonly log: Logger) {
    this.informer = new Informer(client, findResource('', 'v1', 'persistentvolumes')!, { log });
    this.informer.onDelete((volume) => {
      const path = hostPathOf(volume);
      if (path && orphanedVolumeDirs(this.dir, [path.slice(this.dir.length + 1)], this.informer.list()).includes(path)) void this.remove(path);
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const running = this.informer.start(signal);
    if (await this.informer.waitForSync(signal)) await this.sweep();
    await running;
  }

  /** Removes every volume directory no volume names (after the first list, or on demand). */
  async sweep(): Promise<void> {
    let entries: string[];
    try {
      entries = readdirSync(this.dir);
    } catch {
      return; // no volumes made here yet
    }
    for (const path of orphanedVolumeDirs(this.dir, entries, this.informer.list())) await this.remove(path);
  }

  private async remove(path: string): Promise<void> {
    try {
      await rm(path, { recursive: true, force: true });
      this.log.info('removed the directory of a deleted local-path volume', { path });
    } catch (err) {
      this.log.warn('could not remove a local-path volume directory', { path, error: (err as Error).message });
    }
  }
}
