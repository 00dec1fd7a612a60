// The Node object this agent registers and the status it reports (pure).

import { createHash } from 'node:crypto';
import { ANN_LOCAL_PATH_DIR } from '../../machinery/volumes/claim-matching.js';

type Json = Record<string, unknown>;

export const KUBELET_VERSION = 'v1.32.4-kijabi';

export interface NodeFacts {
  name: string;
  internalIp: string;
  /**
   * Where the API server reaches the streaming server when that is not internalIp (a node whose
   * network lives in another netns on the API server's host): listed as the first InternalIP.
   */
  streamingAddress?: string;
  hostname: string;
  podCidr: string;
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  maxPods: number;
  kernelVersion: string;
  osImage: string;
  runtimeVersion: string;
  architecture: string;
  streamingPort: number;
  machineId?: string;
  /** Where this node keeps local-path volumes (published as a Node annotation for the provisioner). */
  localPathDir?: string;
}

export interface Pressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

/** A /24 inside the cluster CIDR chosen from the node name (never the first, which the server's agent uses). */
export function allocatePodCidr(clusterCidr: string, nodeName: string, prefix = 24): string {
  const [base = '10.42.0.0', bits = '16'] = clusterCidr.split('/');
  const clusterPrefix = Number(bits);
  const parts = base.split('.').map(Number);
  const network = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
  const slots = 2 ** Math.max(0, prefix - clusterPrefix);
  if (slots <= 1) return `${base}/${prefix}`;
  const hash = createHash('sha256').update(nodeName).digest().readUInt32BE(0);
  const slot = 1 + (hash % (slots - 1));
  const value = (network + slot * 2 ** (32 - prefix)) >>> 0;
  return `${[value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.')}/${prefix}`;
}

/** PRETTY_NAME from /etc/os-release text. */
export function osImageFrom(osRelease: string): string {
  const match = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  return match ? match[1]!.trim().replace(/^"(.*)"$/, '$1') : 'Linux';
}

function condition(type: string, on: boolean, reasons: { on: [string, string]; off: [string, string] }, now: string, previous: Json[] | undefined): Json {
  const status = type === 'Ready' ? (on ? 'True' : 'False') : on ? 'True' : 'False';
  const [reason, message] = on ? reasons.on : reasons.off;
  const before = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: before && before.status === status && typeof before.lastTransitionTime === 'string' ? before.lastTransitionTime : now,
    reason,
    message,
  };
}

export function nodeConditions(pressure: Pressure, now: string, previous?: Json[]): Json[] {
  return [
    condition('MemoryPressure', pressure.memory, { on: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'], off: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'] }, now, previous),
    condition('DiskPressure', pressure.disk, { on: ['KubeletHasDiskPressure', 'kubelet has disk pressure'], off: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'] }, now, previous),
    condition('PIDPressure', pressure.pid, { on: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'], off: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'] }, now, previous),
    condition('Ready', true, { on: ['KubeletReady', 'kubelet is posting ready status'], off: ['KubeletNotReady', 'kubelet is not ready'] }, now, previous),
  ];
}

/** Conditions differ in something other than heartbeat times. */
export function conditionsChanged(a: Json[] | undefined, b: Json[]): boolean {
  if (!a || a.length !== b.length) return true;
  return b.some((c) => {
    const o = a.find((x) => x.type === c.type);
    return !o || o.status !== c.status || o.reason !== c.reason;
  });
}

function kibibytes(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}

export function nodeStatus(facts: NodeFacts, pressure: Pressure, now: string, previous?: Json[]): Json {
  const capacity = {
    cpu: String(facts.cpus),
    memory: kibibytes(facts.memoryBytes),
    pods: String(facts.maxPods),
    'ephemeral-storage': kibibytes(facts.ephemeralStorageBytes),
    'hugepages-2Mi': '0',
  };
  // Allocatable keeps back the eviction threshold for memory (100Mi) as the kubelet does by default.
  const allocatable = { ...capacity, memory: kibibytes(Math.max(0, facts.memoryBytes - 100 * 1024 * 1024)), 'ephemeral-storage': String(Math.floor(facts.ephemeralStorageBytes * 0.9)) };
  return {
    capacity,
    allocatable,
    conditions: nodeConditions(pressure, now, previous),
    addresses: [
      ...(facts.streamingAddress && facts.streamingAddress !== facts.internalIp ? [{ type: 'InternalIP', address: facts.streamingAddress }] : []),
      { type: 'InternalIP', address: facts.internalIp },
      { type: 'Hostname', address: facts.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: facts.streamingPort } },
    nodeInfo: {
      machineID: facts.machineId ?? '',
      systemUUID: facts.machineId ?? '',
      bootID: '',
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: facts.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: facts.architecture,
    },
  };
}

export function nodeObject(facts: NodeFacts, pressure: Pressure, now: string, labels: Record<string, string> = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: facts.name,
      labels: {
        'beta.kubernetes.io/arch': facts.architecture,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': facts.architecture,
        'kubernetes.io/hostname': facts.name,
        'kubernetes.io/os': 'linux',
        ...labels,
      },
      ...(facts.localPathDir ? { annotations: { [ANN_LOCAL_PATH_DIR]: facts.localPathDir } } : {}),
    },
    spec: { podCIDR: facts.podCidr, podCIDRs: [facts.podCidr] },
    status: nodeStatus(facts, pressure, now),
  };
}
