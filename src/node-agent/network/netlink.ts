// rtnetlink requests for wiring a pod, built here and sent by the helper launcher (which enters
// the namespace and talks to the kernel itself): a pod start used to run `ip` twice, and those two
// processes with their forks were a fifth of the machine's CPU per pod. Only the few messages
// pod networking needs, in the layout of <linux/netlink.h>, <linux/rtnetlink.h> and
// <linux/if_link.h> (host byte order, attributes padded to 4 bytes).

import { isIPv4 } from 'node:net';

const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_REPLACE = 0x100;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_NEWROUTE = 24;

const IFLA_IFNAME = 3;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_INFO_SLAVE_KIND = 4;
const IFLA_INFO_SLAVE_DATA = 5;
const VETH_INFO_PEER = 1;
const IFLA_BRPORT_MODE = 4;
const IFF_UP = 0x1;

const AF_UNSPEC = 0;
const AF_INET = 2;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RT_SCOPE_UNIVERSE = 0;
const RTN_UNICAST = 1;

const NLMSG_HEADER = 16;
const IFINFOMSG = 16;

/** One request; `nsfdAt` is where the launcher writes the fd of the namespace it opened for it. */
export interface NetlinkMessage {
  bytes: Buffer;
  nsfdAt?: number;
  /** What the message does, for error messages (`ip`-like). */
  describe: string;
}

const align = (n: number): number => (n + 3) & ~3;

function attribute(type: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(align(4 + payload.length));
  out.writeUInt16LE(4 + payload.length, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}

const nested = (type: number, ...children: Buffer[]): Buffer => attribute(type, Buffer.concat(children));
const text = (type: number, value: string): Buffer => attribute(type, Buffer.from(`${value}\0`));
const u32 = (type: number, value: number): Buffer => {
  const payload = Buffer.alloc(4);
  payload.writeUInt32LE(value >>> 0);
  return attribute(type, payload);
};
const u8 = (type: number, value: number): Buffer => attribute(type, Buffer.from([value]));
const ipv4 = (type: number, address: string): Buffer => {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return attribute(type, Buffer.from(address.split('.').map(Number)));
};

function ifinfo(index: number, flags = 0, change = 0): Buffer {
  const out = Buffer.alloc(IFINFOMSG);
  out.writeUInt8(AF_UNSPEC, 0);
  out.writeInt32LE(index, 4);
  out.writeUInt32LE(flags >>> 0, 8);
  out.writeUInt32LE(change >>> 0, 12);
  return out;
}

function message(type: number, flags: number, body: Buffer[], describe: string): NetlinkMessage {
  const payload = Buffer.concat(body);
  const header = Buffer.alloc(NLMSG_HEADER);
  header.writeUInt32LE(NLMSG_HEADER + payload.length, 0);
  header.writeUInt16LE(type, 4);
  header.writeUInt16LE(NLM_F_REQUEST | NLM_F_ACK | flags, 6);
  return { bytes: Buffer.concat([header, payload]), describe };
}

/**
 * `ip link add HOST type veth peer name PEER netns NS`: the peer goes straight into the namespace
 * the launcher opened (its fd is written at `nsfdAt`).
 */
export function createVethPair(hostName: string, peerName: string): NetlinkMessage {
  const peerNetnsFd = u32(IFLA_NET_NS_FD, 0);
  const peer = Buffer.concat([ifinfo(0), text(IFLA_IFNAME, peerName), peerNetnsFd]);
  const linkinfo = nested(IFLA_LINKINFO, text(IFLA_INFO_KIND, 'veth'), nested(IFLA_INFO_DATA, attribute(VETH_INFO_PEER, peer)));
  const name = text(IFLA_IFNAME, hostName);
  const built = message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, [ifinfo(0), name, linkinfo], `link add ${hostName} type veth peer name ${peerName}`);
  // The fd attribute's payload, found from the end: the peer block closes the message.
  built.nsfdAt = built.bytes.length - 4;
  return built;
}

/** `ip link set NAME master INDEX` (the bridge's interface index). */
export function setMaster(name: string, masterIndex: number): NetlinkMessage {
  return message(RTM_NEWLINK, 0, [ifinfo(0), text(IFLA_IFNAME, name), u32(IFLA_MASTER, masterIndex)], `link set ${name} master ${masterIndex}`);
}

/** `ip link set NAME type bridge_slave hairpin on`. */
export function setHairpin(name: string): NetlinkMessage {
  const linkinfo = nested(IFLA_LINKINFO, text(IFLA_INFO_SLAVE_KIND, 'bridge'), nested(IFLA_INFO_SLAVE_DATA, u8(IFLA_BRPORT_MODE, 1)));
  return message(RTM_NEWLINK, 0, [ifinfo(0), text(IFLA_IFNAME, name), linkinfo], `link set ${name} type bridge_slave hairpin on`);
}

/** `ip link set NAME up`. */
export function setUp(name: string): NetlinkMessage {
  return message(RTM_NEWLINK, 0, [ifinfo(0, IFF_UP, IFF_UP), text(IFLA_IFNAME, name)], `link set ${name} up`);
}

/** `ip link del NAME` (a veth takes its peer with it). */
export function deleteLink(name: string): NetlinkMessage {
  return message(RTM_DELLINK, 0, [ifinfo(0), text(IFLA_IFNAME, name)], `link del ${name}`);
}

/** `ip link show NAME`: the reply's interface index is read with linkIndexOf. */
export function getLink(name: string): NetlinkMessage {
  return message(RTM_GETLINK, 0, [ifinfo(0), text(IFLA_IFNAME, name)], `link show ${name}`);
}

/** The interface index in an RTM_NEWLINK reply (ifinfomsg.ifi_index). */
export function linkIndexOf(reply: Buffer): number {
  if (reply.length < NLMSG_HEADER + IFINFOMSG || reply.readUInt16LE(4) !== RTM_NEWLINK) throw new Error('not a link message');
  return reply.readInt32LE(NLMSG_HEADER + 4);
}

/** `ip addr replace ADDRESS/PREFIX dev INDEX`. */
export function replaceAddress(index: number, address: string, prefix: number): NetlinkMessage {
  const ifaddr = Buffer.alloc(8);
  ifaddr.writeUInt8(AF_INET, 0);
  ifaddr.writeUInt8(prefix, 1);
  ifaddr.writeUInt8(RT_SCOPE_UNIVERSE, 3);
  ifaddr.writeUInt32LE(index, 4);
  return message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, [ifaddr, ipv4(IFA_LOCAL, address), ipv4(IFA_ADDRESS, address)], `addr replace ${address}/${prefix} dev ${index}`);
}

/** `ip route replace default via GATEWAY dev INDEX`. */
export function replaceDefaultRoute(index: number, gateway: string): NetlinkMessage {
  const rtmsg = Buffer.alloc(12);
  rtmsg.writeUInt8(AF_INET, 0);
  rtmsg.writeUInt8(RT_TABLE_MAIN, 4);
  rtmsg.writeUInt8(RTPROT_BOOT, 5);
  rtmsg.writeUInt8(RT_SCOPE_UNIVERSE, 6);
  rtmsg.writeUInt8(RTN_UNICAST, 7);
  return message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, [rtmsg, ipv4(RTA_GATEWAY, gateway), u32(RTA_OIF, index)], `route replace default via ${gateway} dev ${index}`);
}
