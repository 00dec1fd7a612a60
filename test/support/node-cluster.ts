// A real `kijabi server` WITH its node agent: pod networking inside a private node netns the
// helper creates (and removes), busybox pushed to a throwaway local registry, real crun/conmon.
// stop() deletes every pod first (so containers, mounts and netns go), then stops everything.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, KIJABI_BIN, KUBECTL, type KubectlResult } from './cluster.js';
import { createTestNodeNetns, networkTestSkipReason, type TestNodeNetns } from './netns.js';
import { buildBusyboxLayout, registryTestSkipReason, startRegistry, type BusyboxLayout, type TestRegistry } from './registry.js';

export interface NodeCluster {
  port: number;
  dataDir: string;
  kubeconfig: string;
  token: string;
  netns: TestNodeNetns;
  registry: TestRegistry;
  /** `127.0.0.1:<port>/library/busybox:latest` */
  busybox: string;
  child(): ChildProcess;
  kubectl(args: string[], options?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** kubectl get -o json, parsed. */
  getJson<T = Record<string, unknown>>(args: string[]): Promise<T>;
  /** SIGKILL the server (and with it the in-process agent); containers keep running. */
  kill9(): Promise<void>;
  /** Starts the server again on the same data dir and port. */
  restart(): Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

export function nodeClusterSkipReason(): string | undefined {
  for (const tool of ['/usr/bin/crun', '/usr/bin/conmon', '/usr/bin/nsenter']) if (!existsSync(tool)) return `needs ${tool} (apt-get install crun conmon util-linux)`;
  return networkTestSkipReason() ?? registryTestSkipReason();
}

export async function startNodeCluster(options: { crashBackoffMs?: number } = {}): Promise<NodeCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kjb-na-'));
  const port = await freePort();
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const token = `test-token-${port}`;
  const netns = await createTestNodeNetns();
  let registry: TestRegistry | undefined;
  let image: BusyboxLayout | undefined;
  let child: ChildProcess | undefined;
  let output = '';
  const cacheDir = join(dataDir, 'kube-cache');

  const launch = async (): Promise<void> => {
    const args = [KIJABI_BIN, 'server', '--data-dir', dataDir, '--https-listen-port', String(port), '--write-kubeconfig', kubeconfig, '--token', token,
      '--node-netns', netns.name, '--node-name', 'node-1', '--crash-backoff', `${options.crashBackoffMs ?? 1000},${(options.crashBackoffMs ?? 1000) * 4}`];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KIJABI_LOG_LEVEL: process.env.KIJABI_LOG_LEVEL ?? 'warn' } });
    child = proc;
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const started = output.length;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      const check = (): void => {
        if (output.slice(started).includes('Kubeconfig written to')) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      proc.stdout!.on('data', check);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!ready) throw new Error(`kijabi server did not start:\n${output}`);
  };

  const kubectl = (kargs: string[], kopts: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> =>
    new Promise((resolveRun) => {
      const proc = execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...kargs], { timeout: kopts.timeoutMs ?? 60_000, maxBuffer: 32 << 20, env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir } }, (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
        resolveRun({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      if (kopts.input !== undefined) proc.stdin!.end(kopts.input);
      else proc.stdin?.end();
    });

  const killChild = async (signal: NodeJS.Signals): Promise<void> => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill(signal);
    const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const cleanup = async (): Promise<void> => {
    await killChild('SIGTERM');
    await registry?.stop().catch(() => undefined);
    await image?.cleanup().catch(() => undefined);
    await netns.remove().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    registry = await startRegistry();
    image = await buildBusyboxLayout();
    await registry.push(image.layout, 'base', 'library/busybox', 'latest');
    await launch();
  } catch (err) {
    await cleanup();
    throw err;
  }
  const reg = registry;
  return {
    port,
    dataDir,
    kubeconfig,
    token,
    netns,
    registry: reg,
    busybox: `${reg.host}/library/busybox:latest`,
    child: () => child!,
    kubectl,
    async getJson<T>(args: string[]): Promise<T> {
      const result = await kubectl(['get', ...args, '-o', 'json']);
      if (result.code !== 0) throw new Error(result.stderr);
      return JSON.parse(result.stdout) as T;
    },
    kill9: () => killChild('SIGKILL'),
    restart: launch,
    logs: () => output,
    async stop() {
      // Pods first, so the agent tears down containers, mounts, veths and netns.
      if (child && child.exitCode === null) {
        await kubectl(['delete', 'pods', '--all', '--all-namespaces', '--grace-period=1', '--wait=true', '--timeout=90s'], { timeoutMs: 100_000 });
      }
      await cleanup();
    },
  };
}
