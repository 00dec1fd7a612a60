// The mount point layer of an image: a small read-only overlay layer, stacked on top of the
// image's layers, that already holds the destinations crun mounts onto (/proc, /sys, /dev, the
// pod's /etc files, the service account dir) where the image lacks them. Without it crun creates
// them in every container's upper dir: about a dozen new inodes on the journalled data disk per
// container, a measurable share of a pod start. With it crun finds them present and writes nothing.
//
// The layer is built once per image, from the merged view of the first container of that image
// (before crun touches it), on the agent's tmpfs run dir. It only adds what is missing: an image
// dir is repeated in the layer only as the parent of something missing, with the image's mode,
// owner and times, because overlayfs shows a merged dir with the topmost layer's attributes.

import { createHash, randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, chown, lstat, mkdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../client/log.js';

export interface MountpointTarget {
  /** Relative to the rootfs, no leading slash. */
  path: string;
  type: 'dir' | 'file';
}

/** The destinations every container gets (oci-spec.ts system mounts, the pod's /etc files, the service account volume). */
export const DEFAULT_MOUNTPOINT_TARGETS: readonly MountpointTarget[] = [
  { path: 'proc', type: 'dir' },
  { path: 'sys', type: 'dir' },
  { path: 'dev', type: 'dir' },
  { path: 'var/run/secrets/kubernetes.io/serviceaccount', type: 'dir' },
  { path: 'etc/hosts', type: 'file' },
  { path: 'etc/hostname', type: 'file' },
  { path: 'etc/resolv.conf', type: 'file' },
];

/** Part of the key: a layer built by a different version of this code is not reused. */
const LAYER_FORMAT = 1;

export type LayerEntry =
  | { path: string; kind: 'dir' | 'file' }
  /** A dir the image has, repeated so that a missing child can exist in the layer. */
  | { path: string; kind: 'image-dir'; mode: number; uid: number; gid: number; atime: Date; mtime: Date };

/** The name of the layer for an image with these layers (lowest first). */
export function mountpointLayerKey(lowers: readonly string[]): string {
  // 128 bits: unique enough, and short, as the path counts against the overlay's mount data.
  return createHash('sha256').update(`${LAYER_FORMAT}\n${lowers.join('\n')}`).digest('hex').slice(0, 32);
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * What the layer needs to hold for `merged` (an image's rootfs as the container would see it),
 * parents before children; empty when nothing is missing. A target with a symlink or an entry of
 * the wrong type on its way is left to crun, which resolves symlinks inside the container root.
 */
export async function planMountpointLayer(merged: string, targets: readonly MountpointTarget[] = DEFAULT_MOUNTPOINT_TARGETS): Promise<LayerEntry[]> {
  const seen = new Map<string, Promise<Stats | null>>();
  const lstatOnce = (rel: string) => {
    let pending = seen.get(rel);
    if (!pending) seen.set(rel, (pending = lstatOrNull(join(merged, rel))));
    return pending;
  };
  const plan = new Map<string, LayerEntry>();
  for (const target of targets) {
    const parts = target.path.split('/').filter(Boolean);
    const entries: LayerEntry[] = [];
    let missing = false;
    let usable = true;
    for (let i = 0; i < parts.length; i++) {
      const rel = parts.slice(0, i + 1).join('/');
      const wantDir = i < parts.length - 1 || target.type === 'dir';
      // Below a missing component everything is missing.
      const st = missing ? null : await lstatOnce(rel);
      if (st === null) {
        missing = true;
        entries.push({ path: rel, kind: wantDir ? 'dir' : 'file' });
      } else if (st.isSymbolicLink() || (wantDir ? !st.isDirectory() : !st.isFile())) {
        usable = false;
        break;
      } else if (wantDir) {
        entries.push({ path: rel, kind: 'image-dir', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, atime: st.atime, mtime: st.mtime });
      }
    }
    if (!usable || !missing) continue;
    for (const entry of entries) if (!plan.has(entry.path)) plan.set(entry.path, entry);
  }
  return [...plan.values()];
}

/**
 * Builds the layer for `merged` at `target` (in a temp dir beside it, then renamed, so concurrent
 * builders of one key leave one complete layer). Returns false, building nothing, when nothing is
 * missing. An existing `target` is kept: it was built from the same image.
 */
export async function buildMountpointLayer(merged: string, target: string): Promise<boolean> {
  const entries = await planMountpointLayer(merged);
  if (entries.length === 0) return false;
  const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await mkdir(tmp, { mode: 0o755 });
    for (const entry of entries) {
      const path = join(tmp, entry.path);
      if (entry.kind === 'file') {
        await writeFile(path, '', { mode: 0o644 });
        await chmod(path, 0o644);
      } else {
        await mkdir(path);
        // chown before chmod: chown may clear setgid. Explicit modes: the agent's umask must not leak in.
        if (entry.kind === 'image-dir') await chown(path, entry.uid, entry.gid);
        await chmod(path, entry.kind === 'image-dir' ? entry.mode : 0o755);
      }
    }
    // Times last and deepest first: creating a child changes its parent's mtime.
    for (const entry of [...entries].reverse()) {
      if (entry.kind === 'image-dir') await utimes(join(tmp, entry.path), entry.atime, entry.mtime);
    }
    try {
      await rename(tmp, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another builder was first; its layer serves.
    }
    return true;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The mount point layers under one dir, as far as this process knows them. */
export class MountpointLayers {
  /** key -> layer path, or null: the image needs none (or building it failed; not retried). */
  private readonly known = new Map<string, string | null>();
  private readonly building = new Map<string, Promise<void>>();

  constructor(readonly dir: string) {}

  /** The ready layer for an image with `lowers`: built by this process or found from an earlier run. */
  async ready(lowers: readonly string[]): Promise<string | undefined> {
    const key = mountpointLayerKey(lowers);
    const known = this.known.get(key);
    if (known !== undefined) return known ?? undefined;
    const path = join(this.dir, key);
    // Only a complete layer has the final name (built elsewhere, then renamed).
    const found = await stat(path).then((s) => s.isDirectory(), () => false);
    if (!found) return undefined;
    this.known.set(key, path);
    return path;
  }

  /**
   * Builds the layer for an image with `lowers` from `merged`, an overlay of exactly those layers
   * that no container has run in yet; a no-op when the layer is known. Never throws: a container
   * starts as well without the layer.
   */
  async build(lowers: readonly string[], merged: string, log?: Logger): Promise<void> {
    const key = mountpointLayerKey(lowers);
    if (this.known.has(key)) return;
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.buildKey(key, merged, log).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    await pending;
  }

  private async buildKey(key: string, merged: string, log?: Logger): Promise<void> {
    const path = join(this.dir, key);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const built = await buildMountpointLayer(merged, path);
      this.known.set(key, built ? path : null);
      log?.debug('mount point layer ready', { layer: built ? path : 'none needed' });
    } catch (err) {
      this.known.set(key, null);
      log?.warn('cannot build the mount point layer; containers of this image go without it', { layer: path, err: (err as Error).message });
    }
  }
}

const byDir = new Map<string, MountpointLayers>();

/** The one MountpointLayers of this process for `dir`, so all containers share what is known. */
export function mountpointLayersIn(dir: string): MountpointLayers {
  let layers = byDir.get(dir);
  if (!layers) byDir.set(dir, (layers = new MountpointLayers(dir)));
  return layers;
}
