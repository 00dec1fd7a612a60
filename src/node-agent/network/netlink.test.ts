import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createVethPair, deleteLink, getLink, linkIndexOf, replaceAddress, replaceDefaultRoute, setHairpin, setMaster, setUp } from './netlink.js';

/** The attributes after a fixed header of `skip` bytes, as [type, payload] (nested ones not opened). */
function attributes(bytes: Buffer, skip: number): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  for (let offset = skip; offset < bytes.length; ) {
    const length = bytes.readUInt16LE(offset);
    out.push([bytes.readUInt16LE(offset + 2), bytes.subarray(offset + 4, offset + length)]);
    offset += (length + 3) & ~3;
  }
  return out;
}

describe('rtnetlink messages', () => {
  test('headers: length, type, request + ack flags and create/replace where Kubernetes-style networking needs them', () => {
    const cases: [string, Buffer, number, number][] = [
      ['veth', createVethPair('kjvabc', 'eth0').bytes, 16, 0x1 | 0x4 | 0x400 | 0x200],
      ['master', setMaster('kjvabc', 7).bytes, 16, 0x5],
      ['hairpin', setHairpin('kjvabc').bytes, 16, 0x5],
      ['up', setUp('eth0').bytes, 16, 0x5],
      ['get', getLink('eth0').bytes, 18, 0x5],
      ['del', deleteLink('kjvabc').bytes, 17, 0x5],
      ['addr', replaceAddress(2, '10.42.0.7', 24).bytes, 20, 0x5 | 0x400 | 0x100],
      ['route', replaceDefaultRoute(2, '10.42.0.1').bytes, 24, 0x5 | 0x400 | 0x100],
    ];
    for (const [name, bytes, type, flags] of cases) {
      assert.equal(bytes.readUInt32LE(0), bytes.length, name);
      assert.equal(bytes.length % 4, 0, name);
      assert.equal(bytes.readUInt16LE(4), type, name);
      assert.equal(bytes.readUInt16LE(6), flags, name);
    }
  });

  test('a veth pair names both ends and leaves room for the peer namespace fd at nsfdAt', () => {
    const message = createVethPair('kjvabc', 'eth0');
    const [name, linkinfo] = attributes(message.bytes, 32);
    assert.deepEqual(name, [3, Buffer.from('kjvabc\0')]);
    assert.equal(linkinfo![0], 18);
    const [kind, data] = attributes(linkinfo![1], 0);
    assert.deepEqual(kind, [1, Buffer.from('veth\0')]);
    const [peer] = attributes(data![1], 0);
    assert.equal(peer![0], 1); // VETH_INFO_PEER: an ifinfomsg, then the peer's attributes
    const peerAttributes = attributes(peer![1], 16);
    assert.deepEqual(peerAttributes[0], [3, Buffer.from('eth0\0')]);
    assert.equal(peerAttributes[1]![0], 28); // IFLA_NET_NS_FD
    assert.equal(message.bytes.readUInt16LE(message.nsfdAt! - 2), 28, 'nsfdAt is the fd attribute\'s payload');
  });

  test('addresses, routes and the bridge port carry what ip would send', () => {
    const address = replaceAddress(5, '10.42.0.7', 24).bytes;
    assert.deepEqual([...address.subarray(16, 24)], [2, 24, 0, 0, 5, 0, 0, 0]);
    assert.deepEqual(attributes(address, 24), [[2, Buffer.from([10, 42, 0, 7])], [1, Buffer.from([10, 42, 0, 7])]]);
    const route = replaceDefaultRoute(5, '10.42.0.1').bytes;
    assert.deepEqual([...route.subarray(16, 24)], [2, 0, 0, 0, 254, 3, 0, 1]);
    assert.deepEqual(attributes(route, 28), [[5, Buffer.from([10, 42, 0, 1])], [4, Buffer.from([5, 0, 0, 0])]]);
    const up = setUp('lo').bytes;
    assert.equal(up.readUInt32LE(24), 1, 'IFF_UP in flags');
    assert.equal(up.readUInt32LE(28), 1, 'and in the change mask');
    const master = setMaster('kjvabc', 9).bytes;
    assert.deepEqual(attributes(master, 32)[1], [10, Buffer.from([9, 0, 0, 0])]);
    const [, linkinfo] = attributes(setHairpin('kjvabc').bytes, 32);
    const [slaveKind, slaveData] = attributes(linkinfo![1], 0);
    assert.deepEqual(slaveKind, [4, Buffer.from('bridge\0')]);
    assert.deepEqual(attributes(slaveData![1], 0), [[4, Buffer.from([1])]]);
    assert.throws(() => replaceAddress(2, 'fe80::1', 64), /not an IPv4 address/);
  });

  test('the interface index is read from a link reply', () => {
    const reply = Buffer.alloc(32);
    reply.writeUInt32LE(32, 0);
    reply.writeUInt16LE(16, 4);
    reply.writeInt32LE(42, 20);
    assert.equal(linkIndexOf(reply), 42);
    reply.writeUInt16LE(2, 4);
    assert.throws(() => linkIndexOf(reply), /not a link message/);
  });
});
