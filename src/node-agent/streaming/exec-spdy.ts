// Exec and attach over raw SPDY/3.1 (kubectl's fallback when the WebSocket upgrade is refused): the
// client opens one stream per channel, named by the `streamtype` header. Stdin EOF is a FIN, resize
// messages are JSON objects, and the exit Status goes on the error stream (JSON for v4/v5, text before).

import { PassThrough, type Duplex, type Readable } from 'node:stream';
import type { Logger } from '../../client/log.js';
import type { ExecProcess } from './backend.js';
import { parseResize } from './exec-websocket.js';
import { SpdyConnection, type SpdyStream } from './spdy/connection.js';
import { exitStatus } from './status.js';

const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const STREAM_WAIT_MS = 30_000;
const CLOSE_GRACE_MS = 5_000;

export function chooseSpdyExecProtocol(offered: string[]): string | undefined {
  return SPDY_EXEC_PROTOCOLS.find((p) => offered.includes(p));
}

export interface SpdyExecOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  protocol: string;
  log?: Logger;
}

type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

export function serveSpdyExec(socket: Duplex, proc: ExecProcess, options: SpdyExecOptions): Promise<void> {
  // Hold the output until the client's streams exist (child_process discards unread output on exit).
  const held = (source: Readable): PassThrough => {
    const buffer = new PassThrough();
    source.once('error', (err: Error) => buffer.destroy(err));
    return source.pipe(buffer);
  };
  const stdout = held(proc.stdout);
  const stderr = held(proc.stderr);
  return new Promise((resolve) => {
    const expected = new Set<StreamType>(['error']);
    if (options.stdin) expected.add('stdin');
    if (options.stdout) expected.add('stdout');
    if (options.stderr) expected.add('stderr');
    if (options.tty && options.protocol !== 'channel.k8s.io' && options.protocol !== 'v2.channel.k8s.io') expected.add('resize');
    const streams = new Map<StreamType, SpdyStream>();
    let started = false;
    const connection = new SpdyConnection(socket, {
      log: options.log,
      onStream: (stream) => {
        const type = stream.headers.streamtype as StreamType;
        stream.on('error', () => undefined);
        if (!expected.has(type) || streams.has(type)) {
          stream.resume();
          return;
        }
        streams.set(type, stream);
        if (streams.size === expected.size) start();
      },
    });
    const waitTimer = setTimeout(() => start(), STREAM_WAIT_MS);
    connection.once('close', () => {
      clearTimeout(waitTimer);
      if (proc.stdin && !proc.stdin.writableEnded) proc.stdin.end();
      proc.release?.();
      stdout.resume();
      stderr.resume();
      resolve();
    });

    function pipeOut(source: NodeJS.ReadableStream & { resume(): unknown }, target: SpdyStream | undefined): Promise<void> {
      return new Promise((done) => {
        source.once('end', () => done());
        source.once('close', () => done());
        source.once('error', () => done());
        if (target) source.pipe(target, { end: false });
        else source.resume();
      });
    }

    function start(): void {
      if (started) return;
      started = true;
      clearTimeout(waitTimer);
      const stdin = streams.get('stdin');
      if (stdin && proc.stdin) {
        proc.stdin.on('error', () => undefined);
        stdin.pipe(proc.stdin);
      } else stdin?.resume();
      const resize = streams.get('resize');
      let pending = '';
      resize?.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        // Each resize is a JSON object; newlines separate them when present.
        for (const piece of pending.split('\n').slice(0, -1)) {
          const size = parseResize(piece);
          if (size) proc.resize(size.width, size.height);
        }
        pending = pending.slice(pending.lastIndexOf('\n') + 1);
        const size = pending ? parseResize(pending) : undefined;
        if (size) {
          proc.resize(size.width, size.height);
          pending = '';
        }
      });
      const errorStream = streams.get('error');
      errorStream?.resume();
      const outputs = Promise.all([pipeOut(stdout, streams.get('stdout')), pipeOut(stderr, streams.get('stderr'))]);
      void (async () => {
        let message: string | undefined;
        try {
          const code = await proc.exited;
          await outputs;
          const status = exitStatus(code);
          const jsonStatus = options.protocol === 'v4.channel.k8s.io';
          if (jsonStatus) message = JSON.stringify(status);
          else if (code !== 0) message = status.message;
        } catch (err) {
          message = err instanceof Error ? err.message : String(err);
        }
        if (connection.isClosed) return;
        if (errorStream) {
          if (message) errorStream.write(message);
          errorStream.end();
        }
        for (const stream of streams.values()) if (stream !== errorStream && !stream.writableEnded) stream.end();
        // The client resets the streams and sends GOAWAY; close anyway if it does not.
        setTimeout(() => connection.close(), CLOSE_GRACE_MS).unref();
      })();
    }
  });
}
