// Starts the real `bin/kijabi server` as a child process on a free port with a temporary data
// dir, and runs the real kubectl against it. Every test that uses it stops it in `after`.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const KIJABI_BIN = join(REPO_ROOT, 'bin', 'kijabi');
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

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

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestCluster {
  port: number;
  dataDir: string;
  kubeconfig: string;
  token: string;
  process: ChildProcess;
  /** Runs kubectl with this cluster's kubeconfig; never throws on a non-zero exit. */
  kubectl(args: string[], options?: { input?: string; binary?: string; timeoutMs?: number }): Promise<KubectlResult>;
  stop(): Promise<void>;
  logs(): string;
}

export async function startCluster(options: { extraArgs?: string[]; token?: string } = {}): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kijabi-test-'));
  const port = await freePort();
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const token = options.token ?? `test-token-${port}`;
  const args = [KIJABI_BIN, 'server', '--data-dir', dataDir, '--https-listen-port', String(port), '--write-kubeconfig', kubeconfig, '--token', token, '--disable-agent', ...(options.extraArgs ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KIJABI_LOG_LEVEL: process.env.KIJABI_LOG_LEVEL ?? 'warn' } });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const ready = await new Promise<boolean>((resolveReady) => {
    const timer = setTimeout(() => resolveReady(false), 20_000);
    const check = () => {
      if (output.includes('Kubeconfig written to')) {
        clearTimeout(timer);
        resolveReady(true);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveReady(false);
    });
  });
  if (!ready) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`kijabi server did not start:\n${output}`);
  }
  const cacheDir = join(dataDir, 'kube-cache');
  const cluster: TestCluster = {
    port,
    dataDir,
    kubeconfig,
    token,
    process: child,
    logs: () => output,
    kubectl(kargs, kopts = {}) {
      return new Promise((resolveRun) => {
        const proc = execFile(
          kopts.binary ?? KUBECTL,
          ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...kargs],
          { timeout: kopts.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir } },
          (error, stdout, stderr) => {
            const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
            resolveRun({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
        if (kopts.input !== undefined) proc.stdin!.end(kopts.input);
        else proc.stdin?.end();
      });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, options: { timeoutMs?: number; intervalMs?: number; message?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${options.message ?? 'condition not met in time'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
