// Pod networking for one node, CNI "bridge + host-local" style, done with `ip` and `nft`:
// a kjb* bridge holding the pod CIDR's gateway address, one netns + veth pair per pod, guard
// routes and an nft guard table so cluster traffic never leaks to the real network, and routes to
// other nodes' pod CIDRs.
//
// With `nodeNetns` set, every change (bridge, veths, sysctls, routes, nft) happens inside that
// named network namespace; pod namespaces are still ordinary `ip netns` entries. Without it the
// agent changes the netns it runs in: that is the host's when the agent runs on the host, and then
// net.ipv4.ip_forward is set to 1 host-wide (restored by teardownNode if it was 0).

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../client/log.js';
import { formatCidr, formatIpv4, gatewayOf, parseCidr, parseIpv4 } from './cidr.js';
import { LaunchError, mountThroughLauncher, netlinkThroughLauncher, newNetnsThroughLauncher, type WireNetlinkMessage } from '../launcher/launch.js';
import { NetworkCommandError, NodeCommands, isAlreadyExists } from './exec.js';
import { createVethPair, deleteLink, getLink, linkIndexOf, replaceAddress, replaceDefaultRoute, setHairpin, setMaster, setUp, type NetlinkMessage } from './netlink.js';
import { renderGuardTable, renderGuardTableRemoval } from './guard.js';
import { HostPortManager, type HostPortMapping } from './hostport.js';
import { IpamStore, writeFileAtomic } from './ipam.js';
import { checkBridgeName, hostVethName, netnsPath, podNetnsName, podNetnsPath } from './names.js';

export interface PodNetworkOptions {
  /** Bridge name, kjb<suffix>. */
  bridge: string;
  /** This node's pod CIDR, e.g. 10.42.0.0/24: .1 is the bridge, pods get .2 upwards. */
  podCidr: string;
  /** Where ipam.json, routes.json and hostports.json live. */
  stateDir: string;
  /** Cluster-wide pod CIDR (guarded); defaults to the /16 around podCidr. */
  clusterCidr?: string;
  /** Service CIDR (guarded and routed to the bridge so host clients reach the proxy's DNAT). */
  serviceCidr?: string;
  /** Allow pods to reach addresses outside the cluster (masqueraded). Default false. */
  egress?: boolean;
  /** Do everything inside this named network namespace instead of the current one. */
  nodeNetns?: string;
  /** Alias of nodeNetns (the name used in the node-agent brief). */
  hostNetns?: string;
  log?: Logger;
}

export interface PodNetworkAttachment {
  netnsPath: string;
  ip: string;
  gateway: string;
}

interface NodeState {
  /** other node's pod CIDR -> that node's address */
  routes: Record<string, string>;
  /** We switched ip_forward from 0 to 1 and should put it back on teardownNode. */
  ipForwardEnabledByUs?: boolean;
}

/** Metric of the guard routes: any real route for the same prefix (lower metric) wins. */
const GUARD_METRIC = '4095';

/** umount2(2) flag: detach now (what `ip netns del` does with a namespace's bind mount). */
const MNT_DETACH = 2;

export class PodNetwork {
  readonly bridge: string;
  readonly podCidr: string;
  readonly clusterCidr: string;
  readonly serviceCidr?: string;
  readonly gateway: string;
  readonly hostPorts: HostPortManager;
  private readonly prefix: number;
  private readonly egress: boolean;
  private readonly commands: NodeCommands;
  private readonly ipam: IpamStore;
  private readonly nodeStatePath: string;
  private nodeState: NodeState;
  private readonly log: Logger;
  /** The bridge's interface index, for netlink's IFLA_MASTER (looked up once). */
  private bridgeIndex?: number;

  constructor(options: PodNetworkOptions) {
    checkBridgeName(options.bridge);
    const cidr = parseCidr(options.podCidr);
    this.bridge = options.bridge;
    this.podCidr = formatCidr(cidr);
    this.prefix = cidr.prefix;
    this.gateway = formatIpv4(gatewayOf(cidr));
    this.clusterCidr = options.clusterCidr
      ? formatCidr(parseCidr(options.clusterCidr))
      : formatCidr({ network: (cidr.network & 0xffff0000) >>> 0, prefix: Math.min(16, cidr.prefix) });
    this.serviceCidr = options.serviceCidr ? formatCidr(parseCidr(options.serviceCidr)) : undefined;
    this.egress = options.egress ?? false;
    this.commands = new NodeCommands(options.nodeNetns ?? options.hostNetns);
    this.ipam = new IpamStore(options.stateDir, this.podCidr);
    this.hostPorts = new HostPortManager(this.commands, this.bridge, this.podCidr, options.stateDir);
    this.nodeStatePath = join(options.stateDir, 'routes.json');
    this.nodeState = loadNodeState(this.nodeStatePath);
    this.log = (options.log ?? createLogger('pod-network')).with({ bridge: this.bridge });
  }

  /** Guards first (before any traffic can flow), then the bridge, then forwarding. Idempotent. */
  async setupNode(): Promise<void> {
    await this.applyGuardTable();
    await this.addGuardRoute(this.clusterCidr);
    if (this.serviceCidr) await this.addGuardRoute(this.serviceCidr);

    try {
      await this.commands.ip('link', 'add', this.bridge, 'type', 'bridge');
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    await this.commands.ip('addr', 'replace', `${this.gateway}/${this.prefix}`, 'dev', this.bridge);
    await this.commands.ip('link', 'set', this.bridge, 'up');
    // Host clients of service VIPs must be routed somewhere before the proxy's nat output DNAT
    // runs; the bridge is safe (the guard route stays underneath with a higher metric).
    if (this.serviceCidr) await this.commands.ip('route', 'replace', this.serviceCidr, 'dev', this.bridge, 'src', this.gateway);

    for (const [podCidr, nodeIp] of Object.entries(this.nodeState.routes)) {
      try {
        await this.commands.ip('route', 'replace', podCidr, 'via', nodeIp);
      } catch (error) {
        this.log.warn('could not restore route to another node', { podCidr, nodeIp, error });
      }
    }
    await this.hostPorts.restore();
    await this.enableIpForward();
    this.log.info('node network ready', { podCidr: this.podCidr, gateway: this.gateway });
  }

  async setupPod(podUid: string, podName: string): Promise<PodNetworkAttachment> {
    const ip = this.ipam.allocate(podUid);
    await this.ipam.persisted();
    const netns = podNetnsName(podUid);
    const veth = hostVethName(podUid);
    const attachment = { netnsPath: podNetnsPath(podUid), ip, gateway: this.gateway };
    // A new pod (the common case) has no netns yet: skip the checks that only a repeat needs.
    const fresh = !existsSync(attachment.netnsPath);
    if (!fresh && (await this.podIsWired(netns, veth, ip))) return attachment;

    if (!fresh) {
      // Partial or stale setup: the host veth goes first (netns deletion is asynchronous).
      await this.commands.tolerateGone(this.commands.ip('link', 'del', veth));
      if (!(await this.netnsUsable(netns))) {
        await this.commands.tolerateGone(this.commands.ipGlobal('netns', 'del', netns));
        await this.commands.ipGlobal('netns', 'add', netns);
      }
    }
    try {
      await this.wirePod(netns, veth, ip, fresh);
    } catch (error) {
      // Leave no half-attached veth behind; the IP stays reserved until teardownPod.
      await this.commands.tolerateGone(this.commands.ip('link', 'del', veth)).catch(() => undefined);
      throw error;
    }
    this.log.info('pod network ready', { pod: podName, podUid, ip, netns });
    return attachment;
  }

  /** Host veth, then the netns, then the IP and any hostPorts. Safe to repeat. */
  async teardownPod(podUid: string): Promise<void> {
    if (!(await this.unwireThroughLauncher(podUid))) {
      await this.commands.tolerateGone(this.commands.ip('link', 'del', hostVethName(podUid)));
      await this.commands.tolerateGone(this.commands.ipGlobal('netns', 'del', podNetnsName(podUid)));
    }
    await this.hostPorts.removePod(podUid);
    this.ipam.release(podUid);
    await this.ipam.persisted();
  }

  podIp(podUid: string): string | undefined {
    return this.ipam.get(podUid);
  }

  /** Pod uids that currently hold an address (for re-adoption and cleanup after a restart). */
  podUids(): string[] {
    return Object.keys(this.ipam.allocations());
  }

  async setPodHostPorts(podUid: string, mappings: Omit<HostPortMapping, 'podIp'>[]): Promise<void> {
    const podIp = this.ipam.get(podUid);
    if (!podIp) throw new Error(`pod ${podUid} has no network; set it up before mapping hostPorts`);
    await this.hostPorts.setPodHostPorts(podUid, mappings.map((m) => ({ ...m, podIp })));
  }

  /** Routes another node's pod CIDR via that node's address (persisted; guard updated). */
  async addNodeRoute(podCidr: string, nodeIp: string): Promise<void> {
    const cidr = formatCidr(parseCidr(podCidr));
    parseIpv4(nodeIp);
    if (cidr === this.podCidr) throw new Error(`${cidr} is this node's own pod CIDR`);
    await this.commands.ip('route', 'replace', cidr, 'via', nodeIp);
    this.saveNodeState({ ...this.nodeState, routes: { ...this.nodeState.routes, [cidr]: nodeIp } });
    await this.applyGuardTable();
  }

  async removeNodeRoute(podCidr: string): Promise<void> {
    const cidr = formatCidr(parseCidr(podCidr));
    const nodeIp = this.nodeState.routes[cidr];
    if (nodeIp) await this.commands.tolerateGone(this.commands.ip('route', 'del', cidr, 'via', nodeIp));
    const routes = { ...this.nodeState.routes };
    delete routes[cidr];
    this.saveNodeState({ ...this.nodeState, routes });
    await this.applyGuardTable();
  }

  nodeRoutes(): Readonly<Record<string, string>> {
    return this.nodeState.routes;
  }

  /**
   * Removes everything this node's networking created: remaining pods, node routes, hostPort and
   * guard tables, guard routes and the bridge; restores ip_forward if we enabled it.
   */
  async teardownNode(): Promise<void> {
    for (const uid of this.podUids()) await this.teardownPod(uid);
    for (const podCidr of Object.keys(this.nodeState.routes)) await this.removeNodeRoute(podCidr);
    await this.hostPorts.teardown();
    await this.commands.tolerateGone(this.commands.ip('link', 'del', this.bridge));
    for (const cidr of [this.clusterCidr, this.serviceCidr]) {
      if (cidr) await this.commands.tolerateGone(this.commands.ip('route', 'del', 'unreachable', cidr, 'metric', GUARD_METRIC));
    }
    await this.commands.nftApply(renderGuardTableRemoval(this.bridge));
    if (this.nodeState.ipForwardEnabledByUs) {
      await this.commands.inNode('sysctl', '-qw', 'net.ipv4.ip_forward=0');
      this.saveNodeState({ ...this.nodeState, ipForwardEnabledByUs: false });
    }
    this.log.info('node network removed');
  }

  private async applyGuardTable(): Promise<void> {
    await this.commands.nftApply(
      renderGuardTable({
        bridge: this.bridge,
        podCidr: this.podCidr,
        clusterDestinations: [this.clusterCidr, ...(this.serviceCidr ? [this.serviceCidr] : [])],
        remotePodCidrs: Object.keys(this.nodeState.routes),
        egress: this.egress,
      }),
    );
  }

  private async addGuardRoute(cidr: string): Promise<void> {
    await this.commands.ip('route', 'replace', 'unreachable', cidr, 'metric', GUARD_METRIC);
  }

  private async enableIpForward(): Promise<void> {
    const { stdout } = await this.commands.inNode('sysctl', '-n', 'net.ipv4.ip_forward');
    if (stdout.trim() === '1') return;
    await this.commands.inNode('sysctl', '-qw', 'net.ipv4.ip_forward=1');
    this.saveNodeState({ ...this.nodeState, ipForwardEnabledByUs: true });
  }

  /**
   * Two `ip -batch` runs (node side, pod side) instead of one process per command: pod starts are
   * dominated by spawns. A new pod's netns is created by the first batch too (`createNetns`).
   */
  private async wirePod(netns: string, veth: string, ip: string, createNetns: boolean): Promise<void> {
    if (await this.wireThroughLauncher(netns, veth, ip, createNetns)) return;
    const nodeSide = [
      ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns],
      ['link', 'set', veth, 'master', this.bridge],
      ['link', 'set', veth, 'type', 'bridge_slave', 'hairpin', 'on'],
      ['link', 'set', veth, 'up'],
    ];
    if (createNetns) await this.commands.ipBatchCreatingNetns([['netns', 'add', netns], ...nodeSide]);
    else await this.commands.ipBatch(nodeSide);
    await this.commands.ipBatch(
      [
        ['link', 'set', 'lo', 'up'],
        ['addr', 'replace', `${ip}/${this.prefix}`, 'dev', 'eth0'],
        ['link', 'set', 'eth0', 'up'],
        ['route', 'replace', 'default', 'via', this.gateway, 'dev', 'eth0'],
      ],
      netns,
    );
  }

  /**
   * wirePod without `ip`: the same changes as rtnetlink messages that the helper launcher sends
   * from sockets in the node's and the pod's namespaces (and the netns made by the launcher).
   * False when the launcher cannot do it here (direct mode, unknown architecture): then `ip` runs.
   */
  private async wireThroughLauncher(netns: string, veth: string, ip: string, createNetns: boolean): Promise<boolean> {
    const podNetns = netnsPath(netns);
    try {
      if (createNetns && !(await newNetnsThroughLauncher(podNetns))) return false;
      const nodeNetns = this.commands.nodeNetnsPath();
      this.bridgeIndex ??= await netlinkThroughLauncher([wire(getLink(this.bridge))], { netns: nodeNetns }).then((replies) => replies && linkIndexOf(Buffer.from(replies[0]![0]!, 'hex')));
      if (this.bridgeIndex === undefined) return false;
      const nodeSide = [createVethPair(veth, 'eth0'), setMaster(veth, this.bridgeIndex), setHairpin(veth), setUp(veth)];
      if (!(await netlinkThroughLauncher(nodeSide.map(wire), { netns: nodeNetns, nsfd: podNetns }))) return false;
      const found = await netlinkThroughLauncher([wire(getLink('eth0'))], { netns: podNetns });
      const eth0 = linkIndexOf(Buffer.from(found![0]![0]!, 'hex'));
      await netlinkThroughLauncher([setUp('lo'), replaceAddress(eth0, ip, this.prefix), setUp('eth0'), replaceDefaultRoute(eth0, this.gateway)].map(wire), { netns: podNetns });
      return true;
    } catch (error) {
      this.bridgeIndex = undefined; // the bridge may have been made again
      throw launcherFailure(`pod netns ${netns}`, error);
    }
  }

  /**
   * teardownPod's `ip link del` and `ip netns del` through the launcher: the host veth by netlink,
   * then the namespace's bind mount detached and its file removed. Things already gone are fine.
   * False when the launcher cannot do it here (the caller runs `ip`).
   */
  private async unwireThroughLauncher(podUid: string): Promise<boolean> {
    const podNetns = podNetnsPath(podUid);
    try {
      const deleted = await netlinkThroughLauncher([wire(deleteLink(hostVethName(podUid)))], { netns: this.commands.nodeNetnsPath() }).catch((error: unknown) => {
        if (error instanceof LaunchError && error.code === 'ENODEV') return [];
        throw error;
      });
      if (deleted === undefined) return false;
      if (!existsSync(podNetns)) return true;
      // Not a mount point any more (EINVAL) is fine: the file still goes, as with `ip netns del`.
      await mountThroughLauncher({ umount: { target: podNetns, flags: MNT_DETACH } }).catch((error: unknown) => {
        if (!(error instanceof LaunchError && (error.code === 'EINVAL' || error.code === 'ENOENT'))) throw error;
      });
      rmSync(podNetns, { force: true });
      return true;
    } catch (error) {
      throw launcherFailure(`removing the network of pod ${podUid}`, error);
    }
  }

  private async netnsUsable(netns: string): Promise<boolean> {
    try {
      await this.commands.ipGlobal('-n', netns, 'link', 'show', 'lo');
      return true;
    } catch {
      return false;
    }
  }

  /** True when the pod's netns has eth0 with `ip` and the host veth sits on our bridge. */
  private async podIsWired(netns: string, veth: string, ip: string): Promise<boolean> {
    try {
      const host = JSON.parse((await this.commands.ip('-j', 'link', 'show', 'dev', veth)).stdout) as { master?: string }[];
      if (host[0]?.master !== this.bridge) return false;
      const pod = JSON.parse((await this.commands.ipGlobal('-n', netns, '-j', 'addr', 'show', 'dev', 'eth0')).stdout) as {
        operstate?: string;
        addr_info?: { local?: string }[];
      }[];
      return pod[0]?.addr_info?.some((a) => a.local === ip) ?? false;
    } catch {
      return false;
    }
  }

  private saveNodeState(next: NodeState): void {
    writeFileAtomic(this.nodeStatePath, JSON.stringify(next, null, 2) + '\n');
    this.nodeState = next;
  }
}

/** A request the launcher refused, as a NetworkCommandError like the one `ip` would have caused. */
function launcherFailure(context: string, error: unknown): unknown {
  if (!(error instanceof LaunchError)) return error;
  const failed = new NetworkCommandError(['netlink'], null, error.message);
  failed.message = `netlink (${context}): ${error.message}`;
  return failed;
}

/** A netlink message as the launcher takes it. */
function wire(message: NetlinkMessage): WireNetlinkMessage {
  return { hex: message.bytes.toString('hex'), nsfdAt: message.nsfdAt, describe: message.describe };
}

function loadNodeState(path: string): NodeState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as NodeState;
    return { routes: parsed.routes ?? {}, ipForwardEnabledByUs: parsed.ipForwardEnabledByUs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { routes: {} };
    throw error;
  }
}
