// The agent's run dir: state that lives exactly as long as the containers do (the runtime's
// state, conmon's files and exit codes, OCI bundles and rootfs mount points, each pod's /etc files
// and API data volumes, IPAM and the other network state, the images' mount point layers) on a
// tmpfs of its own, as containerd and CRI-O keep theirs under /run and the kubelet keeps secret
// volumes in memory. Container writable layers, logs and pod records stay on the data disk. Creating and removing a few dozen small files per pod on a
// journalled disk cost a measurable part of a pod start; on tmpfs they cost next to nothing, and
// secrets never touch the disk.
//
// The tmpfs stays mounted when the agent stops: running containers outlive the agent and their
// state must be there when it comes back. After a reboot it is empty, as the containers are gone.

import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../../client/log.js';
import { mountFilesystem } from './rootfs.js';

/** Memory the run dir may take at most: metadata and small volume files only. */
export const RUN_DIR_TMPFS_OPTIONS = 'mode=0700,size=25%';

export interface RunDir {
  path: string;
  /** false when the tmpfs could not be mounted and the dir is on the data dir's filesystem. */
  tmpfs: boolean;
}

async function isMountPoint(dir: string): Promise<boolean> {
  const [self, parent] = await Promise.all([stat(dir), stat(dirname(dir))]);
  return self.dev !== parent.dev;
}

/**
 * Makes `dir` the agent's run dir: mounts a tmpfs there unless something is mounted already (an
 * earlier run of this agent). Without the privilege to mount, the plain dir serves, with a warning.
 */
export async function prepareRunDir(dir: string, log?: Logger): Promise<RunDir> {
  const path = resolve(dir);
  await mkdir(path, { recursive: true, mode: 0o700 });
  if (await isMountPoint(path)) return { path, tmpfs: true };
  try {
    await mountFilesystem('tmpfs', 'kijabi-run', path, RUN_DIR_TMPFS_OPTIONS);
    return { path, tmpfs: true };
  } catch (err) {
    log?.warn('cannot mount a tmpfs for the agent run dir; keeping runtime state on disk', { dir: path, err: (err as Error).message });
    return { path, tmpfs: false };
  }
}
