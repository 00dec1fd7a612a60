// The nft guard table (pure rendering). It keeps pod and cluster traffic from leaking out of the
// node: cluster addresses may only leave through our bridge or towards another node's pod CIDR,
// and (unless egress is allowed) pods may not reach anything outside the cluster.

import { guardTableName } from './names.js';

export interface GuardConfig {
  bridge: string;
  podCidr: string;
  /** Cluster-wide destinations that must never leave via a non-bridge interface (pod + service CIDRs). */
  clusterDestinations: string[];
  /** Other nodes' pod CIDRs, routed via those nodes; allowed out of the node. */
  remotePodCidrs: string[];
  /** Let pods reach addresses outside the cluster (masqueraded behind the node's address). */
  egress: boolean;
}

function setBlock(name: string, elements: string[]): string[] {
  const lines = [`  set ${name} {`, '    type ipv4_addr', '    flags interval', '    auto-merge'];
  if (elements.length > 0) lines.push(`    elements = { ${elements.join(', ')} }`);
  lines.push('  }');
  return lines;
}

/**
 * A complete, idempotent nft transaction: creates the table if missing, deletes it and recreates
 * it, so the kernel swaps old for new rules atomically.
 */
export function renderGuardTable(config: GuardConfig): string {
  const table = guardTableName(config.bridge);
  const br = JSON.stringify(config.bridge);
  const lines = [
    `table ip ${table}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    ...setBlock('cluster_dst', config.clusterDestinations),
    ...setBlock('remote_pod_cidrs', config.remotePodCidrs),
    '  chain guard_forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    ct state established,related accept',
    `    iifname ${br} oifname != ${br} ip daddr @remote_pod_cidrs accept`,
  ];
  if (!config.egress) lines.push(`    iifname ${br} oifname != ${br} counter drop`);
  lines.push(
    '  }',
    // Postrouting sees the final output interface, also after a nat-output DNAT rerouted the
    // packet (the output hook still reports the pre-DNAT interface), and covers forwarded traffic.
    '  chain guard_postrouting {',
    '    type filter hook postrouting priority filter; policy accept;',
    '    oifname "lo" accept',
    `    oifname != ${br} ip daddr @remote_pod_cidrs accept`,
    `    oifname != ${br} ip daddr @cluster_dst counter drop`,
    '  }',
  );
  if (config.egress) {
    lines.push(
      '  chain egress_masquerade {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    ip saddr ${config.podCidr} ip daddr != @cluster_dst oifname != ${br} masquerade`,
      '  }',
    );
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Deletes the table (creating it first so the transaction works whether or not it exists). */
export function renderGuardTableRemoval(bridge: string): string {
  const table = guardTableName(bridge);
  return `table ip ${table}\ndelete table ip ${table}\n`;
}
