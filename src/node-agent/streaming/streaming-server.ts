// The node agent's streaming endpoint (the kubelet's port 10250 equivalent): container logs over
// plain HTTPS, exec/attach over the WebSocket channel protocol (or SPDY/3.1) and port-forward over
// SPDY/3.1, either tunnelled in a WebSocket or on the raw upgraded connection. Only the API server
// talks to it, with a bearer token checked by `authenticate`.

import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { Logger } from '../../client/log.js';
import type { ExecProcess, LogOptions, StreamingBackend, StreamOptions } from './backend.js';
import { chooseExecProtocol, serveWebSocketExec } from './exec-websocket.js';
import { chooseSpdyExecProtocol, serveSpdyExec } from './exec-spdy.js';
import { portForwardStreamHandler } from './port-forward.js';
import { SpdyConnection } from './spdy/connection.js';
import { httpCodeOf, refuseUpgrade, writeStatus } from './status.js';

export const PORT_FORWARD_WS_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
export const PORT_FORWARD_SPDY_PROTOCOL = 'portforward.k8s.io';
/** `ws` only accepts RFC 6455 tokens; '/' is not one, so the offer is renamed for the handshake. */
const PORT_FORWARD_WS_TOKEN = 'SPDY-3.1+portforward.k8s.io';

export interface StreamingServerOptions {
  backend: StreamingBackend;
  tls: { certPem: string; keyPem: string };
  authenticate: (authorization: string | undefined) => boolean;
  log?: Logger;
}

export type StreamingRoute =
  | { kind: 'logs'; namespace: string; pod: string; container: string }
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string };

/** Parses a kubelet-style path; undefined when it is not one of ours. */
export function parseStreamingPath(pathname: string): StreamingRoute | undefined {
  const parts = pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const [kind, namespace, pod, container] = parts;
  if (kind === 'containerLogs' && parts.length === 4) return { kind: 'logs', namespace, pod, container };
  if ((kind === 'exec' || kind === 'attach') && parts.length === 4) return { kind, namespace, pod, container };
  if (kind === 'portForward' && parts.length === 3) return { kind: 'portForward', namespace, pod };
  return undefined;
}

function optionalInt(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  return Number.isInteger(value) ? value : undefined;
}

const isTrue = (query: URLSearchParams, name: string) => query.get(name) === 'true' || query.get(name) === '1';

export function parseLogOptions(query: URLSearchParams): LogOptions {
  return {
    follow: isTrue(query, 'follow'),
    previous: isTrue(query, 'previous'),
    timestamps: isTrue(query, 'timestamps'),
    tailLines: optionalInt(query, 'tailLines'),
    sinceSeconds: optionalInt(query, 'sinceSeconds'),
    sinceTime: query.get('sinceTime') ?? undefined,
    limitBytes: optionalInt(query, 'limitBytes'),
  };
}

export interface ExecRequest {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export function parseExecRequest(query: URLSearchParams): ExecRequest {
  const tty = isTrue(query, 'tty');
  return { command: query.getAll('command'), stdin: isTrue(query, 'stdin'), stdout: isTrue(query, 'stdout'), stderr: isTrue(query, 'stderr') && !tty, tty };
}

export class StreamingServer {
  private readonly options: StreamingServerOptions;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly connections = new Set<Duplex>();

  constructor(options: StreamingServerOptions) {
    this.options = options;
    this.server = createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => void this.handleRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head));
    this.server.on('clientError', (_err, socket) => socket.destroy());
    this.server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.connections) socket.destroy();
    });
  }

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (!this.options.authenticate(req.headers.authorization)) return writeStatus(res, 401, 'Unauthorized');
    if (url.pathname === '/stats/summary' || url.pathname === '/stats/summary/') return this.serveStatsSummary(req, res);
    const route = parseStreamingPath(url.pathname);
    if (!route) return writeStatus(res, 404, 'the server could not find the requested resource');
    if (route.kind !== 'logs') return writeStatus(res, 400, 'Upgrade request required');
    if (req.method !== 'GET') return writeStatus(res, 405 as 400, 'method not allowed');
    let stream;
    try {
      stream = await this.options.backend.logs(route.namespace, route.pod, route.container, parseLogOptions(url.searchParams));
    } catch (err) {
      return writeStatus(res, httpCodeOf(err), err instanceof Error ? err.message : String(err));
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    stream.on('error', () => res.destroy());
    res.once('close', () => stream.destroy());
    stream.pipe(res);
  }

  private async serveStatsSummary(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return writeStatus(res, 405 as 400, 'method not allowed');
    const backend = this.options.backend;
    if (!backend.statsSummary) return writeStatus(res, 404, 'the server could not find the requested resource');
    let summary: unknown;
    try {
      summary = await backend.statsSummary();
    } catch (err) {
      return writeStatus(res, 500, err instanceof Error ? err.message : String(err));
    }
    const body = JSON.stringify(summary);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (!this.options.authenticate(req.headers.authorization)) return refuseUpgrade(socket, 401, 'Unauthorized');
    const route = parseStreamingPath(url.pathname);
    if (!route || route.kind === 'logs') return refuseUpgrade(socket, 404, 'the server could not find the requested resource');
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    const log = this.options.log;
    const target = `${route.namespace}/${route.pod}`;

    if (route.kind === 'portForward') {
      const handler = portForwardStreamHandler((port) => this.options.backend.portForward(route.namespace, route.pod, port), target, log);
      if (upgrade === 'websocket') {
        const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
        if (!offered.includes(PORT_FORWARD_WS_PROTOCOL)) return refuseUpgrade(socket, 400, `unable to upgrade: no supported protocol among ${offered.join(', ')}`);
        req.headers['sec-websocket-protocol'] = PORT_FORWARD_WS_TOKEN;
        const ws = await this.upgradeWebSocket(req, socket, head, PORT_FORWARD_WS_TOKEN, PORT_FORWARD_WS_PROTOCOL);
        const tunnel = createWebSocketStream(ws, { allowHalfOpen: false });
        tunnel.on('error', () => tunnel.destroy());
        const connection: SpdyConnection = new SpdyConnection(tunnel, { onStream: (stream) => handler(stream, connection), log });
        return;
      }
      if (upgrade === 'spdy/3.1') {
        const versions = headerValues(req.headers['x-stream-protocol-version']);
        if (versions.length && !versions.includes(PORT_FORWARD_SPDY_PROTOCOL)) return refuseUpgrade(socket, 400, 'unable to upgrade: no supported stream protocol');
        const raw = switchToSpdy(socket, head, PORT_FORWARD_SPDY_PROTOCOL);
        const connection: SpdyConnection = new SpdyConnection(raw, { onStream: (stream) => handler(stream, connection), log });
        return;
      }
      return refuseUpgrade(socket, 400, 'Upgrade request required');
    }

    const request = parseExecRequest(url.searchParams);
    if (route.kind === 'exec' && request.command.length === 0) return refuseUpgrade(socket, 400, 'you must specify at least 1 command');
    if (!request.stdin && !request.stdout && !request.stderr) return refuseUpgrade(socket, 400, 'you must specify at least 1 of stdin, stdout, stderr');
    let wsProtocol: string | undefined;
    let spdyProtocol: string | undefined;
    if (upgrade === 'websocket') {
      wsProtocol = chooseExecProtocol(String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()));
      if (!wsProtocol) return refuseUpgrade(socket, 400, 'unable to upgrade: no supported channel protocol was offered');
    } else if (upgrade === 'spdy/3.1') {
      spdyProtocol = chooseSpdyExecProtocol(headerValues(req.headers['x-stream-protocol-version']));
      if (!spdyProtocol) return refuseUpgrade(socket, 400, 'unable to upgrade: no supported stream protocol was offered');
    } else {
      return refuseUpgrade(socket, 400, 'Upgrade request required');
    }

    const streamOptions: StreamOptions = { stdin: request.stdin, tty: request.tty };
    let proc: ExecProcess;
    try {
      proc = route.kind === 'exec'
        ? await this.options.backend.exec(route.namespace, route.pod, route.container, request.command, streamOptions)
        : await this.options.backend.attach(route.namespace, route.pod, route.container, streamOptions);
    } catch (err) {
      return refuseUpgrade(socket, httpCodeOf(err), err instanceof Error ? err.message : String(err));
    }
    if (wsProtocol) {
      const ws = await this.upgradeWebSocket(req, socket, head, wsProtocol, wsProtocol);
      await serveWebSocketExec(ws, proc, { stdout: request.stdout, stderr: request.stderr, log });
      return;
    }
    const raw = switchToSpdy(socket, head, spdyProtocol!);
    await serveSpdyExec(raw, proc, { ...request, protocol: spdyProtocol!, log });
  }

  /** Completes the WebSocket handshake answering `announced` as the chosen subprotocol. */
  private upgradeWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, token: string, announced: string): Promise<WebSocket> {
    return new Promise((resolve) => {
      const restoreProtocol = (headers: string[]) => {
        for (let i = 0; i < headers.length; i++) {
          if (headers[i].toLowerCase().startsWith('sec-websocket-protocol:')) headers[i] = `Sec-WebSocket-Protocol: ${announced}`;
        }
      };
      // ws completes the handshake synchronously, so the listener and the protocol choice apply to this request only.
      this.wss.on('headers', restoreProtocol);
      this.wss.options.handleProtocols = () => token;
      try {
        this.wss.handleUpgrade(req, socket, head, (ws) => resolve(ws));
      } finally {
        this.wss.off('headers', restoreProtocol);
      }
    });
  }
}

function headerValues(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** Answers 101 for a raw SPDY/3.1 upgrade and returns the socket to speak SPDY on. */
function switchToSpdy(socket: Duplex, head: Buffer, protocol: string): Duplex {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  if (head.length) socket.unshift(head);
  return socket;
}
