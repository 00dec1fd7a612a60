// hostPath volumes: the `type` check (and creation for the *OrCreate types, and of a missing
// directory when no type is given) with the kubelet's messages.

import { type Stats } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path); // follows symlinks, as the kubelet's checks do
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Throws `hostPath type check failed: <path> is not a directory` and friends. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  const fail = (what: string) => new Error(`hostPath type check failed: ${path} is not ${what}`);
  let info = await statOrUndefined(path);
  switch (type ?? '') {
    case '':
      // The kubelet checks nothing here; the runtime (containerd, Docker) then creates a missing
      // bind-mount source as a directory. This agent is both, so it does that here.
      if (!info) await mkdir(path, { recursive: true, mode: 0o755 });
      return;
    case 'DirectoryOrCreate':
      if (!info) {
        await mkdir(path, { recursive: true, mode: 0o755 });
        return;
      }
      if (!info.isDirectory()) throw fail('a directory');
      return;
    case 'Directory':
      if (!info?.isDirectory()) throw fail('a directory');
      return;
    case 'FileOrCreate':
      if (!info) {
        // Like the kubelet, the parent directory is not created.
        const handle = await open(path, 'a', 0o644);
        await handle.close();
        info = await statOrUndefined(path);
      }
      if (!info?.isFile()) throw fail('a file');
      return;
    case 'File':
      if (!info?.isFile()) throw fail('a file');
      return;
    case 'Socket':
      if (!info?.isSocket()) throw fail('a socket file');
      return;
    case 'CharDevice':
      if (!info?.isCharacterDevice()) throw fail('a character device');
      return;
    case 'BlockDevice':
      if (!info?.isBlockDevice()) throw fail('a block device');
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}
