// Group ownership for pod.spec.securityContext.fsGroup, as the kubelet's SetVolumeOwnership does:
// every file and directory of the volume gets group fsGroup and group read (plus write unless the
// volume is read-only); directories also get group execute and setgid so new files inherit the
// group. Symlinks are left alone (the atomic writer's ..data links point inside the volume).

import { chmod, chown, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.js';

const READ_WRITE_MASK = 0o660;
const READ_ONLY_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

export type FsGroupChangePolicy = 'Always' | 'OnRootMismatch';

/** The permission bits a file gets (pure). `mode` is the current st_mode permission part (07777). */
export function ownedMode(mode: number, isDirectory: boolean, readOnly: boolean): number {
  let mask = readOnly ? READ_ONLY_MASK : READ_WRITE_MASK;
  if (isDirectory) mask |= SETGID | EXEC_MASK;
  return (mode & 0o7777) | mask;
}

/** OnRootMismatch: nothing to do when the root already has the group and the wanted bits (pure). */
export function rootAlreadyOwned(root: { gid: number; mode: number }, fsGroup: number, readOnly: boolean): boolean {
  return root.gid === fsGroup && (root.mode & 0o7777) === ownedMode(root.mode, true, readOnly);
}

export interface OwnershipOptions {
  fsGroup: number;
  readOnly: boolean;
  policy?: FsGroupChangePolicy;
}

/** Applies fsGroup ownership under `dir`. */
export async function setVolumeOwnership(dir: string, options: OwnershipOptions): Promise<void> {
  const root = await stat(dir);
  if (options.policy === 'OnRootMismatch' && rootAlreadyOwned(root, options.fsGroup, options.readOnly)) return;
  await walk(dir, options);
}

async function walk(path: string, options: OwnershipOptions): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  // -1 keeps the owner; only the group changes.
  if (info.gid !== options.fsGroup) await chown(path, -1, options.fsGroup);
  const wanted = ownedMode(info.mode, info.isDirectory(), options.readOnly);
  if ((info.mode & 0o7777) !== wanted) await chmod(path, wanted);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await walk(join(path, entry), options);
}

/** fsGroup and its change policy from the pod's securityContext; undefined when unset. */
export function podFsGroup(pod: KubeObject): { fsGroup: number; policy?: FsGroupChangePolicy } | undefined {
  const sc = ((pod.spec ?? {}) as { securityContext?: { fsGroup?: unknown; fsGroupChangePolicy?: unknown } }).securityContext ?? {};
  if (typeof sc.fsGroup !== 'number') return undefined;
  const policy = sc.fsGroupChangePolicy === 'OnRootMismatch' ? 'OnRootMismatch' : sc.fsGroupChangePolicy === 'Always' ? 'Always' : undefined;
  return { fsGroup: sc.fsGroup, ...(policy ? { policy } : {}) };
}
