// Builds a complete OCI runtime config.json for one container (pure). Defaults follow containerd's
// CRI plugin: Docker's default capabilities, containerd's mounts, masked and read-only paths and
// device rules, and the RuntimeDefault seccomp profile.

import { resolveCapabilities } from './capabilities.js';
import { runtimeDefaultSeccomp } from './seccomp.js';

export interface OciMount { destination: string; type?: string; source?: string; options?: string[] }

export interface ContainerSpecInput {
  id: string;
  rootfsPath: string;
  args: string[];
  env: string[];
  cwd: string;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  hostname: string;
  tty: boolean;
  stdin: boolean;
  /** undefined = host network (no network namespace of its own). */
  netnsPath?: string;
  ipcNsPath?: string;
  pidNsPath?: string;
  /** hostPID / hostIPC: the node's PID or IPC namespace, so no namespace of its own. */
  hostPid?: boolean;
  hostIpc?: boolean;
  /** Namespaced kernel parameters (securityContext.sysctls), set by the runtime in the container's namespaces. */
  sysctls?: Record<string, string>;
  mounts: OciMount[];
  capabilities: { add: string[]; drop: string[] };
  privileged: boolean;
  readOnlyRootfs: boolean;
  cgroupsPath: string;
  resources: { memoryLimitBytes?: number; cpuShares?: number; cpuQuota?: number; cpuPeriod?: number; pidsLimit?: number };
  seccomp: 'RuntimeDefault' | 'Unconfined';
  noNewPrivileges: boolean;
  annotations?: Record<string, string>;
}

const SIXTY_FOUR_MIB = '65536k';
const OPEN_FILES_LIMIT = 1048576;

export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/sys/devices/virtual/powercap', '/proc/scsi',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger',
];

interface DeviceRule { allow: boolean; type?: string; major?: number; minor?: number; access: string }

/** Character devices every container may use (null, zero, full, random, urandom, tty, console, pts, ptmx, tun). */
const DEFAULT_DEVICE_RULES: readonly DeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];

function systemMounts(privileged: boolean): OciMount[] {
  const sysOptions = privileged ? ['nosuid', 'noexec', 'nodev'] : ['nosuid', 'noexec', 'nodev', 'ro'];
  const cgroupOptions = privileged ? ['nosuid', 'noexec', 'nodev', 'relatime'] : ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${SIXTY_FOUR_MIB}`] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: sysOptions },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: cgroupOptions },
  ];
}

function namespaceEntry(type: string, path: string | undefined): { type: string; path?: string } {
  return path ? { type, path } : { type };
}

/** Caller mounts replace a system mount with the same destination (e.g. a pod's own /dev/shm). */
function mergeMounts(system: OciMount[], caller: OciMount[]): OciMount[] {
  const overridden = new Set(caller.map((m) => m.destination));
  return [...system.filter((m) => !overridden.has(m.destination)), ...caller];
}

function buildResources(input: ContainerSpecInput): Record<string, unknown> {
  const r = input.resources;
  const resources: Record<string, unknown> = {
    devices: input.privileged ? [{ allow: true, access: 'rwm' }] : DEFAULT_DEVICE_RULES.map((d) => ({ ...d })),
  };
  if (r.memoryLimitBytes !== undefined && r.memoryLimitBytes > 0) resources.memory = { limit: r.memoryLimitBytes };
  const cpu: Record<string, number> = {};
  if (r.cpuShares !== undefined && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.cpuQuota !== undefined && r.cpuQuota > 0) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod !== undefined && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  if (Object.keys(cpu).length > 0) resources.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit > 0) resources.pids = { limit: r.pidsLimit };
  return resources;
}

export function buildOciSpec(input: ContainerSpecInput): object {
  const capabilities = resolveCapabilities({ ...input.capabilities, privileged: input.privileged });
  const user = input.user ?? { uid: 0, gid: 0 };
  const processUser: Record<string, unknown> = { uid: user.uid, gid: user.gid };
  if (user.additionalGids && user.additionalGids.length > 0) processUser.additionalGids = [...user.additionalGids];

  const namespaces = [
    ...(input.hostPid ? [] : [namespaceEntry('pid', input.pidNsPath)]),
    ...(input.hostIpc ? [] : [namespaceEntry('ipc', input.ipcNsPath)]),
    { type: 'uts' },
    { type: 'mount' },
  ];
  if (input.netnsPath !== undefined) namespaces.push(namespaceEntry('network', input.netnsPath));

  const linux: Record<string, unknown> = {
    namespaces,
    cgroupsPath: input.cgroupsPath,
    resources: buildResources(input),
  };
  if (input.sysctls && Object.keys(input.sysctls).length > 0) linux.sysctl = { ...input.sysctls };
  if (!input.privileged) {
    linux.maskedPaths = [...DEFAULT_MASKED_PATHS];
    linux.readonlyPaths = [...DEFAULT_READONLY_PATHS];
    // Privileged containers run unconfined, as in containerd.
    if (input.seccomp === 'RuntimeDefault') linux.seccomp = runtimeDefaultSeccomp(capabilities);
  }

  const spec: Record<string, unknown> = {
    ociVersion: '1.0.2',
    process: {
      terminal: input.tty,
      user: processUser,
      args: [...input.args],
      env: [...input.env],
      cwd: input.cwd || '/',
      capabilities: {
        bounding: [...capabilities],
        effective: [...capabilities],
        permitted: [...capabilities],
        ambient: [],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: OPEN_FILES_LIMIT, soft: OPEN_FILES_LIMIT }],
      noNewPrivileges: input.noNewPrivileges,
    },
    root: { path: input.rootfsPath, readonly: input.readOnlyRootfs },
    hostname: input.hostname,
    mounts: mergeMounts(systemMounts(input.privileged), input.mounts),
    linux,
  };
  if (input.annotations && Object.keys(input.annotations).length > 0) spec.annotations = { ...input.annotations };
  return spec;
}
