// hostPort mappings: DNAT from the node's own addresses to pod IPs, in the nft table
// kijabi_hostports_<bridge>. Rendering and conflict checks are pure; HostPortManager persists the
// mappings and applies the whole table atomically on every change.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './ipam.js';
import { hostPortTableName } from './names.js';
import type { NodeCommands } from './exec.js';
import { parseIpv4 } from './cidr.js';

export type HostPortProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface HostPortMapping {
  protocol: HostPortProtocol;
  hostPort: number;
  containerPort: number;
  /** Only this node address (as in the pod spec); undefined or 0.0.0.0 = any local address. */
  hostIp?: string;
  podIp: string;
}

function anyAddress(hostIp: string | undefined): boolean {
  return !hostIp || hostIp === '0.0.0.0';
}

function checkMapping(m: HostPortMapping): void {
  for (const [field, port] of [['hostPort', m.hostPort], ['containerPort', m.containerPort]] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${field} ${port} is not a port number`);
  }
  if (!['TCP', 'UDP', 'SCTP'].includes(m.protocol)) throw new Error(`unsupported hostPort protocol ${m.protocol}`);
  parseIpv4(m.podIp);
  if (!anyAddress(m.hostIp)) parseIpv4(m.hostIp!);
}

/** Mappings of `podUid` that collide with another pod's (same protocol and port, overlapping address). */
export function findHostPortConflicts(
  byPod: Record<string, HostPortMapping[]>,
  podUid: string,
  mappings: HostPortMapping[],
): string[] {
  const conflicts: string[] = [];
  for (const mine of mappings) {
    for (const [otherUid, others] of Object.entries(byPod)) {
      if (otherUid === podUid) continue;
      for (const other of others) {
        const sameAddress = anyAddress(mine.hostIp) || anyAddress(other.hostIp) || mine.hostIp === other.hostIp;
        if (other.protocol === mine.protocol && other.hostPort === mine.hostPort && sameAddress) {
          conflicts.push(`${mine.protocol} ${mine.hostIp ?? '0.0.0.0'}:${mine.hostPort} is already used by pod ${otherUid}`);
        }
      }
    }
  }
  return conflicts;
}

/** The full table as one atomic nft transaction; rules are sorted so output is stable. */
export function renderHostPortTable(bridge: string, podCidr: string, byPod: Record<string, HostPortMapping[]>): string {
  const table = hostPortTableName(bridge);
  const rules: string[] = [];
  for (const uid of Object.keys(byPod).sort()) {
    for (const m of byPod[uid]!) {
      const proto = m.protocol.toLowerCase();
      const address = anyAddress(m.hostIp) ? '' : `ip daddr ${m.hostIp} `;
      rules.push(`    ${address}${proto} dport ${m.hostPort} dnat to ${m.podIp}:${m.containerPort}`);
    }
  }
  const br = JSON.stringify(bridge);
  return [
    `table ip ${table}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    '  chain hostports {',
    ...rules,
    '  }',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    '    fib daddr type local jump hostports',
    '  }',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    // Loopback would need route_localnet; only the node's real addresses are mapped.
    '    ip daddr != 127.0.0.0/8 fib daddr type local jump hostports',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    // A pod reaching its own hostPort must see the reply come back through the node.
    `    ct status dnat ip saddr ${podCidr} oifname ${br} masquerade`,
    '  }',
    '}',
  ].join('\n') + '\n';
}

export class HostPortConflictError extends Error {
  override readonly name = 'HostPortConflictError';
}

export class HostPortManager {
  private readonly path: string;
  private byPod: Record<string, HostPortMapping[]>;

  constructor(
    private readonly commands: NodeCommands,
    private readonly bridge: string,
    private readonly podCidr: string,
    stateDir: string,
  ) {
    this.path = join(stateDir, 'hostports.json');
    this.byPod = HostPortManager.load(this.path);
  }

  private static load(path: string): Record<string, HostPortMapping[]> {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, HostPortMapping[]>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  mappings(podUid: string): HostPortMapping[] {
    return this.byPod[podUid] ?? [];
  }

  /** Replaces the pod's mappings (empty list = none). Throws HostPortConflictError on a clash. */
  async setPodHostPorts(podUid: string, mappings: HostPortMapping[]): Promise<void> {
    mappings.forEach(checkMapping);
    const conflicts = findHostPortConflicts(this.byPod, podUid, mappings);
    if (conflicts.length > 0) throw new HostPortConflictError(conflicts.join('; '));
    const next = { ...this.byPod };
    if (mappings.length > 0) next[podUid] = mappings;
    else delete next[podUid];
    await this.apply(next);
  }

  async removePod(podUid: string): Promise<void> {
    if (!(podUid in this.byPod)) return;
    const next = { ...this.byPod };
    delete next[podUid];
    await this.apply(next);
  }

  /** Re-applies the persisted mappings (after a restart); no table when there are none. */
  async restore(): Promise<void> {
    await this.apply(this.byPod);
  }

  async teardown(): Promise<void> {
    const table = hostPortTableName(this.bridge);
    await this.commands.nftApply(`table ip ${table}\ndelete table ip ${table}\n`);
    this.byPod = {};
    writeFileAtomic(this.path, '{}\n');
  }

  private async apply(next: Record<string, HostPortMapping[]>): Promise<void> {
    if (Object.keys(next).length === 0) {
      const table = hostPortTableName(this.bridge);
      await this.commands.nftApply(`table ip ${table}\ndelete table ip ${table}\n`);
    } else {
      await this.commands.nftApply(renderHostPortTable(this.bridge, this.podCidr, next));
    }
    writeFileAtomic(this.path, JSON.stringify(next, null, 2) + '\n');
    this.byPod = next;
  }
}
