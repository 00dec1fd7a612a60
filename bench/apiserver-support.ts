// Shared pieces of the API server benchmarks: start the real `bin/kijabi server` as a child
// process, talk HTTPS to it with a keep-alive agent, read its CPU time and RSS from /proc, and
// summarise latencies. Nothing here knows about a particular benchmark.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IncomingMessage } from 'node:http';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const KIJABI_BIN = join(REPO_ROOT, 'bin', 'kijabi');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolvePort(port));
    });
  });
}

export interface StartOptions {
  /** Reuse this data dir (it is then not removed on stop). Default: a fresh temporary one. */
  dataDir?: string;
  /** Flags for node itself, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
  /** Extra `kijabi server` flags. */
  serverArgs?: string[];
  /** Resolve once /readyz answers 200 (polled every `pollMs`), not when the kubeconfig line is printed. */
  pollMs?: number;
}

export interface BenchServer {
  pid: number;
  port: number;
  dataDir: string;
  token: string;
  /** PEM of the cluster CA, from the written kubeconfig. */
  ca: string;
  /** Milliseconds from spawn() to the first /readyz 200. */
  startupMs: number;
  process: ChildProcess;
  client: HttpsClient;
  logs(): string;
  /** SIGTERM, wait for exit (so --cpu-prof profiles get written), remove a temporary data dir. */
  stop(): Promise<void>;
}

export interface Response {
  status: number;
  body: Buffer;
}

/** A keep-alive HTTPS client bound to one server; every request carries the bearer token. */
export class HttpsClient {
  readonly agent: Agent;

  constructor(readonly port: number, readonly token: string, ca: string | undefined, maxSockets = 64) {
    // Before the kubeconfig exists there is no CA yet: only /readyz polling uses the client then.
    this.agent = new Agent({ keepAlive: true, maxSockets, ca, rejectUnauthorized: ca !== undefined });
  }

  /** Starts a request and resolves with the response head; the caller consumes the body. */
  open(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise((resolveOpen, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            'user-agent': 'kijabi-bench',
            ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}),
          },
        },
        resolveOpen,
      );
      req.once('error', reject);
      req.end(payload);
    });
  }

  async send(method: string, path: string, body?: unknown, contentType?: string): Promise<Response> {
    const res = await this.open(method, path, body, contentType);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks) };
  }

  /** Like send, but throws unless the status is 2xx; returns the parsed JSON body. */
  async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.send(method, path, body, contentType);
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.toString().slice(0, 400)}`);
    return JSON.parse(res.body.toString()) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

function caFromKubeconfig(path: string): string {
  const match = /certificate-authority-data:\s*"?([A-Za-z0-9+/=]+)/.exec(readFileSync(path, 'utf8'));
  if (!match) throw new Error(`no certificate-authority-data in ${path}`);
  return Buffer.from(match[1]!, 'base64').toString('utf8');
}

async function pollReady(port: number, pollMs: number, child: ChildProcess, output: () => string, deadlineMs = 30_000): Promise<void> {
  // Fresh unverified connections: the CA may not exist yet, and a refused connection must not poison a pool.
  const poller = new HttpsClient(port, '', undefined, 1);
  const deadline = performance.now() + deadlineMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`kijabi server exited with ${child.exitCode}:\n${output()}`);
      try {
        const res = await poller.send('GET', '/readyz');
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (performance.now() > deadline) throw new Error(`kijabi server not ready after ${deadlineMs} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    poller.close();
  }
}

export async function startServer(options: StartOptions = {}): Promise<BenchServer> {
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'kijabi-bench-'));
  const port = await freePort();
  const token = `bench-token-${port}`;
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const args = [
    ...(options.nodeArgs ?? []),
    KIJABI_BIN, 'server', '--data-dir', dataDir, '--https-listen-port', String(port), '--token', token,
    '--write-kubeconfig', kubeconfig, '--disable-agent', ...(options.serverArgs ?? []),
  ];
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KIJABI_LOG_LEVEL: process.env.KIJABI_LOG_LEVEL ?? 'warn' } });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await pollReady(port, options.pollMs ?? 5, child, () => output);
  } catch (err) {
    child.kill('SIGKILL');
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const startupMs = performance.now() - spawnedAt;
  // /readyz can pass a moment before the kubeconfig line is printed; wait for the file's CA.
  while (!output.includes('Kubeconfig written to')) await new Promise((r) => setTimeout(r, 5));
  const ca = caFromKubeconfig(kubeconfig);
  const client = new HttpsClient(port, token, ca, 64);
  return {
    pid: child.pid!,
    port,
    dataDir,
    token,
    ca,
    startupMs,
    process: child,
    client,
    logs: () => output,
    async stop() {
      client.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Clock ticks per second for /proc/<pid>/stat; 100 on every Linux build node supports. */
const CLOCK_TICKS = 100;

/** User + system CPU time of a process (or of one of its threads) in milliseconds. */
export function cpuTimeMs(pid: number, tid?: number): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  // The command name may contain spaces: fields start after the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS;
}

/** Resident set size (VmRSS) and its peak (VmHWM) in MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentiles by the nearest-rank method. */
export function summarise(values: number[]): Summary {
  if (values.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  let total = 0;
  for (const v of sorted) total += v;
  return { count: sorted.length, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1]!, mean: total / sorted.length };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function median(values: number[]): number {
  return summarise(values).p50;
}

/** Runs `task(index)` for indexes [0, total) with at most `concurrency` in flight. */
export async function runPool(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

export function printTable(title: string, rows: [string, string | number, string?][]): void {
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${title}`);
  for (const [label, value, note] of rows) console.log(`  ${label.padEnd(width)}  ${String(value).padStart(12)}${note ? `  ${note}` : ''}`);
}
