import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestClient } from './rest-client.js';

/** A plain HTTP server on loopback that answers GET /fast at once and holds GET /slow open. */
async function server(): Promise<{ url: string; held: ServerResponse[]; close: () => Promise<void> }> {
  const held: ServerResponse[] = [];
  const srv = createServer((req, res) => {
    if (req.url === '/slow') {
      held.push(res);
      return;
    }
    if (req.url === '/missing') {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","code":404}');
      return;
    }
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ echoed: JSON.parse(body), contentType: req.headers['content-type'], auth: req.headers.authorization ?? null }));
      });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    held,
    close: () => new Promise((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }),
  };
}

for (const transport of ['node', 'undici'] as const) test(`${transport}: one abort signal shared by many requests cancels those in flight and refuses later ones`, async () => {
  const s = await server();
  const client = new RestClient({ server: s.url, transport });
  try {
    const stop = new AbortController();
    // Finished requests leave nothing behind on the signal.
    for (let i = 0; i < 50; i++) assert.deepEqual(await client.request({ method: 'GET', path: '/fast', signal: stop.signal }), { ok: true });
    const pending = Array.from({ length: 20 }, () => client.request({ method: 'GET', path: '/slow', signal: stop.signal }));
    while (s.held.length < 20) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    const results = await Promise.allSettled(pending);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal((r as PromiseRejectedResult).reason.name, 'AbortError');
    }
    await assert.rejects(client.request({ method: 'GET', path: '/fast', signal: stop.signal }), { name: 'AbortError' });
    // Another signal is unaffected.
    assert.deepEqual(await client.request({ method: 'GET', path: '/fast', signal: new AbortController().signal }), { ok: true });
  } finally {
    client.close();
    await s.close();
  }
});

for (const transport of ['node', 'undici'] as const) test(`${transport}: bodies, headers, Status errors and discarded answers`, async () => {
  const s = await server();
  const client = new RestClient({ server: s.url, token: 'secret', transport });
  try {
    assert.deepEqual(await client.request({ method: 'POST', path: '/things', body: { a: 'ü' } }), { echoed: { a: 'ü' }, contentType: 'application/json', auth: 'Bearer secret' });
    await assert.rejects(client.request({ method: 'GET', path: '/missing' }), (err: { code?: number; reason?: string; message: string }) => err.code === 404 && err.reason === 'NotFound' && /not found/.test(err.message));
    await client.requestDiscardingBody({ method: 'POST', path: '/things', body: { many: 'x'.repeat(100_000) } });
    await assert.rejects(client.requestDiscardingBody({ method: 'GET', path: '/missing' }), { code: 404 });
    // The connection went back to the pool: the next request on it works.
    assert.deepEqual(await client.request({ method: 'GET', path: '/fast' }), { ok: true });
  } finally {
    client.close();
    await s.close();
  }
});
