// Pod start latency of the real node agent (a script, not a test; run as root):
//   node dist/bench/pod-start-bench.js [--pods 100] [--parallel 10] [--warmup N] [--warmup-rounds 1] [--repeat 1] [--bare 30] [--cpu-prof DIR] [--json FILE]
//   node dist/bench/pod-start-bench.js --spawn-only [--spawns 200]   (helper spawn cost alone, no cluster)
// Starts a cluster as the e2e tests do (server + in-process agent, pods in a private node netns,
// busybox from a throwaway local registry, image pulled once and `warmup` pods started with
// `parallel` in flight before measuring), then:
//   1. sequential: create a pod, wait until a watch shows it Running, next (N pods);
//   2. RSS of the server process (API server + in-process agent) with those N pods running;
//   3. the same N pods again, `parallel` in flight at a time;
//   4. bare baseline: ip netns add + veth + addresses, `crun run true` on the same image rootfs,
//      cleanup, repeated `bare` times.
// Latency = POST sent -> first watch event with status.phase Running. The watch also gives the time
// the pod was bound to the node, which splits scheduling from the agent's part.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { calibrationMs } from './machine-speed.js';
import type { KubeObject } from '../src/api/meta.js';
import { findResource } from '../src/api/resources.js';
import { RestClient } from '../src/client/rest-client.js';
import { ImageStore } from '../src/node-agent/images/image-store.js';
import { runCommand } from '../src/node-agent/network/exec.js';
import { directLaunch } from '../src/node-agent/launcher/direct-launch.js';
import { LauncherClient } from '../src/node-agent/launcher/launcher-client.js';
import type { LaunchRequest, LaunchResult } from '../src/node-agent/launcher/launch-types.js';
import { fitSpecToAgent, readAgentLimits } from '../src/node-agent/runtime/host-limits.js';
import { buildOciSpec } from '../src/node-agent/runtime/oci-spec.js';
import { ContainerRuntime } from '../src/node-agent/runtime/container-runtime.js';
import { mountOverlay, unmount } from '../src/node-agent/runtime/rootfs.js';
import { PodNetwork } from '../src/node-agent/network/pod-network.js';
import { randomHex, removeNetns } from '../test/support/netns.js';
import { nodeClusterSkipReason, startNodeCluster, type NodeCluster } from '../test/support/node-cluster.js';
import { exitWithUsageIfAsked } from './usage.js';

const PODS = findResource('', 'v1', 'pods')!;

interface Timing {
  name: string;
  createdMs: number;
  boundMs?: number;
  runningMs?: number;
}

interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const round = (v: number): number => Math.round(v * 10) / 10;
  return { count: sorted.length, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? NaN), mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length) };
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function rssKiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Sum of VmRSS over the conmon processes that belong to this cluster. */
function conmonRssKiB(dataDir: string): { count: number; rssKiB: number } {
  let count = 0;
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.startsWith('/usr/bin/conmon') && !cmdline.startsWith('conmon')) continue;
      if (!cmdline.includes(dataDir)) continue;
      count++;
      total += rssKiB(Number(entry)).rss;
    } catch {
      // the process went away while we looked
    }
  }
  return { count, rssKiB: total };
}

/** Open fds and direct children (and how many of those are zombies) of a process. */
function processHandles(pid: number): { fds: number; children: number; zombies: number } {
  let fds = 0;
  try {
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    // gone
  }
  let children = 0;
  let zombies = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) {
        children++;
        try {
          if (/\) Z /.test(readFileSync(`/proc/${child}/stat`, 'utf8'))) zombies++;
        } catch {
          // reaped meanwhile
        }
      }
    }
  } catch {
    // gone
  }
  return { fds, children, zombies };
}

/** Samples processHandles every 250 ms; keeps the maxima per phase. */
class HandleSampler {
  private timer?: NodeJS.Timeout;
  private peak = { fds: 0, children: 0, zombies: 0 };
  constructor(private readonly pid: number) {}
  start(): void {
    this.peak = { fds: 0, children: 0, zombies: 0 };
    this.timer = setInterval(() => {
      const now = processHandles(this.pid);
      this.peak = { fds: Math.max(this.peak.fds, now.fds), children: Math.max(this.peak.children, now.children), zombies: Math.max(this.peak.zombies, now.zombies) };
    }, 250);
  }
  stop(): { fds: number; children: number; zombies: number } {
    clearInterval(this.timer);
    return this.peak;
  }
}

/** Watches pods of the default namespace and records bind and Running times per name. */
class PodWatch {
  readonly timings = new Map<string, Timing>();
  private readonly waiters = new Map<string, () => void>();
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly client: RestClient) {}

  async start(): Promise<void> {
    const list = await this.client.list(PODS, { namespace: 'default' });
    const stream = this.client.watch(PODS, { namespace: 'default', resourceVersion: list.metadata?.resourceVersion, signal: this.abort.signal });
    this.done = (async () => {
      try {
        for await (const event of stream) this.observe(event.object as KubeObject & Record<string, any>);
      } catch (err) {
        if (!this.abort.signal.aborted) throw err;
      }
    })();
  }

  private observe(pod: KubeObject & Record<string, any>): void {
    const t = this.timings.get(pod.metadata?.name ?? '');
    if (!t) return;
    const now = performance.now();
    if (t.boundMs === undefined && pod.spec?.nodeName) t.boundMs = now;
    if (t.runningMs === undefined && pod.status?.phase === 'Running') {
      t.runningMs = now;
      this.waiters.get(t.name)?.();
    }
  }

  /** Registers the pod just before its POST is sent; resolves when it is Running. */
  expect(name: string): { created: () => void; running: Promise<void> } {
    const timing: Timing = { name, createdMs: performance.now() };
    this.timings.set(name, timing);
    const running = new Promise<void>((resolve) => this.waiters.set(name, resolve));
    return { created: () => (timing.createdMs = performance.now()), running };
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done.catch(() => undefined);
  }
}

function podObject(name: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { bench: 'pod-start' } },
    // IfNotPresent: the benchmark measures starts with the image present (a :latest image would
    // otherwise default to Always and ask the registry on every start).
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
  } as KubeObject;
}

async function startPod(client: RestClient, watch: PodWatch, name: string, image: string, timeoutMs = 120_000): Promise<void> {
  const w = watch.expect(name);
  w.created();
  await client.create(PODS, podObject(name, image));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([w.running, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${name} not Running after ${timeoutMs} ms`)), timeoutMs)))]);
  clearTimeout(timer);
}

async function deleteAllPods(client: RestClient): Promise<void> {
  await client.deleteCollection(PODS, { namespace: 'default' }, { gracePeriodSeconds: 0 });
  const deadline = Date.now() + 180_000;
  while ((await client.list(PODS, { namespace: 'default' })).items.length > 0) {
    if (Date.now() > deadline) throw new Error('pods not deleted after 180 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Force-deleted pods leave the API at once; the agent tears them down afterwards. Waits until it has
 * (no conmon of this cluster left, pods dir empty) so a phase does not measure the previous one's
 * teardown; returns how long that took.
 */
async function waitForAgentIdle(cluster: NodeCluster, timeoutMs = 180_000): Promise<number> {
  const started = performance.now();
  const podsDir = join(cluster.dataDir, 'agent', 'pods');
  const busy = (): boolean => {
    let left: string[] = [];
    try {
      left = readdirSync(podsDir);
    } catch {
      // not created yet
    }
    return left.length > 0 || conmonRssKiB(cluster.dataDir).count > 0;
  };
  while (busy()) {
    if (performance.now() - started > timeoutMs) throw new Error(`agent still tearing pods down after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Math.round(performance.now() - started);
}

function latencies(watch: PodWatch, names: string[]): { total: Summary; schedule: Summary; agent: Summary } {
  const rows = names.map((n) => watch.timings.get(n)!).filter((t) => t.runningMs !== undefined);
  return {
    total: summarize(rows.map((t) => t.runningMs! - t.createdMs)),
    schedule: summarize(rows.filter((t) => t.boundMs !== undefined).map((t) => t.boundMs! - t.createdMs)),
    agent: summarize(rows.filter((t) => t.boundMs !== undefined).map((t) => t.runningMs! - t.boundMs!)),
  };
}

/** netns + veth + addresses, `crun run true` on a copy of the image rootfs, cleanup; `runs` times. */
async function bareBaseline(cluster: NodeCluster, runs: number): Promise<{ total: Summary; netns: Summary; crun: Summary; cleanup: Summary }> {
  const store = new ImageStore(join(cluster.dataDir, 'agent', 'images'));
  const image = store.resolve(cluster.busybox);
  if (!image || image.layers.length !== 1) throw new Error(`expected the one-layer busybox image in the agent's store, got ${JSON.stringify(image?.layers)}`);
  const dir = mkdtempSync(join(tmpdir(), 'kjb-bare-'));
  const bundle = join(dir, 'bundle');
  const crunRoot = join(dir, 'crun');
  mkdirSync(crunRoot);
  cpSync(image.layers[0]!, join(bundle, 'rootfs'), { recursive: true, verbatimSymlinks: true });
  const rows = { total: [] as number[], netns: [] as number[], crun: [] as number[], cleanup: [] as number[] };
  try {
    for (let i = 0; i < runs; i++) {
      const suffix = randomHex(4);
      const netns = `kjb-b${suffix}`;
      const veth = `kjvb${suffix}`;
      const t0 = performance.now();
      await runCommand(['ip', 'netns', 'add', netns]);
      await runCommand(['ip', '-n', cluster.netns.name, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
      await runCommand(['ip', '-n', cluster.netns.name, 'link', 'set', veth, 'up']);
      await runCommand(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
      await runCommand(['ip', '-n', netns, 'addr', 'add', '10.42.250.2/24', 'dev', 'eth0']);
      await runCommand(['ip', '-n', netns, 'link', 'set', 'eth0', 'up']);
      const t1 = performance.now();
      const spec = buildOciSpec({
        id: `bare-${suffix}`, rootfsPath: join(bundle, 'rootfs'), args: ['true'], env: ['PATH=/bin'], cwd: '/', hostname: 'bare', tty: false, stdin: false,
        netnsPath: `/var/run/netns/${netns}`, mounts: [], capabilities: { add: [], drop: [] }, privileged: false, readOnlyRootfs: false,
        cgroupsPath: `/kijabi-bench/bare-${suffix}`, resources: {}, seccomp: 'RuntimeDefault', noNewPrivileges: false,
      });
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(fitSpecToAgent(spec, readAgentLimits())));
      await runCommand(['crun', '--root', crunRoot, 'run', '--bundle', bundle, `bare-${suffix}`], undefined, 30_000);
      const t2 = performance.now();
      await runCommand(['ip', '-n', cluster.netns.name, 'link', 'del', veth]);
      await runCommand(['ip', 'netns', 'del', netns]);
      const t3 = performance.now();
      rows.netns.push(t1 - t0);
      rows.crun.push(t2 - t1);
      rows.cleanup.push(t3 - t2);
      rows.total.push(t3 - t0);
    }
  } finally {
    for (const name of execFileSync('ip', ['netns', 'list']).toString().split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith('kjb-b'))) {
      await removeNetns(name).catch(() => undefined);
    }
    removeBenchCgroups();
    rmSync(dir, { recursive: true, force: true });
  }
  return { total: summarize(rows.total), netns: summarize(rows.netns), crun: summarize(rows.crun), cleanup: summarize(rows.cleanup) };
}

/**
 * The agent's own building blocks, timed one by one on the same image (sequential, `runs` times):
 * PodNetwork.setupPod, overlay mount, conmon + crun create, crun start. Uses its own bridge and a
 * spare /24 inside the cluster's node netns. Run last: teardownNode removes the node's guard route.
 */
async function stageBreakdown(cluster: NodeCluster, runs: number): Promise<Record<string, Summary>> {
  const image = new ImageStore(join(cluster.dataDir, 'agent', 'images')).resolve(cluster.busybox)!;
  const dir = mkdtempSync(join(tmpdir(), 'kjb-stg-'));
  const network = new PodNetwork({ bridge: 'kjbbench', podCidr: '10.42.250.0/24', stateDir: join(dir, 'net'), clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', nodeNetns: cluster.netns.name });
  const runtime = new ContainerRuntime({ root: join(dir, 'rt') });
  const rows: Record<string, number[]> = { network: [], overlay: [], create: [], start: [], total: [] };
  try {
    await network.setupNode();
    for (let i = 0; i < runs; i++) {
      const uid = `bench-${randomHex(8)}`;
      const c = join(dir, String(i));
      for (const d of ['upper', 'work', 'merged', 'bundle', 'logs']) mkdirSync(join(c, d), { recursive: true });
      const t0 = performance.now();
      const net = await network.setupPod(uid, uid);
      const t1 = performance.now();
      await mountOverlay(image.layers, join(c, 'upper'), join(c, 'work'), join(c, 'merged'));
      const t2 = performance.now();
      const spec = buildOciSpec({
        id: uid, rootfsPath: join(c, 'merged'), args: ['sleep', '30'], env: ['PATH=/bin'], cwd: '/', hostname: 'stage', tty: false, stdin: false,
        netnsPath: net.netnsPath, mounts: [], capabilities: { add: [], drop: [] }, privileged: false, readOnlyRootfs: false,
        cgroupsPath: `/kijabi-bench/${uid}`, resources: {}, seccomp: 'RuntimeDefault', noNewPrivileges: false,
      });
      await runtime.create(uid, join(c, 'bundle'), spec, join(c, 'logs', '0.log'));
      const t3 = performance.now();
      await runtime.start(uid);
      const t4 = performance.now();
      rows.network!.push(t1 - t0);
      rows.overlay!.push(t2 - t1);
      rows.create!.push(t3 - t2);
      rows.start!.push(t4 - t3);
      rows.total!.push(t4 - t0);
      await runtime.kill(uid, 'KILL').catch(() => undefined);
      await runtime.delete(uid);
      await unmount(join(c, 'merged'));
      await network.teardownPod(uid);
    }
  } finally {
    await network.teardownNode().catch(() => undefined);
    removeBenchCgroups();
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const mount = line.split(' ')[4];
      if (mount?.startsWith(dir)) await runCommand(['umount', '-l', mount]).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, summarize(v)]));
}

/**
 * Node refuses --cpu-prof in NODE_OPTIONS, so the server is profiled by a preloaded module that
 * starts the inspector's profiler and writes `<dir>/server-<pid>.cpuprofile` when the process exits
 * (the in-thread inspector session answers synchronously, so this works in the exit handler).
 */
function profilerPreload(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'profile-preload.mjs');
  writeFileSync(file, [
    "import { Session } from 'node:inspector';",
    "import { writeFileSync } from 'node:fs';",
    'const session = new Session();',
    'session.connect();',
    "session.post('Profiler.enable');",
    "session.post('Profiler.setSamplingInterval', { interval: 500 });",
    "session.post('Profiler.start');",
    "process.on('exit', () => session.post('Profiler.stop', (err, result) => {",
    `  if (!err) writeFileSync(${JSON.stringify(dir)} + '/server-' + process.pid + '.cpuprofile', JSON.stringify(result.profile));`,
    '}));',
    '',
  ].join('\n'));
  return file;
}

function removeBenchCgroups(): void {
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    try {
      rmdirSync(`/sys/fs/cgroup/${controller}/kijabi-bench`);
    } catch {
      // not there (the runtime removed the container cgroups; only the empty parent may remain)
    }
  }
}

/** A minimal Node launcher speaking the same protocol (argv, piped output), to compare with perl. */
const NODE_LAUNCHER = `
const { spawn } = require('node:child_process');
let buf = '';
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
out({ ready: true, pid: process.pid });
process.stdin.setEncoding('utf8');
process.stdin.on('end', () => process.exit(0));
process.stdin.on('data', (text) => {
  buf += text;
  let end;
  while ((end = buf.indexOf('\\n')) >= 0) {
    const req = JSON.parse(buf.slice(0, end)); buf = buf.slice(end + 1);
    const child = spawn(req.argv[0], req.argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => out({ id: req.id, errno: 2, error: e.message }));
    child.on('close', (code, signal) => out({ id: req.id, pid: child.pid, code, signal: null, stdout, stderr }));
  }
});`;

/**
 * Cost of short-lived helpers seen from a Node process: `count` runs of /bin/true, `inFlight` at a
 * time, by direct spawn, through the perl launcher and through a Node launcher; with and without
 * a large heap in this process (the agent shares its process with the API server).
 */
async function spawnCost(count: number, inFlight: number): Promise<Record<string, unknown>> {
  const runners: [string, () => { run(r: LaunchRequest): Promise<LaunchResult>; close(): void }][] = [
    ['direct', () => ({ run: directLaunch, close: () => undefined })],
    ['perlLauncher', () => new LauncherClient()],
    ['nodeLauncher', () => new LauncherClient({ command: [process.execPath, '-e', NODE_LAUNCHER] })],
  ];
  const measure = async (): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = {};
    for (const [name, make] of runners) {
      const runner = make();
      await runner.run({ argv: ['/bin/true'] });
      const times: number[] = [];
      let next = 0;
      const elu0 = performance.eventLoopUtilization();
      const start = performance.now();
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next++ < count) {
          const t0 = performance.now();
          await runner.run({ argv: ['/bin/true'] });
          times.push(performance.now() - t0);
        }
      }));
      const wall = performance.now() - start;
      const elu = performance.eventLoopUtilization(elu0);
      out[name] = { ...summarize(times), wallMs: Math.round(wall), perSpawnMs: Math.round((wall / count) * 100) / 100, eventLoopBusyMs: Math.round(elu.active) };
      runner.close();
    }
    return out;
  };
  const small = await measure();
  // About 400 MB of live objects, as a busy server process can hold.
  const ballast: unknown[] = Array.from({ length: 400 }, () => Array.from({ length: 20_000 }, (_, i) => ({ i, s: `v${i}` })));
  const large = await measure();
  const heapMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
  ballast.length = 0;
  return { count, inFlight, smallHeap: small, largeHeap: { rssMiB: heapMiB, ...large } };
}

/** CPU time the whole machine spent busy (all cores, every process: agent, crun, conmon, ip...). */
function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const busy = fields.reduce((a, b) => a + b, 0) - (fields[3] ?? 0) - (fields[4] ?? 0);
  return (busy * 1000) / 100;
}

/** One whole benchmark on a fresh cluster; the results as printed. */
async function runOnce(): Promise<Record<string, unknown>> {
  const count = Number(arg('pods', '100'));
  const parallel = Number(arg('parallel', '10'));
  const bareRuns = Number(arg('bare', '30'));
  const warmupPods = Number(arg('warmup', String(count)));
  // Rounds of `warmup` pods (deleted after each round) before measuring.
  const warmupRounds = Number(arg('warmup-rounds', '1'));
  // --quick: only the two latency phases (no steady-state wait, baseline or stage breakdown).
  const quick = process.argv.includes('--quick');
  const profDir = arg('cpu-prof', '');
  if (profDir) process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${profilerPreload(profDir)}`.trim();
  // Before the cluster starts: the machine's speed, not the benchmark's own load.
  const speed = calibrationMs();
  const load = { start: loadavg()[0]!, end: 0 };
  const cluster = await startNodeCluster({ crashBackoffMs: 1000 });
  delete process.env.NODE_OPTIONS;
  const client = RestClient.fromKubeconfig(cluster.kubeconfig, { userAgent: 'kijabi-pod-start-bench' });
  const watch = new PodWatch(client);
  const results: Record<string, unknown> = {};
  try {
    await watch.start();
    // Pull the image and warm every code path once; not measured. The concurrent round matters:
    // a server that has only started pods one by one still compiles the paths that concurrency
    // takes (a cold first 10-in-flight round used ~20 % more CPU per pod than a later one; a
    // node agent that has run for a while is the state that matters).
    const warmStart = performance.now();
    await startPod(client, watch, 'warmup', cluster.busybox);
    results.firstPodWithPullMs = Math.round(performance.now() - warmStart);
    for (let round = 0; round < warmupRounds; round++) {
      const warmups = Array.from({ length: warmupPods }, (_, i) => `warmup-${round}-${i}`);
      await Promise.all(Array.from({ length: parallel }, async () => {
        for (let name = warmups.shift(); name; name = warmups.shift()) await startPod(client, watch, name, cluster.busybox);
      }));
      await deleteAllPods(client);
      await waitForAgentIdle(cluster);
    }
    const pid = cluster.child().pid!;
    results.serverRssIdleKiB = rssKiB(pid).rss;

    const sampler = new HandleSampler(pid);
    results.handlesIdle = processHandles(pid);
    const sequential = Array.from({ length: count }, (_, i) => `seq-${i}`);
    sampler.start();
    let busyBefore = machineBusyMs();
    // CLOCK_MONOTONIC bounds of each phase (µs), the clock of .cpuprofile samples and of
    // `perf record -k CLOCK_MONOTONIC`: profiles can be cut to one phase.
    const windows: Record<string, [number, number]> = {};
    let phaseStart = monotonicUs();
    for (const name of sequential) await startPod(client, watch, name, cluster.busybox);
    windows.sequential = [phaseStart, monotonicUs()];
    results.sequential = latencies(watch, sequential);
    results.machineCpuPerPodSequentialMs = Math.round((machineBusyMs() - busyBefore) / count);
    results.handlesPeakSequential = sampler.stop();
    await new Promise((r) => setTimeout(r, 2000));
    results.memoryWithPods = { pods: count, server: rssKiB(pid), conmon: conmonRssKiB(cluster.dataDir) };
    // Steady state: N pods running, nothing changing. The agent should be (almost) quiet.
    sampler.start();
    if (!quick) await new Promise((r) => setTimeout(r, 15_000));
    results.handlesSteadyWithPods = { ...sampler.stop(), final: processHandles(pid) };
    await deleteAllPods(client);
    results.teardownAfterDeleteMs = await waitForAgentIdle(cluster);
    results.handlesAfterDelete = processHandles(pid);

    const concurrent = Array.from({ length: count }, (_, i) => `par-${i}`);
    const queue = [...concurrent];
    sampler.start();
    busyBefore = machineBusyMs();
    phaseStart = monotonicUs();
    await Promise.all(Array.from({ length: parallel }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) await startPod(client, watch, name, cluster.busybox);
    }));
    windows[`parallel${parallel}`] = [phaseStart, monotonicUs()];
    results.phaseWindowsMonotonicUs = windows;
    results[`parallel${parallel}`] = latencies(watch, concurrent);
    results[`machineCpuPerPodParallel${parallel}Ms`] = Math.round((machineBusyMs() - busyBefore) / count);
    results[`handlesPeakParallel${parallel}`] = sampler.stop();
    await deleteAllPods(client);
    await new Promise((r) => setTimeout(r, 2000));
    results.handlesAfterAllDeleted = processHandles(pid);

    if (!quick) {
      const bare = await bareBaseline(cluster, bareRuns);
      results.bare = bare;
      const seq = results.sequential as { total: Summary };
      results.ratioPodP50ToBareP50 = Math.round((seq.total.p50 / bare.total.p50) * 10) / 10;
      results.agentStages = await stageBreakdown(cluster, Number(arg('stages', '20')));
      results.helperSpawn = await spawnCost(Number(arg('spawns', '200')), 10);
    }
  } catch (err) {
    // Report the cause now: cleanup below may fail on its own and hide it.
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
    throw err;
  } finally {
    // Leave no containers behind: the agent must tear every pod down before the server stops.
    await deleteAllPods(client).catch((err: unknown) => process.stderr.write(`pod cleanup: ${String(err)}\n`));
    await watch.stop();
    client.close();
    await cluster.stop();
  }
  load.end = loadavg()[0]!;
  results.machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, kernel: release(), node: process.version, load1: load, calibrationMs: speed };
  return results;
}

/** What --repeat prints besides each run: the latency figures of every run side by side. */
function summarizeRuns(runs: Record<string, unknown>[], parallel: number): Record<string, unknown> {
  const pick = (phase: string, field: keyof Summary) => runs.map((r) => (r[phase] as { total?: Summary } | undefined)?.total?.[field]);
  const parallelP99 = pick(`parallel${parallel}`, 'p99');
  return {
    runs: runs.length,
    sequential: { p50: pick('sequential', 'p50'), p99: pick('sequential', 'p99') },
    [`parallel${parallel}`]: { p50: pick(`parallel${parallel}`, 'p50'), p99: parallelP99, p99Below300ms: parallelP99.filter((v) => v !== undefined && v < 300).length },
    machineCpuPerPodParallelMs: runs.map((r) => r[`machineCpuPerPodParallel${parallel}Ms`]),
    calibrationMs: runs.map((r) => (r.machine as { calibrationMs?: number } | undefined)?.calibrationMs),
  };
}

async function main(): Promise<void> {
  exitWithUsageIfAsked(import.meta.url);
  if (process.argv.includes('--spawn-only')) {
    process.stdout.write(JSON.stringify(await spawnCost(Number(arg('spawns', '200')), 10), null, 2) + '\n');
    return;
  }
  const skip = nodeClusterSkipReason();
  if (skip) throw new Error(`cannot run: ${skip}`);
  // --repeat N: N whole runs, each on a fresh cluster (the machine's speed drifts; a range says more).
  const repeat = Number(arg('repeat', '1'));
  const runs: Record<string, unknown>[] = [];
  for (let run = 0; run < repeat; run++) runs.push(await runOnce());
  const output = repeat === 1 ? runs[0] : { summary: summarizeRuns(runs, Number(arg('parallel', '10'))), runs };
  const json = JSON.stringify(output, null, 2);
  const out = arg('json', '');
  if (out) writeFileSync(out, json + '\n');
  process.stdout.write(json + '\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
