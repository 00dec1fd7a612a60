// Checks that this host can run containers and makes crun usable on hybrid-cgroup hosts.

import { execFile } from 'node:child_process';
import { access, constants, mkdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MissingRequirement { what: string; install?: string }

export interface HostCheck {
  ok: boolean;
  /** Absolute path of the OCI runtime to use (crun preferred, runc as fallback). */
  runtime?: string;
  conmon?: string;
  missing: MissingRequirement[];
  /** Things done to the host (e.g. the hugetlb mount), for the log. */
  applied: string[];
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/libexec/podman'];
const UNIFIED_CONTROLLERS = '/sys/fs/cgroup/unified/cgroup.controllers';
const HUGETLB_DIR = '/sys/fs/cgroup/hugetlb';
const REQUIRED_V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'devices', 'freezer'];

export async function findExecutable(name: string, dirs: string[] = SEARCH_PATH): Promise<string | undefined> {
  for (const dir of dirs) {
    const path = `${dir}/${name}`;
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Mount points by filesystem type, from /proc/self/mounts text. */
export function parseMounts(text: string): Array<{ source: string; target: string; type: string; options: string[] }> {
  return text.split('\n').filter(Boolean).map((line) => {
    const [source = '', target = '', type = '', options = ''] = line.split(' ');
    return { source, target, type, options: options.split(',') };
  });
}

/** The v1 controllers that have a mounted hierarchy. */
export function mountedV1Controllers(mountsText: string): Set<string> {
  const out = new Set<string>();
  for (const m of parseMounts(mountsText)) {
    if (m.type !== 'cgroup') continue;
    for (const option of m.options) out.add(option);
  }
  return out;
}

/**
 * crun 1.8 refuses "hybrid mode" when the cgroup2 mount at /sys/fs/cgroup/unified owns any
 * controller. On a fresh VM hugetlb is the only one: binding it to a v1 hierarchy (as systemd
 * would) empties cgroup.controllers. Idempotent: does nothing when the list is already empty.
 */
export async function applyHybridCgroupFix(): Promise<string | undefined> {
  let controllers: string;
  try {
    controllers = (await readFile(UNIFIED_CONTROLLERS, 'utf8')).trim();
  } catch {
    return undefined; // no unified hierarchy at /sys/fs/cgroup/unified: nothing to fix
  }
  if (controllers === '') return undefined;
  const names = controllers.split(/\s+/);
  if (names.some((n) => n !== 'hugetlb')) {
    throw new Error(`cgroup2 at /sys/fs/cgroup/unified owns controllers ${names.join(', ')}; only hugetlb can be moved to v1 automatically`);
  }
  await mkdir(HUGETLB_DIR, { recursive: true });
  try {
    await run('/usr/bin/mount', ['-t', 'cgroup', '-o', 'hugetlb', 'cgroup', HUGETLB_DIR]);
  } catch (err) {
    // Another agent may have mounted it in the meantime; what matters is the list being empty now.
    const now = (await readFile(UNIFIED_CONTROLLERS, 'utf8').catch(() => '')).trim();
    if (now !== '') throw new Error(`mounting the hugetlb cgroup hierarchy failed: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
    return undefined;
  }
  return `mounted the hugetlb cgroup v1 hierarchy at ${HUGETLB_DIR} so crun accepts the hybrid layout`;
}

export async function checkHost(): Promise<HostCheck> {
  const missing: MissingRequirement[] = [];
  const applied: string[] = [];
  if (process.getuid?.() !== 0) missing.push({ what: 'the node agent must run as root to create containers' });

  const crun = await findExecutable('crun');
  const runc = await findExecutable('runc');
  const conmon = await findExecutable('conmon');
  if (!crun && !runc) missing.push({ what: 'no OCI runtime found (looked for crun and runc)', install: 'apt-get install -y crun' });
  if (!conmon) missing.push({ what: 'conmon (the per-container monitor) not found', install: 'apt-get install -y conmon' });
  for (const tool of ['mount', 'umount']) {
    if (!(await findExecutable(tool))) missing.push({ what: `${tool} not found`, install: 'apt-get install -y mount' });
  }

  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\toverlay$/m.test(filesystems)) missing.push({ what: 'the kernel has no overlay filesystem (CONFIG_OVERLAY_FS)' });

  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const v1 = mountedV1Controllers(mounts);
  const unmountedControllers = REQUIRED_V1_CONTROLLERS.filter((c) => !v1.has(c));
  if (unmountedControllers.length > 0) {
    missing.push({ what: `cgroup v1 controllers not mounted under /sys/fs/cgroup: ${unmountedControllers.join(', ')} (Kijabi needs cgroup v1 or hybrid mode)` });
  }

  let runtime = crun ?? runc;
  if (crun) {
    try {
      const done = await applyHybridCgroupFix();
      if (done) applied.push(done);
    } catch (err) {
      if (runc) {
        applied.push(`crun cannot run here (${(err as Error).message}); using runc instead`);
        runtime = runc;
      } else {
        missing.push({ what: `crun cannot run on this cgroup layout: ${(err as Error).message}`, install: 'apt-get install -y runc' });
      }
    }
  }
  return { ok: missing.length === 0, runtime, conmon, missing, applied };
}
