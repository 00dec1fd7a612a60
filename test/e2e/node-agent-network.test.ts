// Pod networking end to end: pods talking over HTTP on their pod IPs, `kubectl cp` in and out of a
// pod, and a second node (a standalone `kijabi agent` in its own node netns) whose pod is reached
// from a pod on the first node. Everything runs inside network namespaces this file creates and
// removes (also when a step fails); traffic only goes to addresses those namespaces hold.
//
// Both agents run in the test's own (host) network namespace; only their bridges and pods live in
// their node netns (--node-netns). Each agent advertises its end of the node-to-node link as its
// InternalIP (--node-ip; the other agent routes its pod CIDR there) and serves logs/exec on
// 127.0.0.1 (the --kubelet-listen-address default with --node-netns), which it lists as an extra,
// first InternalIP so the API server on this host reaches it. So no nsenter and no relays: the
// second agent reaches the API server and the registry on 127.0.0.1 directly.
//
// (port-forward to httpd is covered by node-agent.test.ts.)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueServingCert } from '../../src/apiserver/auth/certs.js';
import { runCommand } from '../../src/node-agent/network/exec.js';
import { eventually, KIJABI_BIN } from '../support/cluster.js';
import { createTestNodeNetns, randomHex, type TestNodeNetns } from '../support/netns.js';
import { forceCleanAgentDir, nodeClusterSkipReason, startNodeCluster, type NodeCluster } from '../support/node-cluster.js';

const skip = nodeClusterSkipReason();

type Json = Record<string, any>;

// The in-process agent of startNodeCluster: bridge kjb0, pod CIDR <cluster CIDR base>/24.
const NODE1_POD_CIDR = '10.42.0.0/24';
const NODE2_POD_CIDR = '10.42.1.0/24';
// The node-to-node link: a /30 that only exists inside the two node namespaces.
const LINK_NODE1_IP = '10.254.0.1';
const LINK_NODE2_IP = '10.254.0.2';

function podJson(name: string, image: string, spec: Json): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, ...spec, containers: spec.containers.map((c: Json) => ({ image, ...c })) } });
}

/** httpd on :8080 serving an index.html that names the pod (written by the container itself). */
function httpdPod(name: string, image: string, extra: Json = {}): string {
  return podJson(name, image, { ...extra, containers: [{ name: 'web', command: ['sh', '-c', `echo "page from ${name}" > /www/index.html && exec httpd -f -p 8080 -h /www`] }] });
}

/** Adds the logs as they are when the wait fails (not when it starts) to its error. */
async function withLogs<T>(wait: Promise<T>, logs: () => string): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${logs()}`);
  }
}

/** SIGTERM by PID, SIGKILL after 10 s. */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('pod networking end to end', { skip }, () => {
  let cluster: NodeCluster;

  before(async () => {
    // node-1 advertises its end of the node-to-node link (created below) as its InternalIP.
    cluster = await startNodeCluster({ crashBackoffMs: 1000, nodeIp: LINK_NODE1_IP });
  });

  after(async () => {
    await cluster?.stop();
  });

  const apply = async (json: string): Promise<void> => {
    const result = await cluster.kubectl(['apply', '-f', '-'], { input: json });
    assert.equal(result.code, 0, result.stderr);
  };
  const pod = (name: string): Promise<Json> => cluster.getJson<Json>(['pod', name]);
  const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> =>
    withLogs(eventually(fn, { timeoutMs, intervalMs: 300, message: what }), () => `--- server log tail ---\n${cluster.logs().slice(-3000)}`);
  const runningIp = (name: string): Promise<string> =>
    waitFor(`${name} Running with a pod IP`, async () => {
      const p = await pod(name);
      return p.status?.phase === 'Running' && p.status.podIP ? (p.status.podIP as string) : undefined;
    });

  test('a pod fetches a page over HTTP from another pod by pod IP', async () => {
    await apply(httpdPod('web-a', cluster.busybox));
    const ip = await runningIp('web-a');
    assert.match(ip, /^10\.42\.0\.\d+$/);
    // httpd may still be starting when the pod turns Running: retry inside the client pod.
    const fetch = `for i in $(seq 1 20); do timeout 5 wget -qO- http://${ip}:8080/ && exit 0; sleep 0.5; done; exit 1`;
    await apply(podJson('client-b', cluster.busybox, { restartPolicy: 'Never', containers: [{ name: 'get', command: ['sh', '-c', fetch] }] }));
    const phase = await waitFor('client-b finished', async () => {
      const p = await pod('client-b');
      return ['Succeeded', 'Failed'].includes(p.status?.phase) ? (p.status.phase as string) : undefined;
    });
    const logs = await cluster.kubectl(['logs', 'client-b']);
    assert.equal(phase, 'Succeeded', `client-b failed; logs: ${logs.stdout}${logs.stderr}`);
    assert.equal(logs.stdout, 'page from web-a\n');
    // The same request through exec, from a pod that is still running.
    const viaExec = await cluster.kubectl(['exec', 'web-a', '--', 'sh', '-c', `timeout 5 wget -qO- http://${ip}:8080/`]);
    assert.equal(viaExec.code, 0, viaExec.stderr);
    assert.equal(viaExec.stdout, 'page from web-a\n');
  });

  test('kubectl cp copies a file into a pod and back out unchanged', async () => {
    await runningIp('web-a');
    const dir = mkdtempSync(join(tmpdir(), 'kjb-cp-'));
    try {
      const original = join(dir, 'payload.bin');
      const content = Buffer.concat([Buffer.from('text line\n'), randomBytes(300 * 1024)]);
      writeFileSync(original, content);
      const into = await cluster.kubectl(['cp', original, 'web-a:/tmp/payload.bin']);
      assert.equal(into.code, 0, into.stderr);
      const size = await cluster.kubectl(['exec', 'web-a', '--', 'wc', '-c', '/tmp/payload.bin']);
      assert.equal(size.stdout.trim().split(/\s+/)[0], String(content.length));
      const back = join(dir, 'back.bin');
      const out = await cluster.kubectl(['cp', 'web-a:/tmp/payload.bin', back]);
      assert.equal(out.code, 0, out.stderr);
      assert.ok(readFileSync(back).equals(content), 'the file copied back differs from the original');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a second node', () => {
    let netns2: TestNodeNetns | undefined;
    let linkName = '';
    let agentDir2 = '';
    let workDir = '';
    let agent: ChildProcess | undefined;
    let agentOutput = '';

    before(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'kjb-n2-'));
      agentDir2 = join(workDir, 'data', 'agent');
      netns2 = await createTestNodeNetns();
      // veth between the two node namespaces; names never appear in the host namespace.
      linkName = `kjbl${randomHex(3)}`;
      await runCommand(['ip', '-n', cluster.netns.name, 'link', 'add', linkName, 'type', 'veth', 'peer', 'name', linkName, 'netns', netns2.name]);
      await runCommand(['ip', '-n', cluster.netns.name, 'addr', 'add', `${LINK_NODE1_IP}/30`, 'dev', linkName]);
      await runCommand(['ip', '-n', netns2.name, 'addr', 'add', `${LINK_NODE2_IP}/30`, 'dev', linkName]);
      await runCommand(['ip', '-n', cluster.netns.name, 'link', 'set', linkName, 'up']);
      await runCommand(['ip', '-n', netns2.name, 'link', 'set', linkName, 'up']);

      const serving = await issueServingCert(join(cluster.dataDir, 'server', 'tls'), [LINK_NODE2_IP, '127.0.0.1', 'localhost'], 'system:node:node-2');
      writeFileSync(join(workDir, 'node-2.crt'), serving.certPem);
      writeFileSync(join(workDir, 'node-2.key'), serving.keyPem, { mode: 0o600 });
      const args = [
        KIJABI_BIN, 'agent',
        '--server', `https://127.0.0.1:${cluster.port}`, '--token', cluster.token,
        '--ca-file', join(cluster.dataDir, 'server', 'tls', 'server-ca.crt'),
        '--data-dir', join(workDir, 'data'), '--node-name', 'node-2', '--node-ip', LINK_NODE2_IP,
        '--node-netns', netns2.name, '--pod-cidr', NODE2_POD_CIDR, '--streaming-port', '0',
        '--tls-cert-file', join(workDir, 'node-2.crt'), '--tls-key-file', join(workDir, 'node-2.key'), '--crash-backoff', '1000,4000',
      ];
      agent = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KIJABI_LOG_LEVEL: process.env.KIJABI_LOG_LEVEL ?? 'warn' } });
      agent.stdout!.on('data', (d: Buffer) => (agentOutput += d.toString()));
      agent.stderr!.on('data', (d: Buffer) => (agentOutput += d.toString()));
    });

    after(async () => {
      // Pods on node-2 first, while its agent can still tear them down.
      if (agent && agent.exitCode === null) {
        await cluster.kubectl(['delete', 'pods', '--field-selector', 'spec.nodeName=node-2', '--grace-period=1', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
      }
      await stopChild(agent);
      await cluster.kubectl(['delete', 'pods', '--field-selector', 'spec.nodeName=node-2', '--grace-period=0', '--force', '--wait=false']).catch(() => undefined);
      if (agentDir2) await forceCleanAgentDir(agentDir2).catch(() => undefined);
      // Removing node-2's namespace also removes the veth pair (both ends).
      await netns2?.remove().catch(() => undefined);
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    const waitNode2 = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> =>
      withLogs(eventually(fn, { timeoutMs, intervalMs: 300, message: what }), () => `--- node-2 agent log tail ---\n${agentOutput.slice(-3000)}\n--- server log tail ---\n${cluster.logs().slice(-2000)}`);

    test('node-2 registers and becomes Ready with its pod CIDR and link address', async () => {
      const node = await waitNode2('node-2 Ready', async () => {
        const n = await cluster.getJson<Json>(['node', 'node-2']).catch(() => undefined);
        return n?.status?.conditions?.find((c: Json) => c.type === 'Ready')?.status === 'True' ? n : undefined;
      });
      assert.equal(node.spec.podCIDR, NODE2_POD_CIDR);
      assert.ok(node.status.addresses.some((a: Json) => a.type === 'InternalIP' && a.address === LINK_NODE2_IP), JSON.stringify(node.status.addresses));
    });

    test('each node routes the other node\'s pod CIDR by itself', async () => {
      await waitNode2('node-1 routes node-2\'s pod CIDR', async () => {
        const { stdout } = await runCommand(['ip', '-n', cluster.netns.name, 'route', 'show', NODE2_POD_CIDR]);
        return stdout.includes(`via ${LINK_NODE2_IP}`) || undefined;
      }, 15_000);
      await waitNode2('node-2 routes node-1\'s pod CIDR', async () => {
        const { stdout } = await runCommand(['ip', '-n', netns2!.name, 'route', 'show', NODE1_POD_CIDR]);
        return stdout.includes(`via ${LINK_NODE1_IP}`) || undefined;
      }, 15_000);
    });

    test('a pod on node-1 reaches a pod on node-2 by pod IP', async () => {
      await apply(httpdPod('web-n2', cluster.busybox, { nodeName: 'node-2' }));
      const p2 = await waitNode2('web-n2 Running on node-2', async () => {
        const p = await pod('web-n2');
        return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
      }, 90_000);
      const ip: string = p2.status.podIP;
      assert.match(ip, /^10\.42\.1\.\d+$/);

      await runningIp('web-a');
      const r = await cluster.kubectl(['exec', 'web-a', '--', 'sh', '-c', `for i in $(seq 1 20); do timeout 5 wget -qO- http://${ip}:8080/ && exit 0; sleep 0.5; done; exit 1`]);
      assert.equal(r.code, 0, `${r.stderr}\n--- node-2 agent log tail ---\n${agentOutput.slice(-2000)}`);
      assert.equal(r.stdout, 'page from web-n2\n');
    });

    test('the API server reaches node-2\'s agent for logs and exec', async () => {
      const logs = await cluster.kubectl(['exec', 'web-n2', '--', 'cat', '/www/index.html']);
      assert.equal(logs.code, 0, `${logs.stderr}\n--- node-2 agent log tail ---\n${agentOutput.slice(-2000)}`);
      assert.equal(logs.stdout, 'page from web-n2\n');
    });
  });
});
