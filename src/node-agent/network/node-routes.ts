// Routes to the other nodes' pod CIDRs: every agent watches the Nodes and keeps one route per other
// node (spec.podCIDR via that node's InternalIP) through PodNetwork.addNodeRoute/removeNodeRoute.
// The decision (which routes should exist, what to change) is pure; the watcher applies it,
// serialized and coalesced, and retries failures on a timer.

import type { KubeObject } from '../../api/meta.js';
import { findKind } from '../../api/resources.js';
import { Informer } from '../../client/informer.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { formatCidr, parseCidr, parseIpv4 } from './cidr.js';

interface NodeShape {
  metadata: { name?: string; deletionTimestamp?: string };
  spec?: { podCIDR?: string };
  status?: { addresses?: { type: string; address: string }[] };
}

function validIpv4(text: string): boolean {
  try {
    parseIpv4(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The address other nodes route through: the first InternalIP that is not loopback. (A node whose
 * agent serves the API server over loopback lists that address first; see agent.ts.)
 */
export function nodeRouteAddress(node: KubeObject): string | undefined {
  const addresses = (node as unknown as NodeShape).status?.addresses ?? [];
  return addresses.find((a) => a.type === 'InternalIP' && validIpv4(a.address) && !a.address.startsWith('127.'))?.address;
}

/** podCIDR -> next hop for every other node that has both; our own CIDR never. */
export function desiredNodeRoutes(nodes: KubeObject[], selfName: string, ownPodCidr: string): Record<string, string> {
  const out: Record<string, string> = {};
  const own = formatCidr(parseCidr(ownPodCidr));
  for (const node of [...nodes].sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)))) {
    const n = node as unknown as NodeShape;
    if (n.metadata.name === selfName || n.metadata.deletionTimestamp) continue;
    const via = nodeRouteAddress(node);
    let cidr: string;
    try {
      cidr = formatCidr(parseCidr(n.spec?.podCIDR ?? ''));
    } catch {
      continue;
    }
    if (!via || cidr === own || out[cidr] !== undefined) continue;
    out[cidr] = via;
  }
  return out;
}

/** What to change to get from `current` to `desired`: removals first, then adds/replacements. */
export function nodeRouteChanges(current: Readonly<Record<string, string>>, desired: Readonly<Record<string, string>>): { remove: string[]; add: [string, string][] } {
  const remove = Object.keys(current).filter((cidr) => desired[cidr] === undefined);
  const add = Object.entries(desired).filter(([cidr, via]) => current[cidr] !== via);
  return { remove, add };
}

/** The part of PodNetwork the watcher uses. */
export interface NodeRouteTarget {
  addNodeRoute(podCidr: string, nodeIp: string): Promise<void>;
  removeNodeRoute(podCidr: string): Promise<void>;
  nodeRoutes(): Readonly<Record<string, string>>;
}

export const NODE_ROUTE_RETRY_MS = 5000;
export const NODE_ROUTE_RESYNC_MS = 60_000;

export class NodeRouteWatcher {
  private readonly informer: Informer;
  private running = false;
  private dirty = false;
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: { client: RestClient; nodeName: string; podCidr: string; network: NodeRouteTarget; log: Logger }) {
    const desc = findKind('', 'v1', 'Node');
    if (!desc) throw new Error('nodes missing from the resource table');
    this.informer = new Informer(options.client, desc, { log: options.log });
    const changed = (): void => this.reconcileSoon();
    this.informer.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  async start(signal: AbortSignal): Promise<void> {
    const run = this.informer.start(signal);
    const resync = setInterval(() => this.reconcileSoon(), NODE_ROUTE_RESYNC_MS);
    resync.unref();
    try {
      if (await this.informer.waitForSync(signal)) this.reconcileSoon();
      await run;
    } finally {
      this.stopped = true;
      clearInterval(resync);
      clearTimeout(this.retry);
    }
  }

  /** This node's object as last seen by the watch (undefined until the first list). */
  ownNode(): KubeObject | undefined {
    return this.informer.hasSynced() ? this.informer.getByKey(this.options.nodeName) : undefined;
  }

  /** Coalesces: one reconcile at a time, one more if something changed meanwhile. */
  reconcileSoon(): void {
    if (this.stopped || !this.informer.hasSynced()) return;
    this.dirty = true;
    if (this.running) return;
    this.running = true;
    void (async () => {
      try {
        while (this.dirty && !this.stopped) {
          this.dirty = false;
          await this.reconcile();
        }
      } finally {
        this.running = false;
      }
    })();
  }

  private async reconcile(): Promise<void> {
    const o = this.options;
    const desired = desiredNodeRoutes(this.informer.list(), o.nodeName, o.podCidr);
    const { remove, add } = nodeRouteChanges(o.network.nodeRoutes(), desired);
    let failed = false;
    for (const cidr of remove) {
      await o.network.removeNodeRoute(cidr).then(
        () => o.log.info('removed route to a node that went away', { podCidr: cidr }),
        (err: unknown) => ((failed = true), o.log.warn('removing node route failed', { podCidr: cidr, err })),
      );
    }
    for (const [cidr, via] of add) {
      await o.network.addNodeRoute(cidr, via).then(
        () => o.log.info('routing another node\'s pod CIDR', { podCidr: cidr, via }),
        (err: unknown) => ((failed = true), o.log.warn('adding node route failed; will retry', { podCidr: cidr, via, err })),
      );
    }
    if (failed && !this.stopped) {
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.reconcileSoon(), NODE_ROUTE_RETRY_MS);
      this.retry.unref();
    }
  }
}
