// A real `kijabi server` WITH its node agent: pod networking inside a private node netns the
// helper creates (and removes), busybox pushed to a throwaway local registry, real crun/conmon.
// stop() deletes every pod first (so containers, mounts and netns go), with a deadline, then stops
// the server, then force-cleans whatever is left of THIS cluster (forceCleanAgentDir) and removes
// its directories. It never touches containers, mounts, netns or processes of anything else.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/node-agent/network/exec.js';
import { podNetnsName } from '../../src/node-agent/network/names.js';
import { freePort, KIJABI_BIN, KUBECTL, type KubectlResult } from './cluster.js';
import { createTestNodeNetns, listNetns, networkTestSkipReason, removeNetns, type TestNodeNetns } from './netns.js';
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

/** Mount points at or below `dir` (from this process's mountinfo), deepest first. */
function mountsUnder(dir: string): string[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const targets = text.split('\n').map((l) => (l.split(' ')[4] ?? '').replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  return targets.filter((t) => t === dir || t.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/** Pod uids an agent dir knows: pod dirs plus IPAM allocations. */
function agentPodUids(agentDir: string): string[] {
  const uids = new Set<string>();
  try {
    for (const uid of readdirSync(join(agentDir, 'pods'))) uids.add(uid);
  } catch {
    // no pods dir
  }
  try {
    const ipam = JSON.parse(readFileSync(join(agentDir, 'run', 'network', 'ipam.json'), 'utf8')) as { allocations?: Record<string, string> };
    for (const uid of Object.keys(ipam.allocations ?? {})) uids.add(uid);
  } catch {
    // no network state
  }
  return [...uids];
}

/**
 * conmon processes of this agent dir: found by their command line, which names the dir (unique to
 * one test cluster), so containers whose state files are already gone are found too.
 */
function conmonPidsUnder(agentDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'conmon') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${agentDir}/`)) pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids;
}

/** Direct children of `pid` (from /proc/<child>/stat). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return out;
}

/**
 * Removes what a node agent left behind in `agentDir` after it stopped (or was killed): its
 * containers (crun --root <agentDir>/run/crun), their conmon processes and the container inits
 * under them (found by the dir in conmon's command line), overlay and tmpfs mounts under the dir,
 * and the pod netns of pods the dir records. Only things that this agent dir names are touched.
 * Best effort: returns what it could not remove.
 */
export async function forceCleanAgentDir(agentDir: string): Promise<string[]> {
  const problems: string[] = [];
  // The runtime state lives on the agent's run dir (agent/run/crun); agent/crun is the older place.
  for (const crunRoot of [join(agentDir, 'run', 'crun'), join(agentDir, 'crun')]) {
    if (!existsSync(crunRoot)) continue;
    const listed = await runCommand(['crun', '--root', crunRoot, 'list', '-q']).catch(() => ({ stdout: '' }));
    for (const id of listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
      await runCommand(['crun', '--root', crunRoot, 'delete', '--force', id]).catch((err: Error) => problems.push(`crun delete ${id}: ${err.message}`));
    }
  }
  for (const pid of conmonPidsUnder(agentDir)) {
    // The container's init is conmon's child (conmon is its subreaper): ending it ends its PID namespace.
    for (const target of [...childrenOf(pid), pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }
  for (const mount of mountsUnder(agentDir)) {
    await runCommand(['umount', mount]).catch(() => runCommand(['umount', '-l', mount])).catch((err: Error) => problems.push(`umount ${mount}: ${err.message}`));
  }
  const existing = new Set(await listNetns().catch(() => [] as string[]));
  for (const uid of agentPodUids(agentDir)) {
    const name = podNetnsName(uid);
    if (existing.has(name)) await removeNetns(name).catch((err: Error) => problems.push(`ip netns del ${name}: ${err.message}`));
  }
  return problems;
}

/** rm -rf that survives a mount appearing late: unmount what is under it and try again. */
async function removeDir(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch {
      for (const mount of mountsUnder(dir)) await runCommand(['umount', '-l', mount]).catch(() => undefined);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `mirrors`: registry hosts (e.g. docker.io) whose pulls go to the test registry instead, through a
 * registries file (--private-registry), so manifests can name images as published.
 */
export async function startNodeCluster(options: { crashBackoffMs?: number; nodeIp?: string; mirrors?: string[] } = {}): Promise<NodeCluster> {
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
      '--node-netns', netns.name, '--node-name', 'node-1', ...(options.nodeIp ? ['--node-ip', options.nodeIp] : []), ...(options.mirrors ? ['--private-registry', join(dataDir, 'registries.yaml')] : []), '--crash-backoff', `${options.crashBackoffMs ?? 1000},${(options.crashBackoffMs ?? 1000) * 4}`];
    // KIJABI_SERVER_NODE_ARGS: extra node flags for the server (benchmarks pass --cpu-prof).
    const nodeArgs = (process.env.KIJABI_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const proc = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KIJABI_LOG_LEVEL: process.env.KIJABI_LOG_LEVEL ?? 'warn' } });
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
    const problems = await forceCleanAgentDir(join(dataDir, 'agent')).catch((err: Error) => [err.message]);
    if (problems.length > 0) process.stderr.write(`node cluster cleanup left: ${problems.join('; ')}\n`);
    await registry?.stop().catch(() => undefined);
    await image?.cleanup().catch(() => undefined);
    await netns.remove().catch(() => undefined);
    await removeDir(dataDir);
  };

  try {
    registry = await startRegistry();
    image = await buildBusyboxLayout();
    await registry.push(image.layout, 'base', 'library/busybox', 'latest');
    if (options.mirrors) {
      const endpoint = `http://${registry.host}`;
      writeFileSync(join(dataDir, 'registries.yaml'), `mirrors:\n${options.mirrors.map((host) => `  "${host}":\n    endpoint: ["${endpoint}"]\n`).join('')}`);
    }
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
      // Bounded: whatever is left after the deadline is force-cleaned below.
      if (child && child.exitCode === null) {
        // Workloads first, or their controllers replace the pods deleted below.
        await kubectl(['delete', 'deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs', '--all', '--all-namespaces', '--cascade=orphan', '--wait=false'], { timeoutMs: 30_000 }).catch(() => undefined);
        await kubectl(['delete', 'pods', '--all', '--all-namespaces', '--grace-period=1', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 }).catch(() => undefined);
      }
      await cleanup();
    },
  };
}
