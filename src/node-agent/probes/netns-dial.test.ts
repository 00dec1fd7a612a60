// The probe handlers through a dialer into a network namespace the test makes (lo only), with
// busybox httpd listening inside it: what a node started with --node-netns does.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestNodeNetns, networkTestSkipReason, type TestNodeNetns } from '../../../test/support/netns.js';
import { ensureTls } from '../../apiserver/auth/certs.js';
import { httpGetHandler, tcpSocketHandler, type ProbeTarget } from './handlers.js';
import { dialError, netnsDialer } from './netns-dial.js';

test('nc errors read as the errno a socket would have failed with', () => {
  assert.equal(dialError('nc: can\'t connect to remote host (10.42.0.9): Connection refused\n').code, 'ECONNREFUSED');
  assert.equal(dialError('nc: can\'t connect to remote host (10.99.0.1): Network is unreachable').code, 'ENETUNREACH');
  assert.equal(dialError('nc: can\'t connect to remote host (10.42.0.9): No route to host').code, 'EHOSTUNREACH');
  assert.equal(dialError('nc: timed out').code, 'ETIMEDOUT');
  assert.equal(dialError('').message, 'connection failed');
});

describe('probes through a dialer into another network namespace', { skip: networkTestSkipReason() }, () => {
  let netns: TestNodeNetns;
  let httpd: ChildProcess;
  let httpsd: ChildProcess;
  let www: string;
  let target: ProbeTarget;
  const PORT = 8080;
  const TLS_PORT = 8443;

  before(async () => {
    netns = await createTestNodeNetns();
    www = mkdtempSync(join(tmpdir(), 'kjb-dial-'));
    writeFileSync(join(www, 'healthz'), 'ok\n');
    // Only inside the namespace: the same address and port in the test's own namespace have nothing.
    httpd = spawn('ip', ['netns', 'exec', netns.name, 'busybox', 'httpd', '-f', '-p', `127.0.0.1:${PORT}`, '-h', www], { stdio: 'ignore' });
    const tls = await ensureTls(join(www, 'tls'), ['127.0.0.1']);
    const server = `require('node:https').createServer({ key: process.env.KEY, cert: process.env.CERT }, (req, res) => res.end(req.url === '/healthz' ? 'secure' : '')).listen(${TLS_PORT}, '127.0.0.1')`;
    httpsd = spawn('ip', ['netns', 'exec', netns.name, process.execPath, '-e', server], { stdio: 'ignore', env: { ...process.env, KEY: tls.keyPem, CERT: tls.certPem } });
    target = { podIp: '127.0.0.1', exec: async () => ({ exitCode: 0, output: '' }), dial: netnsDialer(`/run/netns/${netns.name}`) };
    for (const port of [PORT, TLS_PORT]) for (let i = 0; i < 100 && !(await tcpSocketHandler({ port }, target, 1000)).ok; i++) await new Promise((r) => setTimeout(r, 50));
  });

  after(async () => {
    httpd?.kill('SIGKILL');
    httpsd?.kill('SIGKILL');
    await netns?.remove();
    rmSync(www, { recursive: true, force: true });
  });

  test('httpGet reaches the server in the namespace, with its status code', async () => {
    assert.deepEqual(await httpGetHandler({ path: '/healthz', port: PORT }, target, 2000), { ok: true, output: 'ok\n' });
    assert.deepEqual(await httpGetHandler({ path: '/missing', port: PORT }, target, 2000), { ok: false, output: 'HTTP probe failed with statuscode: 404' });
  });

  test('an HTTPS probe speaks TLS over the same stream (the certificate is not checked, as the kubelet)', async () => {
    assert.deepEqual(await httpGetHandler({ scheme: 'HTTPS', path: '/healthz', port: TLS_PORT }, target, 3000), { ok: true, output: 'secure' });
  });

  test('a refused connection is worded as the kubelet words it', async () => {
    assert.deepEqual(await tcpSocketHandler({ port: PORT + 1 }, target, 2000), { ok: false, output: `dial tcp 127.0.0.1:${PORT + 1}: connect: connection refused` });
    assert.deepEqual(await httpGetHandler({ path: '/', port: PORT + 1 }, target, 2000), { ok: false, output: `Get "http://127.0.0.1:${PORT + 1}/": dial tcp 127.0.0.1:${PORT + 1}: connect: connection refused` });
  });

  test('a stream to a closed port fails with nc\'s reason (what port-forward reports), not a plain end', async () => {
    const stream = netnsDialer(`/run/netns/${netns.name}`).stream('127.0.0.1', PORT + 1, 2000);
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      stream.once('error', resolve);
      stream.resume();
    });
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.message, "can't connect to remote host (127.0.0.1): Connection refused");
  });

  test('tcpSocket succeeds on the open port; an address with no route fails without leaving the namespace', async () => {
    assert.deepEqual(await tcpSocketHandler({ port: PORT }, target, 2000), { ok: true, output: '' });
    // The namespace has only lo: 10.42.0.9 has no route there (the test's own namespace might route it).
    assert.deepEqual(await tcpSocketHandler({ port: PORT }, { ...target, podIp: '10.42.0.9' }, 2000), { ok: false, output: `dial tcp 10.42.0.9:${PORT}: connect: network is unreachable` });
  });
});
