// Creating one container of a pod: overlay rootfs over the image layers, the pod's generated
// files, volume mounts, the OCI spec, then create (under conmon) and start.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import type { Logger } from '../../client/log.js';
import type { ImageRecord } from '../images/image-store.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { buildOciSpec, type OciMount } from '../runtime/oci-spec.js';
import { mountpointLayersIn, type MountpointLayers } from '../runtime/mountpoint-layer.js';
import { mountOverlay, overlayOptions, unmount } from '../runtime/rootfs.js';
import { containerArgs, containerResources, hostsFile, nonRootViolation, podHostname, resolvConf, resolveUser, securitySettings } from './container-config.js';
import type { KubeletDeps, ObjectSource } from './kubelet-deps.js';
import { containerDir, containerIdFor, containerLogPath } from './pod-record.js';
import { adoptSpare, SPARE_CONTAINER, SPARE_LOGS, type SparePodDirs } from './spare-dirs.js';
import { serviceEnvironment } from './service-env.js';

type Json = Record<string, unknown>;

/** A container the spec or its references make impossible to create (CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface StarterContext {
  runtime: ContainerRuntime;
  deps: KubeletDeps;
  source: ObjectSource;
  podsDir: string;
  /** Per-pod files that need no disk (the /etc files), on the agent's tmpfs; podsDir when unset. */
  runPodsDir?: string;
  /** Where the images' mount point layers go (on the agent's tmpfs); none are used when unset. */
  mountpointsDir?: string;
  /** Deleted pods' dirs for new pods to take over (spare-dirs.ts); none when unset. */
  spares?: SparePodDirs;
  nodeName: string;
  hostIp: string;
  dnsIp: string;
  /** Network namespace for hostNetwork pods (the node netns in tests); undefined = ours. */
  hostNetnsPath?: string;
  pidsLimit?: number;
  log: Logger;
}

export interface PodContext {
  pod: KubeObject;
  podIp?: string;
  netnsPath?: string;
  volumePaths: Map<string, string>;
  /** Join this PID namespace (the pod's shared one, or an ephemeral container's target's). */
  pidNsPath?: string;
  /** Join this IPC namespace (the pod's, held by its sandbox). */
  ipcNsPath?: string;
  /** The pod's sysctls (securityContext.sysctls, checked at the pod's admission). */
  sysctls?: Record<string, string>;
}

export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';

function podSpec(pod: KubeObject): Json {
  return ((pod as unknown as { spec?: Json }).spec ?? {}) as Json;
}

/** Writes /etc/hosts, /etc/resolv.conf and /etc/hostname for the pod (idempotent). */
export async function writePodFiles(ctx: StarterContext, pc: PodContext): Promise<{ hosts: string; resolv: string; hostname: string }> {
  const dir = join(ctx.runPodsDir ?? ctx.podsDir, pc.pod.metadata.uid!, 'etc');
  mkdirSync(dir, { recursive: true });
  const pod = pc.pod as unknown as Json;
  const hostNetwork = podSpec(pc.pod).hostNetwork === true;
  const hostResolv = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';
  const files = { hosts: join(dir, 'hosts'), resolv: join(dir, 'resolv.conf'), hostname: join(dir, 'hostname') };
  const hostsText = hostNetwork ? (existsSync('/etc/hosts') ? readFileSync('/etc/hosts', 'utf8') : hostsFile(pod, undefined)) : hostsFile(pod, pc.podIp);
  // Small files on local disk: synchronous (see ContainerRuntime.create).
  writeFileSync(files.hosts, hostsText);
  writeFileSync(files.resolv, resolvConf(pod, { dnsIp: ctx.dnsIp, hostResolv }));
  writeFileSync(files.hostname, `${hostNetwork ? ctx.nodeName : podHostname(pod)}\n`);
  return files;
}

function bind(destination: string, source: string, readOnly = false): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', 'rprivate', readOnly ? 'ro' : 'rw'] };
}

async function readOptional(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

/** The image's layers, topped by its mount point layer when that is ready and fits the mount data. */
async function rootfsLowers(mountpoints: MountpointLayers | undefined, layers: string[], upper: string, work: string): Promise<string[]> {
  const extra = await mountpoints?.ready(layers);
  if (!extra) return layers;
  const lowers = [...layers, extra];
  try {
    overlayOptions(lowers, upper, work);
    return lowers;
  } catch {
    // Over the kernel's limit with the extra layer: the container does without it.
    return layers;
  }
}

/** Creates and starts attempt `attempt` of `container`; returns the runtime id. */
export async function createAndStartContainer(ctx: StarterContext, pc: PodContext, container: Json, image: ImageRecord, attempt: number): Promise<string> {
  const pod = pc.pod;
  const uid = pod.metadata.uid!;
  const name = String(container.name);
  const id = containerIdFor(uid, name, attempt);

  let env: string[];
  try {
    const serviceEnv = ctx.source.listServices ? serviceEnvironment(await ctx.source.listServices(), pod.metadata.namespace ?? 'default', (pod.spec as Json | undefined)?.enableServiceLinks !== false) : undefined;
    env = await ctx.deps.resolveEnv(pod, container, image.config.env ?? [], ctx.source, { nodeName: ctx.nodeName, podIp: pc.podIp, hostIp: ctx.hostIp, serviceEnv });
  } catch (err) {
    if ((err as { reason?: string }).reason === 'CreateContainerConfigError') throw new ContainerConfigError((err as Error).message);
    throw err;
  }
  const args = containerArgs(container, image.config, env);
  if (args.length === 0) throw new ContainerConfigError(`no command specified for container ${name}`);
  const nonRoot = nonRootViolation(pod as unknown as Json, container, image.config.user);
  if (nonRoot) throw new ContainerConfigError(nonRoot);

  const dir = containerDir(ctx.podsDir, uid, name, attempt);
  const runDir = containerRunDir(ctx, uid, name, attempt);
  // A leftover of an earlier failed attempt with this number goes first.
  await ctx.runtime.delete(id).catch(() => undefined);
  await unmount(join(runDir, 'merged'));
  // existsSync first: rm of a missing path builds an error object it then swallows, per call.
  await Promise.all([dir, runDir].filter((d) => existsSync(d)).map((d) => rm(d, { recursive: true, force: true })));
  // A spare container dir (from a deleted pod) becomes this one by a rename: no new inodes.
  if (ctx.spares) await adoptSpare(join(ctx.podsDir, uid, 'containers', SPARE_CONTAINER), dir);
  for (const d of [dir, runDir]) mkdirSync(d, { recursive: true });
  if (image.layers.length === 0) throw new Error(`image ${String(container.image)} has no layers`);
  const merged = join(runDir, 'merged');
  const mountpoints = ctx.mountpointsDir ? mountpointLayersIn(ctx.mountpointsDir) : undefined;
  const lowers = await rootfsLowers(mountpoints, image.layers, join(dir, 'upper'), join(dir, 'work'));
  await mountOverlay(lowers, join(dir, 'upper'), join(dir, 'work'), merged);
  // Without a layer yet, this untouched rootfs shows what the image lacks: build it for the next
  // containers now, before crun creates the mount points here.
  if (mountpoints && lowers === image.layers) await mountpoints.build(image.layers, merged, ctx.log);

  const user = (() => {
    try {
      return resolveUser(pod as unknown as Json, container, image.config.user, { passwd: readFileSync(join(merged, 'etc/passwd'), 'utf8'), group: readFileSync(join(merged, 'etc/group'), 'utf8') });
    } catch {
      return resolveUser(pod as unknown as Json, container, /^\d+(:\d+)?$/.test(image.config.user ?? '') ? image.config.user : undefined, { passwd: '', group: '' });
    }
  })();

  const files = await writePodFiles(ctx, pc);
  const terminationLog = join(runDir, 'termination-log');
  writeFileSync(terminationLog, '');
  const terminationPath = typeof container.terminationMessagePath === 'string' && container.terminationMessagePath ? container.terminationMessagePath : DEFAULT_TERMINATION_MESSAGE_PATH;
  const mounts: OciMount[] = [
    bind('/etc/hosts', files.hosts),
    bind('/etc/resolv.conf', files.resolv),
    bind('/etc/hostname', files.hostname),
    bind(terminationPath, terminationLog),
    ...ctx.deps.containerMounts(pod, container, pc.volumePaths),
  ];

  const spec = podSpec(pod);
  const hostNetwork = spec.hostNetwork === true;
  const security = securitySettings(pod as unknown as Json, container);
  const oci = buildOciSpec({
    id,
    rootfsPath: merged,
    args,
    env,
    cwd: (typeof container.workingDir === 'string' && container.workingDir) || image.config.workingDir || '/',
    user,
    // A hostNetwork pod sees the node's name, as on a kubelet host (hostname = node name).
    hostname: hostNetwork ? ctx.nodeName : podHostname(pod as unknown as Json),
    tty: container.tty === true,
    stdin: container.stdin === true,
    netnsPath: hostNetwork ? ctx.hostNetnsPath : pc.netnsPath,
    pidNsPath: pc.pidNsPath,
    ipcNsPath: pc.ipcNsPath,
    hostPid: spec.hostPID === true,
    hostIpc: spec.hostIPC === true,
    sysctls: pc.sysctls,
    mounts,
    capabilities: security.capabilities,
    privileged: security.privileged,
    readOnlyRootfs: security.readOnlyRootfs,
    // One cgroup per attempt under the container's: a restart starts before the exited attempt is
    // deleted, and deleting that one must not touch the new one's cgroup. Readers of
    // /kijabi/pod<uid>/<name> (stats) see the running attempt through the hierarchy.
    cgroupsPath: `/kijabi/pod${uid}/${name}/${attempt}`,
    resources: containerResources(container, ctx.pidsLimit),
    seccomp: security.seccomp,
    noNewPrivileges: security.noNewPrivileges,
    annotations: {
      'io.kubernetes.pod.name': pod.metadata.name ?? '',
      'io.kubernetes.pod.namespace': pod.metadata.namespace ?? '',
      'io.kubernetes.pod.uid': uid,
      'io.kubernetes.container.name': name,
    },
  });
  const logPath = containerLogPath(ctx.podsDir, uid, name, attempt);
  if (ctx.spares) await adoptSpare(join(ctx.podsDir, uid, 'logs', SPARE_LOGS), dirname(logPath));
  await ctx.runtime.create(id, ctx.runtime.bundleDir(id), oci, logPath, { stdin: container.stdin === true, stdinOnce: container.stdinOnce === true });
  await ctx.runtime.start(id);
  return id;
}

/** Removes a container and its rootfs (the log stays for `logs --previous`). */
export async function removeContainer(ctx: StarterContext, uid: string, name: string, attempt: number): Promise<void> {
  await ctx.runtime.delete(containerIdFor(uid, name, attempt));
  const runDir = containerRunDir(ctx, uid, name, attempt);
  await unmount(join(runDir, 'merged'));
  await Promise.all([containerDir(ctx.podsDir, uid, name, attempt), runDir].map((d) => rm(d, { recursive: true, force: true })));
}

/**
 * A container's files that need no disk, on the agent's tmpfs: the rootfs mount point (as
 * containerd keeps it under /run) and the termination log. Its writable layer (upper, work) and
 * log stay on the data disk.
 */
export function containerRunDir(ctx: StarterContext, uid: string, name: string, attempt: number): string {
  return containerDir(ctx.runPodsDir ?? ctx.podsDir, uid, name, attempt);
}

/** The termination message: the file the container wrote, else (FallbackToLogsOnError) the log tail. */
export async function readTerminationMessage(ctx: StarterContext, uid: string, container: Json, attempt: number, exitCode: number, logTail: (path: string) => Promise<string>): Promise<string | undefined> {
  const file = join(containerRunDir(ctx, uid, String(container.name), attempt), 'termination-log');
  const fromFile = (await readOptional(file)).slice(0, 4096);
  if (fromFile) return fromFile;
  if (container.terminationMessagePolicy === 'FallbackToLogsOnError' && exitCode !== 0) {
    const text = await logTail(containerLogPath(ctx.podsDir, uid, String(container.name), attempt));
    return text || undefined;
  }
  return undefined;
}
