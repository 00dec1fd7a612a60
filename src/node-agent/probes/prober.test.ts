import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { resolvePort } from './handlers.js';
import { runHandler, runProbe } from './prober.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const noExec = async () => ({ exitCode: 0, output: '' });

test('httpGet probe against a local server', async (t) => {
  let seen: IncomingHttpHeaders = {};
  const server = createHttpServer((req, res) => {
    seen = req.headers;
    const code = Number(new URL(req.url!, 'http://x').searchParams.get('code') ?? 200);
    if (req.url!.startsWith('/slow')) return; // never answers
    res.writeHead(code).end(`code ${code}`);
  });
  const port = await listen(server);
  t.after(() => { server.closeAllConnections(); server.close(); });
  const target = { podIp: '127.0.0.1', exec: noExec, container: { name: 'c', ports: [{ name: 'http', containerPort: port }] } };

  const cases: [Record<string, unknown>, boolean, string][] = [
    [{ port, path: '/healthz' }, true, 'code 200'],
    [{ port: 'http', path: '/?code=302' }, true, 'code 302'],
    [{ port: String(port), path: '?code=399' }, true, 'code 399'],
    [{ port, path: '/?code=400' }, false, 'HTTP probe failed with statuscode: 400'],
    [{ port, path: '/?code=500' }, false, 'HTTP probe failed with statuscode: 500'],
    [{ port: 'nope' }, false, "couldn't find port: nope in container c"],
  ];
  for (const [httpGet, ok, output] of cases) {
    assert.deepEqual(await runProbe({ httpGet }, target, 1_000), { ok, output }, JSON.stringify(httpGet));
  }
  await runProbe({ httpGet: { port, host: '127.0.0.1', httpHeaders: [{ name: 'X-Test', value: 'yes' }, { name: 'user-agent', value: 'mine' }] } }, { ...target, podIp: '192.0.2.1' }, 1_000);
  assert.equal(seen['x-test'], 'yes');
  assert.equal(seen['user-agent'], 'mine');
  await runProbe({ httpGet: { port } }, target, 1_000);
  assert.equal(seen['user-agent'], 'kube-probe/1.32');

  const slow = await runProbe({ httpGet: { port, path: '/slow' } }, target, 100);
  assert.equal(slow.ok, false);
  assert.match(slow.output, /context deadline exceeded/);
});

test('tcpSocket probe: open and closed ports', async (t) => {
  const server = createTcpServer((socket) => socket.end());
  const port = await listen(server);
  const closed = createTcpServer();
  const closedPort = await listen(closed);
  await new Promise<void>((r) => closed.close(() => r()));
  t.after(() => server.close());
  const target = { podIp: '127.0.0.1', exec: noExec };
  assert.deepEqual(await runProbe({ tcpSocket: { port } }, target, 1_000), { ok: true, output: '' });
  assert.deepEqual(await runProbe({ tcpSocket: { port: closedPort } }, target, 1_000),
    { ok: false, output: `dial tcp 127.0.0.1:${closedPort}: connect: connection refused` });
});

test('exec probe and hooks go through the target', async () => {
  const calls: [string[], number][] = [];
  const target = {
    podIp: '127.0.0.1',
    exec: async (cmd: string[], timeoutMs: number) => {
      calls.push([cmd, timeoutMs]);
      if (cmd[0] === 'throw') throw new Error('container not running');
      return { exitCode: cmd[0] === 'true' ? 0 : 1, output: cmd[0] === 'true' ? 'fine' : '' };
    },
  };
  assert.deepEqual(await runProbe({ exec: { command: ['true'] } }, target, 2_000), { ok: true, output: 'fine' });
  assert.deepEqual(await runProbe({ exec: { command: ['false', 'x'] } }, target, 2_000), { ok: false, output: 'command "false x" exited with 1' });
  assert.deepEqual(await runProbe({ exec: { command: ['throw'] } }, target, 2_000), { ok: false, output: 'exec probe failed: container not running' });
  assert.deepEqual(calls[0], [['true'], 2_000]);
  assert.deepEqual(await runHandler({ exec: { command: ['true'] } }, target, 5_000), { ok: true, output: 'fine' });
  assert.deepEqual(await runHandler({ sleep: { seconds: 0 } }, target, 5_000), { ok: true, output: '' });
  assert.deepEqual(await runProbe({ grpc: { port: 9000 } }, target, 1_000), { ok: false, output: 'grpc probes are not supported by this node agent' });
  assert.deepEqual(await runProbe({}, target, 1_000), { ok: false, output: 'missing probe handler' });
});

test('resolvePort', () => {
  const container = { name: 'c', ports: [{ name: 'web', containerPort: 8080 }] };
  assert.equal(resolvePort(80, container), 80);
  assert.equal(resolvePort('81', container), 81);
  assert.equal(resolvePort('web', container), 8080);
  assert.throws(() => resolvePort(0, container), /invalid port number: 0/);
  assert.throws(() => resolvePort('db', container), /couldn't find port: db/);
});
