// Exec and attach over the Kubernetes WebSocket channel protocol (v4/v5.channel.k8s.io): every
// binary message starts with a channel byte. The process's output goes out on 1/2, the exit Status
// on 3 followed by a normal close; stdin arrives on 0, resizes on 4, and (v5) [255, 0] closes stdin.

import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Logger } from '../../client/log.js';
import type { ExecProcess } from './backend.js';
import { exitStatus, failureStatus, type ExitStatus } from './status.js';

export const CHANNEL_STDIN = 0;
export const CHANNEL_STDOUT = 1;
export const CHANNEL_STDERR = 2;
export const CHANNEL_ERROR = 3;
export const CHANNEL_RESIZE = 4;
export const CHANNEL_CLOSE = 255;

export const WEBSOCKET_EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** Picks the newest channel protocol the client offered, or undefined. */
export function chooseExecProtocol(offered: Iterable<string>): string | undefined {
  const set = new Set(offered);
  return WEBSOCKET_EXEC_PROTOCOLS.find((p) => set.has(p));
}

/** Parses a resize message: {"Width":80,"Height":24}. */
export function parseResize(payload: Buffer | string): { width: number; height: number } | undefined {
  try {
    const value = JSON.parse(payload.toString()) as { Width?: unknown; Height?: unknown };
    if (typeof value.Width === 'number' && typeof value.Height === 'number') return { width: value.Width, height: value.Height };
  } catch {
    // a malformed resize is ignored, as the kubelet does
  }
  return undefined;
}

const HIGH_WATER = 1 << 20;

export interface WebSocketExecOptions {
  stdout: boolean;
  stderr: boolean;
  log?: Logger;
}

/** How long output waits for the client's streams when the client sends nothing first. */
const CLIENT_STREAMS_GRACE_MS = 25;

/** Runs the channel protocol until the process exits (then Status + close 1000) or the client leaves. */
export function serveWebSocketExec(ws: WebSocket, proc: ExecProcess, options: WebSocketExecOptions): Promise<void> {
  return new Promise((resolve) => {
    let clientGone = false;
    // kubectl registers its streams only after the upgrade and drops data for a stream it does not
    // know yet ("Unknown stream id"): output that a fast process writes at once waits a moment,
    // or until the client's first message shows its streams exist.
    const early: (() => void)[] = [];
    let streamsReady = false;
    let gateOpened: () => void = () => undefined;
    const gate = new Promise<void>((open) => (gateOpened = open));
    const openGate = () => {
      if (streamsReady) return;
      streamsReady = true;
      clearTimeout(gateTimer);
      for (const send of early.splice(0)) send();
      gateOpened();
    };
    const gateTimer = setTimeout(openGate, CLIENT_STREAMS_GRACE_MS);

    const forward = (stream: Readable, channel: number, wanted: boolean): Promise<void> =>
      new Promise((done) => {
        stream.on('data', (chunk: Buffer) => {
          if (!wanted || clientGone) return;
          const send = () => {
            if (clientGone) return;
            ws.send(Buffer.concat([Buffer.from([channel]), chunk]), { binary: true }, () => {
              if (stream.isPaused() && ws.bufferedAmount < HIGH_WATER) stream.resume();
            });
            if (ws.bufferedAmount >= HIGH_WATER) stream.pause();
          };
          if (streamsReady) send();
          else early.push(send);
        });
        stream.once('end', () => done());
        stream.once('close', () => done());
        stream.once('error', () => done());
      });
    const outputsDone = Promise.all([forward(proc.stdout, CHANNEL_STDOUT, options.stdout), forward(proc.stderr, CHANNEL_STDERR, options.stderr)]);

    const closeStdin = () => {
      if (proc.stdin && !proc.stdin.writableEnded) proc.stdin.end();
    };
    proc.stdin?.on('error', () => undefined); // the process may exit before reading all of stdin

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      openGate();
      const message = Buffer.isBuffer(data) ? data : Buffer.from(data as unknown as ArrayBuffer);
      if (!isBinary || message.length === 0) return;
      const channel = message[0];
      const payload = message.subarray(1);
      if (channel === CHANNEL_STDIN) {
        if (proc.stdin && !proc.stdin.writableEnded && payload.length) proc.stdin.write(payload);
      } else if (channel === CHANNEL_RESIZE) {
        const size = parseResize(payload);
        if (size) proc.resize(size.width, size.height);
      } else if (channel === CHANNEL_CLOSE && payload[0] === CHANNEL_STDIN) {
        closeStdin();
      }
    });
    ws.on('close', () => {
      clientGone = true;
      openGate();
      closeStdin();
      proc.release?.();
      proc.stdout.resume();
      proc.stderr.resume();
      resolve();
    });
    ws.on('error', (err: Error) => options.log?.debug('exec websocket error', { error: err.message }));

    void (async () => {
      let status: ExitStatus;
      try {
        const code = await proc.exited;
        await outputsDone;
        await gate; // the exit Status follows the output it ends
        status = exitStatus(code);
      } catch (err) {
        status = failureStatus(err instanceof Error ? err.message : String(err));
      }
      if (clientGone) return;
      ws.send(Buffer.concat([Buffer.from([CHANNEL_ERROR]), Buffer.from(JSON.stringify(status))]), { binary: true });
      ws.close(1000);
    })();
  });
}
