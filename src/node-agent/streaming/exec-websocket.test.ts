import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ExecProcess } from './backend.js';
import { CHANNEL_ERROR, CHANNEL_STDIN, CHANNEL_STDOUT, serveWebSocketExec } from './exec-websocket.js';

/** A process that writes `output` and exits at once, before any client could have set up its streams. */
function instantProcess(output: string): ExecProcess & { stdinText: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let received = '';
  stdin.on('data', (d: Buffer) => (received += d.toString()));
  stdout.end(output);
  stderr.end();
  return { stdin, stdout, stderr, resize: () => undefined, exited: Promise.resolve(0), stdinText: () => received };
}

async function session(proc: ExecProcess, onOpen: (client: WebSocket) => void): Promise<{ messages: { channel: number; text: string; at: number }[]; servedAt: number }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  let servedAt = 0;
  wss.on('connection', (ws) => {
    servedAt = performance.now();
    void serveWebSocketExec(ws, proc, { stdout: true, stderr: true });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const messages: { channel: number; text: string; at: number }[] = [];
  client.on('message', (data: Buffer) => messages.push({ channel: data[0]!, text: data.subarray(1).toString(), at: performance.now() }));
  client.on('open', () => onOpen(client));
  await new Promise((resolve) => client.on('close', resolve));
  wss.close();
  await new Promise((resolve) => http.close(resolve));
  return { messages, servedAt };
}

test('output written before the client speaks waits a moment, then comes before the exit status', async () => {
  const { messages, servedAt } = await session(instantProcess('early\n'), () => undefined);
  assert.deepEqual(messages.map((m) => m.channel), [CHANNEL_STDOUT, CHANNEL_ERROR]);
  assert.equal(messages[0]!.text, 'early\n');
  assert.match(messages[1]!.text, /"status":"Success"/);
  assert.ok(messages[0]!.at - servedAt >= 20, `output held back for the client's streams (${Math.round(messages[0]!.at - servedAt)} ms)`);
});

test("the client's first message releases the output at once", async () => {
  const proc = instantProcess('hello\n');
  const { messages } = await session(proc, (client) => client.send(Buffer.concat([Buffer.from([CHANNEL_STDIN]), Buffer.from('in')])));
  assert.deepEqual(messages.map((m) => [m.channel, m.channel === CHANNEL_STDOUT ? m.text : '']), [[CHANNEL_STDOUT, 'hello\n'], [CHANNEL_ERROR, '']]);
  assert.equal(proc.stdinText(), 'in');
});
