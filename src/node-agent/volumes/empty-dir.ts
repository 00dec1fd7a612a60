// emptyDir volumes: a plain directory under the pod dir, or a tmpfs for medium: Memory.

import { chmod, mkdir } from 'node:fs/promises';
import { parseQuantityExact } from '../../machinery/validation/quantity.js';
import { isMounted, mountFilesystem, unmount } from '../runtime/rootfs.js';

/** mount(8) options for a memory-backed emptyDir; `size` only when a sizeLimit is given. */
export function tmpfsOptions(sizeLimit: string | undefined): string[] {
  const options = ['mode=0777'];
  if (sizeLimit !== undefined && sizeLimit !== '') {
    const parsed = parseQuantityExact(sizeLimit);
    if (!parsed || parsed.nanos <= 0n) throw new Error(`invalid emptyDir sizeLimit ${JSON.stringify(sizeLimit)}`);
    const bytes = (parsed.nanos + 999_999_999n) / 1_000_000_000n;
    options.push(`size=${bytes}`);
  }
  return options;
}

/** Creates (and for medium Memory mounts) the emptyDir at `dir`; idempotent. */
export async function setupEmptyDir(dir: string, source: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const medium = (source.medium as string | undefined) ?? '';
  if (medium === 'Memory') {
    if (!(await isMounted(dir))) await mountTmpfs(dir, source.sizeLimit as string | undefined);
  } else if (medium !== '') {
    throw new Error(`emptyDir medium ${JSON.stringify(medium)} is not supported on this node`);
  }
  // World-writable so a container running as any user can use it, as the kubelet does.
  await chmod(dir, 0o777);
}

export async function mountTmpfs(dir: string, sizeLimit: string | undefined): Promise<void> {
  await mountFilesystem('tmpfs', 'tmpfs', dir, tmpfsOptions(sizeLimit).join(','));
}

export { isMounted, unmount };
