// Real ip/nft tests. Each suite runs inside its own "node" netns (test/support/netns.ts): the host's
// interfaces, routes and nft rules are never touched, and traffic only goes to addresses the test
// created. Skipped (with the reason) when not root or when ip/nft/busybox are missing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { createLogger } from '../../client/log.js';
import { PodNetwork, type PodNetworkOptions } from './pod-network.js';
import { runCommand } from './exec.js';
import { renderGuardTable } from './guard.js';
import { hostVethName, podNetnsName } from './names.js';
import { createTestNodeNetns, listNetns, networkTestSkipReason, removeNetns, type TestNodeNetns } from '../../../test/support/netns.js';

const skip = networkTestSkipReason();
if (skip) console.log(`# skipping real pod-network tests: ${skip}`);
const silent = createLogger('pod-network-test', { level: 'silent' });

/** `busybox wget` from inside a netns; resolves to the body or throws. */
async function wgetFrom(netns: string, url: string, seconds = 3): Promise<string> {
  const { stdout } = await runCommand(['ip', 'netns', 'exec', netns, 'timeout', String(seconds), 'busybox', 'wget', '-qO-', url], undefined, (seconds + 2) * 1000);
  return stdout;
}

async function wgetFails(netns: string, url: string, seconds = 2): Promise<number> {
  const started = Date.now();
  await assert.rejects(wgetFrom(netns, url, seconds));
  return Date.now() - started;
}

class HttpdSet {
  private readonly children: ChildProcess[] = [];
  /** Starts busybox httpd on :8080 in `netns` serving `body`, and waits until it answers. */
  async start(netns: string, root: string, body: string): Promise<void> {
    const dir = join(root, `www-${netns}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.html'), body);
    const child = spawn('ip', ['netns', 'exec', netns, 'busybox', 'httpd', '-f', '-p', '8080', '-h', dir], { stdio: 'ignore' });
    this.children.push(child);
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        if ((await wgetFrom(netns, 'http://127.0.0.1:8080/', 1)) === body) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await delay(50);
    }
  }
  async stopAll(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM'); // by PID: `ip netns exec` execs into httpd
          }),
      ),
    );
    this.children.length = 0;
  }
}

/** Packets counted by the guard rule whose text contains `fragment`. */
async function guardDrops(node: TestNodeNetns, chain: string, fragment: string): Promise<number> {
  const { stdout } = await node.exec(['nft', 'list', 'chain', 'ip', 'kijabi_guard_kjb0', chain]);
  const line = stdout.split('\n').find((l) => l.includes(fragment) && l.includes('counter'));
  assert.ok(line, `no counter rule containing ${fragment} in ${chain}:\n${stdout}`);
  return Number(/packets (\d+)/.exec(line)![1]);
}

async function nodeLinks(node: TestNodeNetns): Promise<string[]> {
  const { stdout } = await node.exec(['ip', '-j', 'link', 'show']);
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname);
}

describe('PodNetwork on one node (real ip/nft in a private node netns)', { skip }, () => {
  let node: TestNodeNetns;
  let stateDir: string;
  let options: PodNetworkOptions;
  let network: PodNetwork;
  const httpd = new HttpdSet();
  const uidA = randomUUID();
  const uidB = randomUUID();
  let ipA = '';
  let ipB = '';

  before(async () => {
    node = await createTestNodeNetns();
    stateDir = mkdtempSync(join(tmpdir(), 'kjb-net-'));
    options = {
      bridge: 'kjb0',
      podCidr: '10.42.0.0/24',
      clusterCidr: '10.42.0.0/16',
      serviceCidr: '10.43.0.0/16',
      stateDir: join(stateDir, 'network'),
      nodeNetns: node.name,
      log: silent,
    };
    network = new PodNetwork(options);
    await network.setupNode();
    await network.setupNode(); // idempotent
    const a = await network.setupPod(uidA, 'pod-a');
    const b = await network.setupPod(uidB, 'pod-b');
    ipA = a.ip;
    ipB = b.ip;
    await httpd.start(podNetnsName(uidA), stateDir, 'hello from a');
    await httpd.start(podNetnsName(uidB), stateDir, 'hello from b');
  });

  after(async () => {
    await httpd.stopAll();
    try {
      await network?.teardownNode();
    } finally {
      for (const uid of [uidA, uidB]) await removeNetns(podNetnsName(uid));
      await node?.remove();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('allocates the gateway .1 to the bridge and pods from .2', async () => {
    assert.deepEqual([ipA, ipB], ['10.42.0.2', '10.42.0.3']);
    const { stdout } = await node.exec(['ip', '-j', 'addr', 'show', 'dev', 'kjb0']);
    const addrs = (JSON.parse(stdout) as { addr_info: { local: string; prefixlen: number }[] }[])[0]!.addr_info;
    assert.ok(addrs.some((a) => a.local === '10.42.0.1' && a.prefixlen === 24));
    assert.equal((await node.exec(['sysctl', '-n', 'net.ipv4.ip_forward'])).stdout.trim(), '1');
  });

  test('pod A reaches pod B over the bridge', async () => {
    assert.equal(await wgetFrom(podNetnsName(uidA), `http://${ipB}:8080/`), 'hello from b');
  });

  test('the node reaches a pod', async () => {
    assert.equal(await wgetFrom(node.name, `http://${ipA}:8080/`), 'hello from a');
  });

  test('hairpin: a pod reaches itself via its own IP; the bridge port has hairpin on', async () => {
    assert.equal(await wgetFrom(podNetnsName(uidA), `http://${ipA}:8080/`), 'hello from a');
    const { stdout } = await node.exec(['ip', '-d', '-j', 'link', 'show', 'dev', hostVethName(uidA)]);
    const info = (JSON.parse(stdout) as { linkinfo: { info_slave_data: { hairpin: boolean } } }[])[0]!;
    assert.equal(info.linkinfo.info_slave_data.hairpin, true);
  });

  test('setupPod is idempotent and IPAM survives a new PodNetwork instance', async () => {
    const again = await network.setupPod(uidA, 'pod-a');
    assert.equal(again.ip, ipA);
    const restarted = new PodNetwork(options);
    assert.equal(restarted.podIp(uidA), ipA);
    assert.equal(restarted.podIp(uidB), ipB);
    const attached = await restarted.setupPod(uidB, 'pod-b');
    assert.deepEqual(attached, { netnsPath: `/var/run/netns/${podNetnsName(uidB)}`, ip: ipB, gateway: '10.42.0.1' });
    assert.equal(await wgetFrom(podNetnsName(uidA), `http://${ipB}:8080/`), 'hello from b');
  });

  test('an unowned cluster address hits the unreachable guard route and fails', async () => {
    const { stdout } = await node.exec(['ip', 'route', 'get', '10.42.200.5']).catch((error: Error) => ({ stdout: error.message }));
    assert.match(stdout, /unreachable|No route to host/);
    const elapsed = await wgetFails(podNetnsName(uidA), 'http://10.42.200.5:8080/');
    assert.ok(elapsed < 2500, `took ${elapsed} ms`);
  });

  test('hostPort maps a node address port to the pod', async () => {
    await network.setPodHostPorts(uidB, [{ protocol: 'TCP', hostPort: 18080, containerPort: 8080 }]);
    assert.equal(await wgetFrom(node.name, 'http://10.42.0.1:18080/'), 'hello from b');
    // hairpin through the hostPort: pod B to its own mapping
    assert.equal(await wgetFrom(podNetnsName(uidB), 'http://10.42.0.1:18080/'), 'hello from b');
    await network.setPodHostPorts(uidB, []);
    await wgetFails(node.name, 'http://10.42.0.1:18080/');
  });

  test('a failing setupPod reports the command and stderr and leaves no veth behind', async () => {
    const broken = new PodNetwork({ ...options, bridge: 'kjb9', podCidr: '10.42.9.0/24', stateDir: join(stateDir, 'broken') });
    const uid = randomUUID();
    try {
      await assert.rejects(broken.setupPod(uid, 'broken'), (error: Error) => {
        assert.equal(error.name, 'NetworkCommandError');
        // Through the launcher's netlink (the usual path): the bridge lookup is what fails.
        assert.match(error.message, /^netlink \(pod netns kjb-[0-9a-f-]+\): link show kjb9: netlink message 0: No such device/);
        return true;
      });
      assert.ok(!(await nodeLinks(node)).includes(hostVethName(uid)));
    } finally {
      await broken.teardownPod(uid);
    }
    assert.ok(!(await listNetns()).includes(podNetnsName(uid)));
  });

  test('the egress variant of the guard table is valid nft (checked, not applied)', async () => {
    const ruleset = renderGuardTable({ bridge: 'kjb0', podCidr: '10.42.0.0/24', clusterDestinations: ['10.42.0.0/16'], remotePodCidrs: ['10.42.9.0/24'], egress: true });
    await runCommand(['ip', 'netns', 'exec', node.name, 'nft', '-c', '-f', '-'], ruleset);
  });

  test('without the launcher (direct mode) pods are wired with ip, the same way', async () => {
    const uid = randomUUID();
    process.env.KIJABI_HELPER_LAUNCHER = 'direct';
    try {
      const attachment = await network.setupPod(uid, 'direct');
      const netns = podNetnsName(uid);
      const pod = JSON.parse((await runCommand(['ip', '-n', netns, '-j', 'addr', 'show', 'dev', 'eth0'])).stdout)[0];
      assert.ok(pod.addr_info.some((a: { local: string }) => a.local === attachment.ip));
      assert.match((await runCommand(['ip', '-n', netns, 'route', 'show', 'default'])).stdout, new RegExp(`default via ${attachment.gateway.replace(/\./g, '\\.')} dev eth0`));
      const host = JSON.parse((await runCommand(['ip', '-n', node.name, '-j', '-d', 'link', 'show', hostVethName(uid)])).stdout)[0];
      assert.equal(host.master, options.bridge);
      assert.equal(host.linkinfo.info_slave_data.hairpin, true);
    } finally {
      delete process.env.KIJABI_HELPER_LAUNCHER;
      await network.teardownPod(uid);
    }
    assert.ok(!(await listNetns()).includes(podNetnsName(uid)));
  });

  test('teardown removes veths, netns, bridge and nft tables and is idempotent', async () => {
    await httpd.stopAll();
    await network.teardownPod(uidA);
    await network.teardownPod(uidA);
    assert.equal(network.podIp(uidA), undefined);
    assert.ok(!(await nodeLinks(node)).includes(hostVethName(uidA)));
    assert.ok(!(await listNetns()).includes(podNetnsName(uidA)));
    await network.teardownNode();
    await network.teardownNode();
    const links = await nodeLinks(node);
    assert.deepEqual(links.filter((l) => l.startsWith('kj')), []);
    assert.ok(!(await listNetns()).includes(podNetnsName(uidB)));
    assert.equal((await node.exec(['nft', 'list', 'tables'])).stdout.trim(), '');
    const routes = (await node.exec(['ip', 'route', 'show', 'table', 'all', 'type', 'unreachable'])).stdout;
    assert.equal(routes.trim(), '');
  });
});

describe('PodNetwork across two nodes (two node netns joined by a veth)', { skip }, () => {
  let node1: TestNodeNetns;
  let node2: TestNodeNetns;
  let stateDir: string;
  let net1: PodNetwork;
  let net2: PodNetwork;
  const httpd = new HttpdSet();
  const uid1 = randomUUID();
  const uid2 = randomUUID();
  let ip2 = '';

  before(async () => {
    node1 = await createTestNodeNetns();
    node2 = await createTestNodeNetns();
    stateDir = mkdtempSync(join(tmpdir(), 'kjb-net2-'));
    // The "physical" link between the nodes, created directly inside the two namespaces.
    await runCommand(['ip', '-n', node1.name, 'link', 'add', 'kjlink', 'type', 'veth', 'peer', 'name', 'kjlink', 'netns', node2.name]);
    await node1.exec(['ip', 'addr', 'add', '10.255.0.1/30', 'dev', 'kjlink']);
    await node2.exec(['ip', 'addr', 'add', '10.255.0.2/30', 'dev', 'kjlink']);
    await node1.exec(['ip', 'link', 'set', 'kjlink', 'up']);
    await node2.exec(['ip', 'link', 'set', 'kjlink', 'up']);
    const common = { bridge: 'kjb0', clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', log: silent };
    net1 = new PodNetwork({ ...common, podCidr: '10.42.1.0/24', stateDir: join(stateDir, 'n1'), nodeNetns: node1.name });
    net2 = new PodNetwork({ ...common, podCidr: '10.42.2.0/24', stateDir: join(stateDir, 'n2'), nodeNetns: node2.name });
    await net1.setupNode();
    await net2.setupNode();
    await net1.setupPod(uid1, 'client');
    ip2 = (await net2.setupPod(uid2, 'server')).ip;
    await httpd.start(podNetnsName(uid2), stateDir, 'hello from node 2');
    // Node 1 gets a default route towards node 2, so only the guard stops pod egress.
    await node1.exec(['ip', 'route', 'add', 'default', 'via', '10.255.0.2']);
  });

  after(async () => {
    await httpd.stopAll();
    try {
      await net1?.teardownNode();
      await net2?.teardownNode();
    } finally {
      for (const uid of [uid1, uid2]) await removeNetns(podNetnsName(uid));
      await node1?.remove();
      await node2?.remove();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('without node routes the other node is unreachable', async () => {
    await wgetFails(podNetnsName(uid1), `http://${ip2}:8080/`);
  });

  test('a pod on node 1 reaches a pod on node 2 via addNodeRoute', async () => {
    await net1.addNodeRoute('10.42.2.0/24', '10.255.0.2');
    await net2.addNodeRoute('10.42.1.0/24', '10.255.0.1');
    assert.equal(await wgetFrom(podNetnsName(uid1), `http://${ip2}:8080/`), 'hello from node 2');
    assert.equal(await wgetFrom(node1.name, `http://${ip2}:8080/`), 'hello from node 2');
    assert.deepEqual(net1.nodeRoutes(), { '10.42.2.0/24': '10.255.0.2' });
  });

  test('the forward guard drops pod traffic to an address outside the cluster', async () => {
    const rule = 'iifname "kjb0" oifname != "kjb0" counter';
    const before = await guardDrops(node1, 'guard_forward', rule);
    await wgetFails(podNetnsName(uid1), 'http://10.99.99.99/');
    assert.ok((await guardDrops(node1, 'guard_forward', rule)) > before, 'guard_forward counted no drop');
  });

  test('the output guard drops cluster addresses not routed via the bridge or a node route', async () => {
    await node1.exec(['ip', 'route', 'add', '10.42.77.0/24', 'via', '10.255.0.2']); // a stray route
    try {
      const before = await guardDrops(node1, 'guard_postrouting', '@cluster_dst counter');
      await wgetFails(node1.name, 'http://10.42.77.7:8080/');
      assert.ok((await guardDrops(node1, 'guard_postrouting', '@cluster_dst counter')) > before);
    } finally {
      await node1.exec(['ip', 'route', 'del', '10.42.77.0/24', 'via', '10.255.0.2']);
    }
  });

  test('removeNodeRoute cuts the path again', async () => {
    await net1.removeNodeRoute('10.42.2.0/24');
    await net1.removeNodeRoute('10.42.2.0/24');
    assert.deepEqual(net1.nodeRoutes(), {});
    await wgetFails(podNetnsName(uid1), `http://${ip2}:8080/`);
  });
});
