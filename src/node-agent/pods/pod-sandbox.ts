// shareProcessNamespace: a pod's containers share one PID namespace, held by a process of the pod's
// own (the kubelet's pause container). Here that is the node's static busybox running a wait loop,
// started by crun under conmon like any container (so it outlives an agent restart) from a
// read-only root that holds nothing else. As PID 1 it reaps the orphans of the other containers.

import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildOciSpec } from '../runtime/oci-spec.js';
import type { PodContext, StarterContext } from './container-starter.js';
import { containerIdFor, containerLogPath } from './pod-record.js';

/** Container names are lowercase DNS labels, so this one never clashes with the pod's. */
export const SANDBOX_NAME = 'POD';
export const DEFAULT_BUSYBOX = '/bin/busybox';

/** PID 1 of the shared namespace: waits for ever (reaping every child), leaves on TERM. */
const HOLDER_SCRIPT = 'trap "exit 0" TERM INT; while :; do /bin/busybox sleep 2147483647 & wait $!; done';

export function sandboxId(uid: string): string {
  return containerIdFor(uid, SANDBOX_NAME, 0);
}

/** The shared read-only root: /bin/busybox and nothing else (crun makes the mount points once). */
function sandboxRoot(ctx: StarterContext, busybox: string): string {
  const root = join(dirname(ctx.runPodsDir ?? ctx.podsDir), 'sandbox-root');
  const binary = join(root, 'bin', 'busybox');
  if (!existsSync(binary)) {
    if (!existsSync(busybox)) throw new Error(`shareProcessNamespace needs ${busybox} (apt-get install -y busybox-static)`);
    mkdirSync(dirname(binary), { recursive: true });
    copyFileSync(busybox, binary);
    chmodSync(binary, 0o755);
  }
  return root;
}

/** Starts the pod's PID namespace holder unless it runs; resolves with its pid (on the node). */
export async function ensureSandbox(ctx: StarterContext, pc: PodContext, busybox = DEFAULT_BUSYBOX): Promise<number> {
  const uid = pc.pod.metadata.uid!;
  const id = sandboxId(uid);
  const current = await ctx.runtime.status(id);
  if (current.state === 'running' && current.pid !== undefined) return current.pid;
  await ctx.runtime.delete(id).catch(() => undefined);
  const hostNetwork = (pc.pod as unknown as { spec?: { hostNetwork?: boolean } }).spec?.hostNetwork === true;
  const oci = buildOciSpec({
    id,
    rootfsPath: sandboxRoot(ctx, busybox),
    args: ['/bin/busybox', 'sh', '-c', HOLDER_SCRIPT],
    env: ['PATH=/bin'],
    cwd: '/',
    hostname: pc.pod.metadata.name ?? 'sandbox',
    tty: false,
    stdin: false,
    netnsPath: hostNetwork ? ctx.hostNetnsPath : pc.netnsPath,
    mounts: [],
    capabilities: { add: [], drop: ['ALL'] },
    privileged: false,
    readOnlyRootfs: true,
    cgroupsPath: `/kijabi/pod${uid}/${SANDBOX_NAME}/0`,
    resources: {},
    seccomp: 'RuntimeDefault',
    noNewPrivileges: true,
    annotations: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.container.name': SANDBOX_NAME },
  });
  await ctx.runtime.create(id, ctx.runtime.bundleDir(id), oci, containerLogPath(ctx.podsDir, uid, SANDBOX_NAME, 0));
  await ctx.runtime.start(id);
  const pid = ctx.runtime.containerPid(id);
  if (pid === undefined) throw new Error('the pod\'s PID namespace holder started without a pid');
  return pid;
}
