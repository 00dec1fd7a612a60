// Names of everything pod networking creates, so cleanup (and people) can tell what is ours.

import { createHash } from 'node:crypto';

export const POD_NETNS_PREFIX = 'kjb-';
export const HOST_VETH_PREFIX = 'kjv';
export const NETNS_DIR = '/var/run/netns';

const BRIDGE_NAME = /^kjb[A-Za-z0-9_]{1,12}$/;

/** Bridges must be called kjb<suffix> (at most 15 characters, usable in nft table names). */
export function checkBridgeName(bridge: string): void {
  if (!BRIDGE_NAME.test(bridge)) {
    throw new Error(`bridge name "${bridge}" must match kjb<1-12 of [A-Za-z0-9_]> (Kijabi only creates kjb* bridges)`);
  }
}

/** `kjb-<first 12 characters of the pod uid>` (characters outside [A-Za-z0-9-] become '-'). */
export function podNetnsName(podUid: string): string {
  if (!podUid) throw new Error('pod uid is empty');
  return POD_NETNS_PREFIX + podUid.slice(0, 12).replace(/[^A-Za-z0-9-]/g, '-');
}

/** Where `ip netns` (and the launcher) bind a named network namespace. */
export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

export function podNetnsPath(podUid: string): string {
  return netnsPath(podNetnsName(podUid));
}

/** `kjv<8 hex>`: hashed so uids sharing a prefix still get distinct interface names. */
export function hostVethName(podUid: string): string {
  return HOST_VETH_PREFIX + createHash('sha256').update(podUid).digest('hex').slice(0, 8);
}

export function guardTableName(bridge: string): string {
  return `kijabi_guard_${bridge}`;
}

export function hostPortTableName(bridge: string): string {
  return `kijabi_hostports_${bridge}`;
}
