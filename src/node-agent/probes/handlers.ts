// Probe and lifecycle-hook handlers: exec, httpGet, tcpSocket, sleep, grpc (unsupported).
// Only the network I/O lives here; result wording follows the kubelet's prober.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Dialer } from './netns-dial.js';

type Obj = Record<string, unknown>;

export type ProbeResult = { ok: boolean; output: string };

export interface ProbeTarget {
  podIp: string;
  exec(cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
  /** The container spec, to resolve named ports. */
  container?: Record<string, unknown>;
  /** Connects from the pods' network namespace when the agent is not in it (--node-netns). */
  dial?: Dialer;
}

export const PROBE_USER_AGENT = 'kube-probe/1.32';
/** The kubelet keeps at most this much of a probe's output. */
const MAX_OUTPUT = 10 * 1024;

/** An int port, a numeric string, or a name from the container's ports. */
export function resolvePort(port: unknown, container: Obj | undefined): number {
  if (typeof port === 'number') return validPort(port, port);
  const text = String(port ?? '');
  if (/^\d+$/.test(text)) return validPort(Number(text), text);
  for (const entry of (container?.ports ?? []) as Obj[]) {
    if (entry.name === text) return validPort(Number(entry.containerPort), text);
  }
  throw new Error(`couldn't find port: ${text} in container ${String(container?.name ?? '')}`);
}

function validPort(n: number, original: unknown): number {
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`invalid port number: ${String(original)}`);
  return n;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function truncate(text: string): string {
  return text.length > MAX_OUTPUT ? text.slice(0, MAX_OUTPUT) : text;
}

export async function execHandler(action: Obj, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const command = (action.command ?? []) as string[];
  try {
    const { exitCode, output } = await target.exec(command, timeoutMs);
    if (exitCode === 0) return { ok: true, output: truncate(output) };
    return { ok: false, output: truncate(output) || `command ${JSON.stringify(command.join(' '))} exited with ${exitCode}` };
  } catch (err) {
    return { ok: false, output: `exec probe failed: ${(err as Error).message}` };
  }
}

export async function httpGetHandler(action: Obj, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  let url: URL;
  try {
    const host = (action.host as string | undefined) || target.podIp;
    const port = resolvePort(action.port, target.container);
    const scheme = String(action.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
    let path = (action.path as string | undefined) ?? '';
    if (!path.startsWith('/')) path = '/' + path;
    url = new URL(`${scheme}://${hostForUrl(host)}:${port}${path}`);
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
  const headers: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*' };
  for (const header of (action.httpHeaders ?? []) as { name: string; value: string }[]) {
    // A probe's own header replaces ours of the same name (case-insensitively).
    for (const key of Object.keys(headers)) if (key.toLowerCase() === header.name.toLowerCase()) delete headers[key];
    headers[header.name] = header.value;
  }
  return new Promise<ProbeResult>((resolveResult) => {
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolveResult(result);
    };
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    const dial = target.dial;
    const port = Number(url.port || (https ? 443 : 80));
    const createConnection = dial
      ? () => {
          const host = url.hostname.replace(/^\[|\]$/g, '');
          const stream = dial.stream(host, port, timeoutMs);
          // SNI carries names only, never addresses.
          return https ? tlsConnect({ socket: stream, rejectUnauthorized: false, servername: isIP(host) ? undefined : host }) : stream;
        }
      : undefined;
    // No agent with a createConnection of our own: an agent would open its own socket instead.
    const connection = createConnection ? { createConnection: createConnection as never } : { agent: false as const };
    const req = send(url, { method: 'GET', headers, rejectUnauthorized: false, ...connection }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_OUTPUT) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        const body = truncate(Buffer.concat(chunks).toString('utf8'));
        if (code >= 200 && code < 400) finish({ ok: true, output: body });
        else finish({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', (err) => finish({ ok: false, output: `Get "${url.href}": ${err.message}` }));
    });
    const timer = setTimeout(() => {
      finish({ ok: false, output: `Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      req.destroy();
    }, timeoutMs);
    timer.unref?.();
    req.on('error', (err) => finish({ ok: false, output: `Get "${url.href}": ${describeSocketError(err, url.hostname, url.port)}` }));
    req.end();
  });
}

function describeSocketError(err: Error, host: string, port: string | number): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${host}:${port}: connect: no route to host`;
  if (code === 'ENETUNREACH') return `dial tcp ${host}:${port}: connect: network is unreachable`;
  if (code === 'ETIMEDOUT') return `dial tcp ${host}:${port}: i/o timeout`;
  return err.message;
}

export async function tcpSocketHandler(action: Obj, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  let host: string;
  let port: number;
  try {
    host = (action.host as string | undefined) || target.podIp;
    port = resolvePort(action.port, target.container);
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
  if (target.dial) {
    return target.dial.check(host, port, timeoutMs).then(
      () => ({ ok: true, output: '' }),
      (err: Error) => ({ ok: false, output: describeSocketError(err, host, port) }),
    );
  }
  return new Promise<ProbeResult>((resolveResult) => {
    const socket = connect({ host, port });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolveResult(result);
    };
    const timer = setTimeout(() => done({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` }), timeoutMs);
    timer.unref?.();
    socket.once('connect', () => done({ ok: true, output: '' }));
    socket.once('error', (err) => done({ ok: false, output: describeSocketError(err, host, port) }));
  });
}

/** Lifecycle sleep action; bounded by the timeout so a preStop hook cannot outlive the grace period. */
export async function sleepHandler(action: Obj, timeoutMs: number): Promise<ProbeResult> {
  const ms = Math.max(0, Number(action.seconds ?? 0) * 1000);
  await new Promise<void>((resolveSleep) => setTimeout(resolveSleep, Math.min(ms, timeoutMs)));
  return { ok: true, output: '' };
}
