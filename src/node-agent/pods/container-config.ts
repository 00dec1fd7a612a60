// Pure pieces of turning a pod's container into an OCI container: the argv (Kubernetes' rules for
// image entrypoint/cmd vs command/args), the user, cgroup resources, and the generated
// /etc/hosts, /etc/resolv.conf and hostname files.

import { quantityMilliValue, quantityValue } from '../../machinery/validation/quantity.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Expands $(VAR) references in command/args from the container's env; $$(VAR) escapes. */
export function expandVariables(text: string, env: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && env.has(name) ? env.get(name)! : match;
  });
}

/**
 * The process argv. No command and no args: entrypoint + cmd. Args only: entrypoint + args.
 * A command replaces both the entrypoint and the image's cmd.
 */
export function containerArgs(container: Json, image: { entrypoint?: string[]; cmd?: string[] }, env: string[] = []): string[] {
  const vars = new Map<string, string>();
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const command = strings(container.command).map((c) => expandVariables(c, vars));
  const args = strings(container.args).map((a) => expandVariables(a, vars));
  if (command.length > 0) return [...command, ...args];
  const entrypoint = image.entrypoint ?? [];
  if (args.length > 0) return [...entrypoint, ...args];
  return [...entrypoint, ...(image.cmd ?? [])];
}

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

/** Looks a user name up in passwd text; undefined when absent. */
function passwdLookup(passwd: string, name: string): { uid: number; gid: number } | undefined {
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

function groupLookup(group: string, name: string): number | undefined {
  for (const line of group.split('\n')) {
    const [g, , gid] = line.split(':');
    if (g === name && gid !== undefined) return Number(gid);
  }
  return undefined;
}

/**
 * The user the process runs as: securityContext.runAsUser/runAsGroup (container over pod) win over
 * the image's USER ("uid", "uid:gid", "name", "name:group"); names resolve through the rootfs files.
 */
export function resolveUser(pod: Json, container: Json, imageUser: string | undefined, files: { passwd: string; group: string }): ProcessUser {
  const podSc = isObject((pod.spec as Json | undefined)?.securityContext) ? ((pod.spec as Json).securityContext as Json) : {};
  const sc = isObject(container.securityContext) ? container.securityContext : {};
  let uid = 0;
  let gid = 0;
  let gidFromImage = false;
  if (imageUser) {
    const [userPart = '', groupPart] = imageUser.split(':');
    if (/^\d+$/.test(userPart)) uid = Number(userPart);
    else if (userPart) {
      const found = passwdLookup(files.passwd, userPart);
      if (!found) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
      uid = found.uid;
      gid = found.gid;
      gidFromImage = true;
    }
    if (groupPart !== undefined && groupPart !== '') {
      gid = /^\d+$/.test(groupPart) ? Number(groupPart) : groupLookup(files.group, groupPart) ?? 0;
      gidFromImage = true;
    }
  }
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? podSc.runAsGroup;
  if (typeof runAsUser === 'number') {
    uid = runAsUser;
    if (!gidFromImage) {
      const entry = files.passwd.split('\n').map((l) => l.split(':')).find((f) => f[2] === String(runAsUser));
      gid = entry?.[3] !== undefined ? Number(entry[3]) : 0;
    }
  }
  if (typeof runAsGroup === 'number') gid = runAsGroup;
  const supplemental = Array.isArray(podSc.supplementalGroups) ? podSc.supplementalGroups.filter((g): g is number => typeof g === 'number') : [];
  const fsGroup = typeof podSc.fsGroup === 'number' ? [podSc.fsGroup] : [];
  const additional = [...new Set([...fsGroup, ...supplemental])];
  return additional.length > 0 ? { uid, gid, additionalGids: additional } : { uid, gid };
}

export interface CgroupResources {
  memoryLimitBytes?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  pidsLimit?: number;
}

const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;
const MIN_QUOTA_US = 1000;

/** cgroup v1 values from resources.requests/limits, as the kubelet computes them. */
export function containerResources(container: Json, pidsLimit?: number): CgroupResources {
  const resources = isObject(container.resources) ? container.resources : {};
  const limits = isObject(resources.limits) ? (resources.limits as Record<string, string>) : {};
  const requests = isObject(resources.requests) ? (resources.requests as Record<string, string>) : {};
  const out: CgroupResources = {};
  const cpuRequest = requests.cpu ?? limits.cpu;
  out.cpuShares = cpuRequest ? Math.max(MIN_SHARES, Math.floor((quantityMilliValue(cpuRequest) * 1024) / 1000)) : MIN_SHARES;
  if (limits.cpu) {
    out.cpuPeriod = CPU_PERIOD_US;
    out.cpuQuota = Math.max(MIN_QUOTA_US, Math.floor((quantityMilliValue(limits.cpu) * CPU_PERIOD_US) / 1000));
  }
  if (limits.memory) out.memoryLimitBytes = quantityValue(limits.memory);
  if (pidsLimit !== undefined && pidsLimit > 0) out.pidsLimit = pidsLimit;
  return out;
}

/** spec.hostname, else the pod name (cut to 63 characters, without a trailing '-' or '.'). */
export function podHostname(pod: Json): string {
  const spec = (pod.spec ?? {}) as Json;
  if (typeof spec.hostname === 'string' && spec.hostname) return spec.hostname;
  const name = String(((pod.metadata ?? {}) as Json).name ?? 'pod');
  return name.length > 63 ? name.slice(0, 63).replace(/[-.]+$/, '') : name;
}

/** The Kubernetes-managed /etc/hosts of a pod with its own network namespace. */
export function hostsFile(pod: Json, podIp: string | undefined, clusterDomain = 'cluster.local'): string {
  const spec = (pod.spec ?? {}) as Json;
  const ns = String(((pod.metadata ?? {}) as Json).namespace ?? 'default');
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const hostname = podHostname(pod);
  if (podIp) {
    const subdomain = typeof spec.subdomain === 'string' && spec.subdomain ? spec.subdomain : undefined;
    lines.push(subdomain ? `${podIp}\t${hostname}.${subdomain}.${ns}.svc.${clusterDomain}\t${hostname}` : `${podIp}\t${hostname}`);
  }
  const aliases = Array.isArray(spec.hostAliases) ? (spec.hostAliases as Json[]) : [];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const alias of aliases) lines.push(`${String(alias.ip)}\t${strings(alias.hostnames).join('\t')}`);
  }
  return lines.join('\n') + '\n';
}

/** The cluster DNS service address: the 10th address of the service CIDR (10.43.0.10). */
export function clusterDnsIp(serviceCidr: string): string {
  const [base = '10.43.0.0'] = serviceCidr.split('/');
  const parts = base.split('.').map(Number);
  const value = (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) + 10;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** /etc/resolv.conf for the pod's dnsPolicy; `hostResolv` is the node's own file. */
export function resolvConf(pod: Json, options: { dnsIp: string; hostResolv: string; clusterDomain?: string }): string {
  const spec = (pod.spec ?? {}) as Json;
  const ns = String(((pod.metadata ?? {}) as Json).namespace ?? 'default');
  const domain = options.clusterDomain ?? 'cluster.local';
  let policy = typeof spec.dnsPolicy === 'string' ? spec.dnsPolicy : 'ClusterFirst';
  if (policy === 'ClusterFirst' && spec.hostNetwork === true) policy = 'Default';
  let nameservers: string[] = [];
  let searches: string[] = [];
  let opts: string[] = [];
  if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
    nameservers = [options.dnsIp];
    searches = [`${ns}.svc.${domain}`, `svc.${domain}`, domain];
    opts = ['ndots:5'];
  } else if (policy === 'Default') {
    for (const line of options.hostResolv.split('\n')) {
      const [key, ...rest] = line.trim().split(/\s+/);
      if (key === 'nameserver' && rest[0]) nameservers.push(rest[0]);
      else if (key === 'search') searches = rest;
      else if (key === 'options') opts.push(...rest);
    }
  }
  const dnsConfig = isObject(spec.dnsConfig) ? spec.dnsConfig : {};
  nameservers = [...new Set([...nameservers, ...strings(dnsConfig.nameservers)])].slice(0, 3);
  searches = [...new Set([...searches, ...strings(dnsConfig.searches)])].slice(0, 32);
  for (const option of Array.isArray(dnsConfig.options) ? (dnsConfig.options as Json[]) : []) {
    const name = String(option.name ?? '');
    if (!name) continue;
    opts = opts.filter((o) => o.split(':')[0] !== name);
    opts.push(option.value !== undefined ? `${name}:${String(option.value)}` : name);
  }
  const lines = nameservers.map((n) => `nameserver ${n}`);
  if (searches.length > 0) lines.push(`search ${searches.join(' ')}`);
  if (opts.length > 0) lines.push(`options ${opts.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** Capabilities, privilege and the other process settings from the container's securityContext. */
export function securitySettings(pod: Json, container: Json): {
  capabilities: { add: string[]; drop: string[] };
  privileged: boolean;
  readOnlyRootfs: boolean;
  noNewPrivileges: boolean;
  seccomp: 'RuntimeDefault' | 'Unconfined';
} {
  const podSc = isObject((pod.spec as Json | undefined)?.securityContext) ? ((pod.spec as Json).securityContext as Json) : {};
  const sc = isObject(container.securityContext) ? container.securityContext : {};
  const caps = isObject(sc.capabilities) ? sc.capabilities : {};
  const privileged = sc.privileged === true;
  const seccompProfile = (isObject(sc.seccompProfile) ? sc.seccompProfile : isObject(podSc.seccompProfile) ? podSc.seccompProfile : {}) as Json;
  return {
    capabilities: { add: strings(caps.add), drop: strings(caps.drop) },
    privileged,
    readOnlyRootfs: sc.readOnlyRootFilesystem === true,
    noNewPrivileges: sc.allowPrivilegeEscalation === false,
    // Kubernetes' default is Unconfined unless the pod asks for RuntimeDefault.
    seccomp: seccompProfile.type === 'RuntimeDefault' ? 'RuntimeDefault' : 'Unconfined',
  };
}

/** `pod` as the kubelet names it in messages: name_namespace(uid). */
function podDescription(pod: Json): string {
  const meta = (isObject(pod.metadata) ? pod.metadata : {}) as Json;
  return `${String(meta.name ?? '')}_${String(meta.namespace ?? '')}(${String(meta.uid ?? '')})`;
}

/**
 * runAsNonRoot (container over pod): a container that would run as uid 0, or whose image names a
 * user that cannot be proven non-root, is refused with the kubelet's message (it then shows as
 * CreateContainerConfigError). Undefined when it may run.
 */
export function nonRootViolation(pod: Json, container: Json, imageUser: string | undefined): string | undefined {
  const podSc = isObject((pod.spec as Json | undefined)?.securityContext) ? ((pod.spec as Json).securityContext as Json) : {};
  const sc = isObject(container.securityContext) ? container.securityContext : {};
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) return undefined;
  const where = `(pod: ${JSON.stringify(podDescription(pod))}, container: ${String(container.name)})`;
  const runAsUser = sc.runAsUser ?? podSc.runAsUser;
  if (typeof runAsUser === 'number') return runAsUser === 0 ? `container's runAsUser breaks non-root policy ${where}` : undefined;
  const user = (imageUser ?? '').split(':')[0] ?? '';
  if (user !== '' && !/^\d+$/.test(user)) return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${where}`;
  if (user === '' || Number(user) === 0) return `container has runAsNonRoot and image will run as root ${where}`;
  return undefined;
}

/** The sysctls Kubernetes allows every pod (the rest need the node's explicit allowance). */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

/**
 * securityContext.sysctls as the OCI spec's linux.sysctl (names with '/' written with '.', as the
 * kubelet accepts both). Throws, naming the sysctl, for one that is not safe, or one that would
 * change the node's own network or IPC namespace (hostNetwork / hostIPC pods).
 */
export function podSysctls(pod: Json): Record<string, string> {
  const spec = (isObject(pod.spec) ? pod.spec : {}) as Json;
  const podSc = isObject(spec.securityContext) ? spec.securityContext : {};
  const out: Record<string, string> = {};
  for (const entry of Array.isArray(podSc.sysctls) ? podSc.sysctls : []) {
    if (!isObject(entry) || typeof entry.name !== 'string') continue;
    const name = entry.name.replace(/\//g, '.');
    if (!SAFE_SYSCTLS.has(name)) throw new Error(`Pod forbidden sysctl: "${name}" not allowlisted`);
    if (name.startsWith('net.') && spec.hostNetwork === true) throw new Error(`Pod forbidden sysctl: "${name}" not allowed with host net enabled`);
    if (name.startsWith('kernel.shm') && spec.hostIPC === true) throw new Error(`Pod forbidden sysctl: "${name}" not allowed with host ipc enabled`);
    out[name] = String(entry.value ?? '');
  }
  return out;
}
