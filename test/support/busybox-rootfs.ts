// Builds a minimal root filesystem from Debian's busybox-static for tests that run real containers.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BUSYBOX_BINARY = '/bin/busybox';

/** Whether busybox-static is installed (the dynamic busybox would need libc in the rootfs). */
export async function busyboxStaticAvailable(): Promise<boolean> {
  if (!existsSync(BUSYBOX_BINARY)) return false;
  try {
    const { stdout } = await run('/usr/bin/file', ['-L', BUSYBOX_BINARY]);
    return /statically linked|static-pie/.test(stdout);
  } catch {
    return true; // no `file` tool: Debian's busybox-static is the usual provider of /bin/busybox
  }
}

/** Creates `dir` with bin/busybox, its applet symlinks, /etc/{passwd,group,hostname} and empty mount points. */
export async function buildBusyboxRootfs(dir: string): Promise<string> {
  for (const sub of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root', 'var']) await mkdir(join(dir, sub), { recursive: true });
  await copyFile(BUSYBOX_BINARY, join(dir, 'bin/busybox'));
  // --install -s writes absolute symlinks inside the chroot: /bin/sh -> /bin/busybox.
  await run('/usr/sbin/chroot', [dir, '/bin/busybox', '--install', '-s', '/bin']);
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
  return dir;
}
