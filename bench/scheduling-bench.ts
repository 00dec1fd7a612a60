// Scheduling benchmark (a script, not a test): the real `bin/kijabi server --disable-agent` with
// hollow nodes in a separate process. Measures pods created -> bound (spec.nodeName set) -> reported
// Running, from one watch stream, at 1,000 and 5,000 nodes; server RSS with 5,000 nodes and up to
// 30,000 pods; and how tightly MostAllocated packs a fixed mix of pods.
//
//   node dist/bench/scheduling-bench.js                          # everything with the defaults
//   node dist/bench/scheduling-bench.js throughput --nodes 1000 --pods 10000
//   node dist/bench/scheduling-bench.js scale --nodes 5000 --pods 10000 --total 30000
//   node dist/bench/scheduling-bench.js packing
//   node dist/bench/scheduling-bench.js throughput --cpu-prof /tmp/sched-prof
//   node dist/bench/scheduling-bench.js throughput --clients 64          # more concurrent creators
//   node dist/bench/scheduling-bench.js throughput --nodes 1000 --repeat 5  # min / median / max of 5 runs
//
// Hollow nodes renew their Leases every 40 s (--lease-interval 40) so that 5,000 nodes add about
// 125 lease writes/s instead of 500/s; the figures are about scheduling, not heartbeats.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuTimeMs, memoryMiB, printTable, round, runPool, startServer, type BenchServer } from './apiserver-support.js';
import { printSelfTimes, topSelfTimes } from './apiserver-profile.js';
import { calibrationMs } from './machine-speed.js';
import { startHollowNodes, type HollowNodesProcess } from '../test/support/hollow.js';
import { MOST_ALLOCATED } from '../test/support/scheduler-config.js';
import { RestClient } from '../src/client/rest-client.js';
import { findKind } from '../src/api/resources.js';
import type { KubeObject } from '../src/api/meta.js';
import { exitWithUsageIfAsked } from './usage.js';

const PODS = findKind('', 'v1', 'Pod')!;

const NAMESPACE = 'bench';
/** Concurrent pod creators (`--clients`); the offered load, not part of the system measured. */
let CONCURRENCY = 16;


interface PodTimes {
  created?: number;
  bound?: number;
  running?: number;
  node?: string;
}

/**
 * Watches bound pods in the bench namespace from `resourceVersion` and stamps first bound / Running
 * times. Creation is stamped by the creator, so the watch leaves out unbound pods (as the hollow
 * nodes' watch does): the observer then costs the server and itself a third fewer events.
 */
class PodClock {
  readonly times = new Map<string, PodTimes>();
  bound = 0;
  running = 0;
  private res?: import('node:http').IncomingMessage;
  private waiters: (() => void)[] = [];

  constructor(private readonly server: BenchServer) {}

  async start(resourceVersion: string): Promise<void> {
    this.res = await this.server.client.open('GET', `/api/v1/namespaces/${NAMESPACE}/pods?watch=true&allowWatchBookmarks=false&fieldSelector=spec.nodeName%21%3D&resourceVersion=${resourceVersion}`);
    if (this.res.statusCode !== 200) throw new Error(`watch failed: HTTP ${this.res.statusCode}`);
    let pending = '';
    this.res.on('data', (chunk: Buffer) => {
      const now = performance.now();
      pending += chunk.toString();
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim()) this.apply(JSON.parse(line) as { type: string; object: any }, now);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  private apply(event: { type: string; object: any }, now: number): void {
    if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
    const name = event.object.metadata.name as string;
    const entry = this.times.get(name) ?? {};
    this.times.set(name, entry);
    if (entry.bound === undefined && event.object.spec?.nodeName) {
      entry.bound = now;
      entry.node = event.object.spec.nodeName;
      this.bound++;
    }
    if (entry.running === undefined && event.object.status?.phase === 'Running') {
      entry.running = now;
      this.running++;
    }
  }

  /** Resolves when `done()` holds, checked after each chunk of events. */
  async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!done()) {
      if (performance.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
    return true;
  }

  stop(): void {
    this.res?.destroy();
  }
}

function pod(name: string, cpu = '100m', memory = '128Mi'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory } } }] },
  };
}

async function setup(server: BenchServer): Promise<string> {
  await server.client.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  const list = await server.client.json<{ metadata: { resourceVersion: string } }>('GET', `/api/v1/namespaces/${NAMESPACE}/pods?limit=1`);
  return list.metadata.resourceVersion;
}

function kubeconfigOf(server: BenchServer): string {
  return join(server.dataDir, 'kubeconfig.yaml');
}

async function hollow(server: BenchServer, count: number, prefix: string, extra: { cpu?: string; memory?: string } = {}): Promise<{ nodes: HollowNodesProcess; registerMs: number }> {
  const started = performance.now();
  const nodes = await startHollowNodes({ kubeconfig: kubeconfigOf(server), count, namePrefix: prefix, leaseIntervalSeconds: 40, readyTimeoutMs: 600_000, readyPollMs: count > 500 ? 2000 : 250, ...extra });
  return { nodes, registerMs: performance.now() - started };
}

interface BatchResult {
  pods: number;
  createS: number;
  createPerS: number;
  boundPerS: number;
  runningPerS: number;
  firstBoundMs: number;
  lastBoundMs: number;
  lastRunningMs: number;
  complete: boolean;
  /** CPU ms per pod from first create to last Running: the server, the hollow nodes, this client. */
  cpuPerPod: { server: number; serverMain: number; hollow: number; client: number };
}

/** CPU time so far of the three processes that share the machine's cores during a run. */
function cpuNow(server: BenchServer, hollowPid: number): { server: number; serverMain: number; hollow: number; client: number } {
  const own = process.cpuUsage();
  // The server's main thread (its tid is the pid) serves every request: the one that limits throughput.
  return { server: cpuTimeMs(server.pid), serverMain: cpuTimeMs(server.pid, server.pid), hollow: cpuTimeMs(hollowPid), client: (own.user + own.system) / 1000 };
}

/** Creates `count` pods named from `offset`, and waits until all are bound and Running. */
async function createBatch(server: BenchServer, clock: PodClock, offset: number, count: number, hollowPid: number): Promise<BatchResult> {
  const runningBefore = clock.running;
  const cpuBefore = cpuNow(server, hollowPid);
  const t0 = performance.now();
  // Pods are created with Kijabi's own client, as a controller creates them.
  const creator = new RestClient({ server: `https://127.0.0.1:${server.port}`, token: server.token, ca: server.ca, userAgent: 'kijabi-bench', maxSockets: CONCURRENCY, transport: 'undici' });
  await runPool(count, CONCURRENCY, async (i) => {
    const name = `p-${offset + i}`;
    const started = performance.now();
    await creator.createDiscardingResult(PODS, pod(name) as KubeObject);
    const entry = clock.times.get(name) ?? {};
    entry.created = started;
    clock.times.set(name, entry);
  });
  creator.close();
  const createdAt = performance.now();
  const complete = await clock.until(() => clock.running - runningBefore >= count, Math.max(120_000, count * 20));
  const cpuAfter = cpuNow(server, hollowPid);
  const perPod = (key: 'server' | 'serverMain' | 'hollow' | 'client') => round((cpuAfter[key] - cpuBefore[key]) / count, 2);
  const mine = Array.from({ length: count }, (_, i) => clock.times.get(`p-${offset + i}`) ?? {});
  const bound = mine.map((t) => t.bound).filter((v): v is number => v !== undefined);
  const running = mine.map((t) => t.running).filter((v): v is number => v !== undefined);
  const lastBound = Math.max(...bound);
  const lastRunning = Math.max(...running);
  return {
    pods: count,
    createS: round((createdAt - t0) / 1000, 2),
    createPerS: round(count / ((createdAt - t0) / 1000)),
    boundPerS: round(bound.length / ((lastBound - t0) / 1000)),
    runningPerS: round(running.length / ((lastRunning - t0) / 1000)),
    firstBoundMs: round(Math.min(...bound) - t0),
    lastBoundMs: round(lastBound - t0),
    lastRunningMs: round(lastRunning - t0),
    complete,
    cpuPerPod: { server: perPod('server'), serverMain: perPod('serverMain'), hollow: perPod('hollow'), client: perPod('client') },
  };
}

function report(title: string, result: BatchResult, extra: [string, string | number, string?][] = []): void {
  printTable(title, [
    ['pods', result.pods],
    ['create phase', result.createS, 's'],
    ['created', result.createPerS, `pods/s (${CONCURRENCY} clients, keep-alive HTTPS)`],
    ['first bound after', result.firstBoundMs, 'ms from first create'],
    ['last bound after', result.lastBoundMs, 'ms'],
    ['last Running after', result.lastRunningMs, 'ms'],
    ['bound', result.boundPerS, 'pods/s end to end (first create -> last bound)'],
    ['Running', result.runningPerS, 'pods/s end to end (first create -> last Running)'],
    ['all Running', result.complete ? 'yes' : 'NO (timed out)'],
    ['CPU per pod: server', result.cpuPerPod.server, 'ms (both threads; the three processes share the cores)'],
    ['CPU per pod: server main thread', result.cpuPerPod.serverMain, 'ms (API requests and watches)'],
    ['CPU per pod: hollow nodes', result.cpuPerPod.hollow, 'ms'],
    ['CPU per pod: bench client', result.cpuPerPod.client, 'ms'],
    ...extra,
  ]);
}

/** Min / median / max over repeated throughput runs. */
function summarizeRuns(nodes: number, runs: BatchResult[]): void {
  const spread = (values: number[]): string => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${sorted[0]} / ${sorted[Math.floor(sorted.length / 2)]} / ${sorted[sorted.length - 1]}`;
  };
  printTable(`Scheduling throughput, ${nodes} hollow nodes: ${runs.length} runs (min / median / max)`, [
    ['Running', spread(runs.map((r) => r.runningPerS)), 'pods/s end to end'],
    ['CPU per pod: server', spread(runs.map((r) => r.cpuPerPod.server)), 'ms'],
    ['CPU per pod: server main thread', spread(runs.map((r) => r.cpuPerPod.serverMain)), 'ms'],
    ['CPU per pod: hollow nodes', spread(runs.map((r) => r.cpuPerPod.hollow)), 'ms'],
    ['CPU per pod: bench client', spread(runs.map((r) => r.cpuPerPod.client)), 'ms'],
  ]);
}

async function profileSummary(dir: string | undefined): Promise<void> {
  if (!dir) return;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    console.log(`\nserver CPU profile ${join(dir, file)}: top self time`);
    printSelfTimes(topSelfTimes(join(dir, file), 15));
  }
}

async function throughput(nodes: number, pods: number, cpuProf?: string): Promise<BatchResult> {
  if (cpuProf) mkdirSync(cpuProf, { recursive: true });
  const server = await startServer({ nodeArgs: cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [] });
  let group: HollowNodesProcess | undefined;
  try {
    const rv = await setup(server);
    const { nodes: started, registerMs } = await hollow(server, nodes, 'hollow-');
    group = started;
    const clock = new PodClock(server);
    await clock.start(rv);
    const result = await createBatch(server, clock, 0, pods, started.pid);
    clock.stop();
    report(`Scheduling throughput: ${nodes} hollow nodes, ${pods} pods`, result, [
      ['nodes registered in', round(registerMs / 1000, 1), 's (create + status patch, 16 in flight)'],
      ['server RSS', round(memoryMiB(server.pid).rss), 'MiB'],
    ]);
    return result;
  } finally {
    await group?.stop();
    await server.stop();
    await profileSummary(cpuProf);
  }
}

async function scale(nodes: number, pods: number, total: number): Promise<void> {
  const server = await startServer();
  let group: HollowNodesProcess | undefined;
  try {
    const rv = await setup(server);
    const { nodes: started, registerMs } = await hollow(server, nodes, 'hollow-');
    group = started;
    const idle = memoryMiB(server.pid).rss;
    const clock = new PodClock(server);
    await clock.start(rv);
    const rows: [string, string | number, string?][] = [
      ['nodes registered in', round(registerMs / 1000, 1), 's'],
      ['RSS with nodes, no pods', round(idle), 'MiB'],
    ];
    let created = 0;
    while (created < total) {
      const count = Math.min(pods, total - created);
      const result = await createBatch(server, clock, created, count, started.pid);
      created += count;
      report(`Scale: ${nodes} hollow nodes, pods ${created - count}..${created}`, result);
      rows.push([`RSS at ${created} pods`, round(memoryMiB(server.pid).rss), `MiB (peak ${round(memoryMiB(server.pid).peak)})`]);
      if (!result.complete) break;
    }
    clock.stop();
    printTable(`Server memory: ${nodes} hollow nodes`, rows);
  } finally {
    await group?.stop();
    await server.stop();
  }
}

/** A fixed mix on 4-CPU / 16 GiB nodes; compares the nodes used with the fewest that could hold it. */
async function packing(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kijabi-sched-config-'));
  const config = join(dir, 'scheduler.yaml');
  writeFileSync(config, MOST_ALLOCATED);
  const server = await startServer({ serverArgs: ['--scheduler-config', config] });
  let group: HollowNodesProcess | undefined;
  try {
    const rv = await setup(server);
    const nodeCount = 40;
    ({ nodes: group } = await hollow(server, nodeCount, 'pack-', { cpu: '4', memory: '16Gi' }));
    const mix: [string, string, number][] = [
      ['1', '2Gi', 20],
      ['500m', '1Gi', 40],
      ['250m', '4Gi', 24],
      ['100m', '128Mi', 60],
    ];
    const clock = new PodClock(server);
    await clock.start(rv);
    const specs = mix.flatMap(([cpu, memory, n]) => Array.from({ length: n }, () => [cpu, memory] as const));
    // Create one at a time in a shuffled but fixed order, as a stream of unrelated workloads would.
    const order = specs.map((s, i) => ({ s, k: (i * 7919) % specs.length })).sort((a, b) => a.k - b.k).map((x) => x.s);
    await runPool(order.length, 1, async (i) => {
      const [cpu, memory] = order[i]!;
      const res = await server.client.send('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, pod(`mix-${i}`, cpu, memory));
      if (res.status !== 201) throw new Error(`create mix-${i}: HTTP ${res.status}`);
    });
    await clock.until(() => clock.bound >= order.length, 120_000);
    clock.stop();
    const milli = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
    const mib = (q: string) => (q.endsWith('Gi') ? Number(q.slice(0, -2)) * 1024 : Number(q.slice(0, -2)));
    const totalCpu = order.reduce((sum, [cpu]) => sum + milli(cpu), 0);
    const totalMem = order.reduce((sum, [, memory]) => sum + mib(memory), 0);
    const lowerBound = Math.max(Math.ceil(totalCpu / 4000), Math.ceil(totalMem / (16 * 1024)));
    const used = new Set([...clock.times.values()].map((t) => t.node).filter(Boolean)).size;
    printTable('Bin packing under MostAllocated (40 nodes of 4 CPU / 16 GiB)', [
      ['pods', order.length, mix.map(([c, m, n]) => `${n}x${c}/${m}`).join(' ')],
      ['requested', `${totalCpu / 1000} CPU`, `${round(totalMem / 1024, 2)} GiB`],
      ['fewest nodes possible', lowerBound, '(max of CPU and memory lower bounds)'],
      ['nodes used', used],
      ['packing ratio', round(lowerBound / used, 3), 'lower bound / nodes used (1.0 is perfect)'],
    ]);
  } finally {
    await group?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  exitWithUsageIfAsked(import.meta.url);
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      pods: { type: 'string', default: '10000' },
      total: { type: 'string', default: '30000' },
      'cpu-prof': { type: 'string' },
      clients: { type: 'string', default: '16' },
      repeat: { type: 'string', default: '1' },
    },
  });
  CONCURRENCY = Number(values.clients);
  const which = positionals.length ? positionals : ['throughput', 'scale', 'packing'];
  const pods = Number(values.pods);
  console.log(`machine: ${(await import('node:os')).cpus().length} CPUs, node ${process.version}, speed: calibration ${calibrationMs()} ms (bench/machine-speed.ts; lower is faster)`);
  if (which.includes('throughput')) {
    for (const nodes of values.nodes ? [Number(values.nodes)] : [1000, 5000]) {
      // Each run on a fresh server; the machine's speed drifts, so a range says more than one run.
      const runs: BatchResult[] = [];
      for (let run = 0; run < Number(values.repeat); run++) runs.push(await throughput(nodes, pods, values['cpu-prof']));
      if (runs.length > 1) summarizeRuns(nodes, runs);
    }
  }
  if (which.includes('scale')) await scale(Number(values.nodes ?? 5000), pods, Number(values.total));
  if (which.includes('packing')) await packing();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
