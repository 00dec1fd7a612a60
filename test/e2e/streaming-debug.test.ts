// kubectl logs/exec/cp/port-forward end to end: the real server and the real kubectl, with a
// StreamingServer in this process standing in for a node agent. Its fake backend runs commands as
// local processes (pod paths mapped into a temp dir) and forwards ports to a local HTTP server.
// The agent's serving certificate is signed with the cluster CA from the data dir, so the API
// server verifies it exactly as it would a real agent's.

import 'reflect-metadata';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { webcrypto, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, get as httpGet, type Server } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as x509 from '@peculiar/x509';
import { startCluster, freePort, KUBECTL, type TestCluster } from '../support/cluster.js';
import { StreamingServer } from '../../src/node-agent/streaming/streaming-server.js';
import type { ExecProcess, StreamingBackend } from '../../src/node-agent/streaming/backend.js';
import { backendError } from '../../src/node-agent/streaming/backend.js';

x509.cryptoProvider.set(webcrypto as never);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A serving certificate for 127.0.0.1 signed by the cluster CA stored in the data dir. */
async function agentCertificate(dataDir: string): Promise<{ certPem: string; keyPem: string }> {
  const tlsDir = join(dataDir, 'server', 'tls');
  const caCert = new x509.X509Certificate(readFileSync(join(tlsDir, 'server-ca.crt'), 'utf8'));
  const caKeyDer = x509.PemConverter.decode(readFileSync(join(tlsDir, 'server-ca.key'), 'utf8'))[0];
  const caKey = await webcrypto.subtle.importKey('pkcs8', caKeyDer, ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8).toString('hex').replace(/^./, '1'),
    subject: 'CN=system:node:node-1',
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const keyDer = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(keyDer, 'PRIVATE KEY') };
}

/** Maps the argv of a "container" command onto a local root dir (absolute paths live under it). */
function mapCommand(root: string, command: string[]): string[] {
  const [bin, ...args] = command;
  if (bin === 'tar' && (args[0] === 'cf' || args[0] === '-cf')) {
    // tar cf - /a/b: archive relative to the root so entry names stay a/b.
    return [bin, args[0], args[1], '-C', root, ...args.slice(2).map((a) => (a.startsWith('/') ? a.slice(1) : a))];
  }
  return [bin, ...args.map((a) => (a.startsWith('/') ? join(root, a) : a))];
}

function localProcess(root: string, command: string[], stdin: boolean): ExecProcess {
  const [bin, ...args] = mapCommand(root, command);
  const child = spawn(bin, args, { cwd: root, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  return { stdin: child.stdin ?? undefined, stdout: child.stdout!, stderr: child.stderr!, resize: () => undefined, exited };
}

function fakeBackend(root: string, logLines: string[]): StreamingBackend {
  const checkPod = (ns: string, pod: string) => {
    if (ns !== 'default' || pod !== 'p') throw backendError('NotFound', `pod ${ns}/${pod} is not on this node`);
  };
  return {
    async logs(ns, pod, _container, options) {
      checkPod(ns, pod);
      const lines = options.tailLines !== undefined ? logLines.slice(-options.tailLines) : logLines;
      return Readable.from(lines.map((l) => `${l}\n`));
    },
    async exec(ns, pod, _container, command, options) {
      checkPod(ns, pod);
      return localProcess(root, command, options.stdin);
    },
    async attach(ns, pod, _container, options) {
      checkPod(ns, pod);
      return localProcess(root, ['cat'], options.stdin);
    },
    portForward(ns, pod, port) {
      checkPod(ns, pod);
      return new Promise((resolve, reject) => {
        const socket = netConnect(port, '127.0.0.1');
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    },
  };
}

function httpText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).once('error', reject);
  });
}

/** kubectl with extra environment (to switch its transports); never throws on a non-zero exit. */
function kubectlEnv(cluster: TestCluster, args: string[], env: Record<string, string>, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(KUBECTL, ['--kubeconfig', cluster.kubeconfig, ...args], { env: { ...process.env, HOME: cluster.dataDir, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const SPDY_ONLY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };

describe('kubectl streaming through the API server to a node agent', { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let agent: StreamingServer;
  let web: Server;
  let webPort: number;
  let root: string;
  let requests = 0;

  before(async () => {
    cluster = await startCluster({ extraArgs: ['--disable-controllers', '--disable-scheduler'] });
    root = mkdtempSync(join(tmpdir(), 'kijabi-pod-root-'));
    mkdirSync(join(root, 'tmp'));
    web = createHttpServer((_req, res) => {
      requests++;
      res.end(`hello from the pod #${requests}`);
    });
    webPort = await new Promise<number>((resolve) => web.listen(0, '127.0.0.1', () => resolve((web.address() as { port: number }).port)));
    agent = new StreamingServer({
      backend: fakeBackend(root, ['line one', 'line two', 'line three']),
      tls: await agentCertificate(cluster.dataDir),
      authenticate: (authorization) => authorization === `Bearer ${cluster.token}`,
    });
    const agentPort = await agent.listen(0, '127.0.0.1');

    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox' }] } };
    for (const obj of [node, pod]) {
      const created = await cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });
      assert.equal(created.code, 0, created.stderr);
    }
    const nodeStatus = { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: agentPort } } } };
    const patchedNode = await cluster.kubectl(['patch', 'node', 'node-1', '--subresource=status', '--type=merge', '-p', JSON.stringify(nodeStatus)]);
    assert.equal(patchedNode.code, 0, patchedNode.stderr);
    const patchedPod = await cluster.kubectl(['patch', 'pod', 'p', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running' } })]);
    assert.equal(patchedPod.code, 0, patchedPod.stderr);
  });

  after(async () => {
    await agent?.close();
    await new Promise((r) => (web ? web.close(r) : r(undefined)));
    await cluster?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('logs, with --tail and -f (follow ends when the agent ends the stream)', async () => {
    const cases: { args: string[]; want: string }[] = [
      { args: ['logs', 'p'], want: 'line one\nline two\nline three\n' },
      { args: ['logs', 'p', '--tail=1'], want: 'line three\n' },
      { args: ['logs', '-f', 'p', '-c', 'main'], want: 'line one\nline two\nline three\n' },
    ];
    for (const c of cases) {
      const result = await cluster.kubectl(c.args);
      assert.equal(result.code, 0, `${c.args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, c.want);
    }
    const wrong = await cluster.kubectl(['logs', 'p', '-c', 'nope']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /container nope is not valid for pod p/);
  });

  test('exec: output, exit codes and stdin', async () => {
    const hello = await cluster.kubectl(['exec', 'p', '--', 'echo', 'hello']);
    assert.equal(hello.code, 0, hello.stderr);
    assert.equal(hello.stdout, 'hello\n');

    const failing = await cluster.kubectl(['exec', 'p', '--', 'sh', '-c', 'echo oops >&2; exit 3']);
    assert.equal(failing.code, 3);
    assert.match(failing.stderr, /oops/);
    assert.match(failing.stderr, /command terminated with exit code 3/);

    const echoed = await cluster.kubectl(['exec', '-i', 'p', '--', 'cat'], { input: 'from stdin\nsecond line\n' });
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.equal(echoed.stdout, 'from stdin\nsecond line\n');
  });

  test('exec over the SPDY/3.1 fallback', async () => {
    const hello = await kubectlEnv(cluster, ['-v=8', 'exec', 'p', '--', 'echo', 'hello'], SPDY_ONLY); console.error(hello.stderr.slice(-3000));
    assert.equal(hello.code, 0, hello.stderr);
    assert.equal(hello.stdout, 'hello\n');
    const failing = await kubectlEnv(cluster, ['exec', 'p', '--', 'sh', '-c', 'exit 4'], SPDY_ONLY);
    assert.equal(failing.code, 4, failing.stderr);
    assert.match(failing.stderr, /command terminated with exit code 4/);
    const echoed = await kubectlEnv(cluster, ['exec', '-i', 'p', '--', 'cat'], SPDY_ONLY, 'spdy stdin\n');
    assert.equal(echoed.code, 0, echoed.stderr);
    assert.equal(echoed.stdout, 'spdy stdin\n');
  });

  test('exec errors before the upgrade', async () => {
    const cases: { args: string[]; want: RegExp }[] = [
      { args: ['exec', 'missing', '--', 'true'], want: /pods "missing" not found/ },
      { args: ['exec', 'p', '-c', 'nope', '--', 'true'], want: /container nope is not valid for pod p/ },
    ];
    for (const c of cases) {
      const result = await cluster.kubectl(c.args);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, c.want);
    }
  });

  test('cp into and out of the pod', async () => {
    const local = mkdtempSync(join(tmpdir(), 'kijabi-cp-'));
    try {
      const content = `some content ${randomBytes(4).toString('hex')}\n`;
      writeFileSync(join(local, 'in.txt'), content);
      const upload = await cluster.kubectl(['cp', join(local, 'in.txt'), 'p:/tmp/in.txt']);
      assert.equal(upload.code, 0, upload.stderr);
      assert.equal(readFileSync(join(root, 'tmp', 'in.txt'), 'utf8'), content);

      const download = await cluster.kubectl(['cp', 'p:/tmp/in.txt', join(local, 'out.txt')]);
      assert.equal(download.code, 0, download.stderr);
      assert.equal(readFileSync(join(local, 'out.txt'), 'utf8'), content);
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  for (const transport of ['websocket', 'spdy'] as const) {
  test(`port-forward serves sequential connections (${transport})`, async () => {
    const localPort = await freePort();
    const child: ChildProcess = spawn(KUBECTL, ['--kubeconfig', cluster.kubeconfig, 'port-forward', 'pod/p', `${localPort}:${webPort}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: cluster.dataDir, ...(transport === 'spdy' ? SPDY_ONLY : {}) },
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`port-forward did not start: ${output}`)), 20_000);
        const onData = (d: Buffer) => {
          output += d.toString();
          if (output.includes(`Forwarding from 127.0.0.1:${localPort}`)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', () => reject(new Error(`port-forward exited: ${output}`)));
      });
      const before = requests;
      assert.equal(await httpText(localPort), `hello from the pod #${before + 1}`);
      assert.equal(await httpText(localPort), `hello from the pod #${before + 2}`);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
    assert.doesNotMatch(output, /error/i, output);
  });
  }
});
