// Runs `bin/kijabi hollow-nodes` as a child process against a test cluster, so a test can stop one
// group of simulated nodes (by PID) and watch the control plane react as to a lost machine.

import { spawn, type ChildProcess } from 'node:child_process';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource } from '../../src/api/resources.js';
import { RestClient } from '../../src/client/rest-client.js';
import { KIJABI_BIN, eventually } from './cluster.js';

const NODES = findResource('', 'v1', 'nodes')!;

export interface HollowNodesOptions {
  kubeconfig: string;
  count: number;
  /** Node names are `${namePrefix}0`..; give every process its own prefix. */
  namePrefix: string;
  cpu?: string;
  memory?: string;
  pods?: number;
  /** Lease renewal period in seconds (the CLI default is 10). */
  leaseIntervalSeconds?: number;
  /** Wait until every node is registered and Ready (default true). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
  /** How often to list nodes while waiting (default 250 ms; raise it for thousands of nodes). */
  readyPollMs?: number;
}

export interface HollowNodesProcess {
  readonly pid: number;
  readonly nodeNames: string[];
  readonly child: ChildProcess;
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /**
   * Stops the process by PID. SIGKILL models a machine that vanishes (no further lease renewals);
   * SIGTERM lets it finish in-flight requests. Resolves once it has exited.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function isReady(node: KubeObject): boolean {
  const conditions = (node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Lists the named nodes that are registered and Ready. */
export async function readyNodeNames(kubeconfig: string, names: string[]): Promise<string[]> {
  const client = RestClient.fromKubeconfig(kubeconfig, { userAgent: 'kijabi-test-hollow' });
  try {
    const wanted = new Set(names);
    const { items } = await client.listAll(NODES);
    return items.filter((n) => wanted.has(n.metadata.name ?? '') && isReady(n)).map((n) => n.metadata.name!);
  } finally {
    client.close();
  }
}

export async function startHollowNodes(options: HollowNodesOptions): Promise<HollowNodesProcess> {
  const args = [KIJABI_BIN, 'hollow-nodes', '--kubeconfig', options.kubeconfig, '--count', String(options.count), '--name-prefix', options.namePrefix];
  if (options.cpu) args.push('--cpu', options.cpu);
  if (options.memory) args.push('--memory', options.memory);
  if (options.pods !== undefined) args.push('--pods', String(options.pods));
  if (options.leaseIntervalSeconds !== undefined) args.push('--lease-interval', String(options.leaseIntervalSeconds));
  // KIJABI_HOLLOW_NODE_ARGS: extra node flags for the hollow-nodes process (benchmarks pass --cpu-prof).
  const nodeArgs = (process.env.KIJABI_HOLLOW_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KIJABI_LOG_LEVEL: process.env.KIJABI_LOG_LEVEL ?? 'warn' } });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const nodeNames = Array.from({ length: options.count }, (_, i) => `${options.namePrefix}${i}`);
  const handle: HollowNodesProcess = {
    pid: child.pid!,
    nodeNames,
    child,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (handle.exited()) return;
      process.kill(handle.pid, signal);
      const timer = setTimeout(() => {
        if (!handle.exited()) process.kill(handle.pid, 'SIGKILL');
      }, 5000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  if (options.waitReady !== false) {
    try {
      await eventually(
        async () => {
          if (handle.exited()) throw new Error(`hollow-nodes exited early:\n${output}`);
          return (await readyNodeNames(options.kubeconfig, nodeNames)).length === nodeNames.length;
        },
        { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: options.readyPollMs ?? 250, message: `hollow nodes ${options.namePrefix}* not Ready` },
      );
    } catch (err) {
      await handle.stop('SIGKILL');
      throw err;
    }
  }
  return handle;
}
