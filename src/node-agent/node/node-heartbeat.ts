// Registers the Node, renews its Lease in kube-node-lease every 10 s and updates its status
// conditions when they change (and at least once a minute).

import { execFile } from 'node:child_process';
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, freemem, hostname, release, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { isApiError } from '../../api/errors.js';
import { rfc3339, rfc3339Micro, type KubeObject } from '../../api/meta.js';
import { findResource } from '../../api/resources.js';
import type { Logger } from '../../client/log.js';
import { PatchTypes, type RestClient } from '../../client/rest-client.js';
import { conditionsChanged, nodeConditions, nodeObject, nodeStatus, osImageFrom, type NodeFacts, type Pressure } from './node-status.js';

const NODES = findResource('', 'v1', 'nodes')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
export const LEASE_NAMESPACE = 'kube-node-lease';
const run = promisify(execFile);

function goArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a;
}

export async function runtimeVersion(runtimePath: string): Promise<string> {
  try {
    const { stdout } = await run(runtimePath, ['--version']);
    const match = /version\s+([0-9][^\s]*)/.exec(stdout);
    const name = runtimePath.endsWith('runc') ? 'runc' : 'crun';
    return `${name}://${match?.[1] ?? 'unknown'}`;
  } catch {
    return 'crun://unknown';
  }
}

export async function collectFacts(options: { name: string; internalIp: string; streamingAddress?: string; podCidr: string; dataDir: string; streamingPort: number; runtimePath: string }): Promise<NodeFacts> {
  let storage = 0;
  try {
    const fs = statfsSync(options.dataDir);
    storage = fs.blocks * fs.bsize;
  } catch {
    // unknown
  }
  let osRelease = '';
  try {
    osRelease = readFileSync('/etc/os-release', 'utf8');
  } catch {
    // not every system has it
  }
  let machineId: string | undefined;
  try {
    machineId = readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    machineId = undefined;
  }
  return {
    name: options.name,
    internalIp: options.internalIp,
    streamingAddress: options.streamingAddress,
    hostname: hostname(),
    podCidr: options.podCidr,
    cpus: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: storage,
    maxPods: 110,
    kernelVersion: release(),
    osImage: osImageFrom(osRelease),
    runtimeVersion: await runtimeVersion(options.runtimePath),
    architecture: goArch(),
    streamingPort: options.streamingPort,
    machineId,
  };
}

/** Eviction-style thresholds: 100Mi memory, 10% disk. */
export function observePressure(dataDir: string): Pressure {
  let disk = false;
  try {
    const fs = statfsSync(dataDir);
    disk = fs.bavail / fs.blocks < 0.1;
  } catch {
    disk = false;
  }
  return { memory: freemem() < 100 * 1024 * 1024, disk, pid: false };
}

export interface NodeHeartbeatOptions {
  client: RestClient;
  facts: NodeFacts;
  dataDir: string;
  leaseIntervalMs?: number;
  log: Logger;
}

export class NodeHeartbeat {
  private readonly options: NodeHeartbeatOptions;
  private lastConditions?: Record<string, unknown>[];
  private lastStatusWrite = 0;

  constructor(options: NodeHeartbeatOptions) {
    this.options = options;
  }

  /** Creates the Node (or adopts an existing one) and returns its pod CIDR. */
  async register(): Promise<string> {
    const { client, facts } = this.options;
    const now = rfc3339();
    const node = nodeObject(facts, observePressure(this.options.dataDir), now);
    let existing: KubeObject | undefined;
    try {
      existing = await client.create(NODES, node as unknown as KubeObject);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
      existing = await client.get(NODES, undefined, facts.name);
      const { labels, annotations } = node.metadata as { labels: Record<string, string>; annotations?: Record<string, string> };
      await client.patch(NODES, undefined, facts.name, PatchTypes.merge, { metadata: { labels, ...(annotations ? { annotations } : {}) } });
    }
    const podCidr = (existing as { spec?: { podCIDR?: string } }).spec?.podCIDR ?? facts.podCidr;
    if (podCidr !== facts.podCidr) this.options.log.info('node already has a pod CIDR; keeping it', { podCidr });
    this.options.facts.podCidr = podCidr;
    await this.writeStatus(true);
    return podCidr;
  }

  private async writeStatus(force: boolean): Promise<void> {
    const now = rfc3339();
    const conditions = nodeConditions(observePressure(this.options.dataDir), now, this.lastConditions);
    const due = Date.now() - this.lastStatusWrite >= 60_000;
    if (!force && !due && !conditionsChanged(this.lastConditions, conditions)) return;
    const status = nodeStatus(this.options.facts, observePressure(this.options.dataDir), now, this.lastConditions);
    await this.options.client.patchDiscardingResult(NODES, undefined, this.options.facts.name, PatchTypes.merge, { status }, { subresource: 'status' });
    this.lastConditions = status.conditions as Record<string, unknown>[];
    this.lastStatusWrite = Date.now();
  }

  private async renewLease(): Promise<void> {
    const name = this.options.facts.name;
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro() };
    try {
      await this.options.client.patchDiscardingResult(LEASES, LEASE_NAMESPACE, name, PatchTypes.merge, { spec });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      await this.options.client.create(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: LEASE_NAMESPACE }, spec } as unknown as KubeObject);
    }
  }

  /** Lease and status loop until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const interval = this.options.leaseIntervalMs ?? 10_000;
    while (!signal.aborted) {
      await this.renewLease().catch((err: unknown) => this.options.log.warn('lease renewal failed', { err }));
      await this.writeStatus(false).catch((err: unknown) => this.options.log.warn('node status update failed', { err }));
      await new Promise<void>((resolve) => {
        const onAbort = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, interval);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}
