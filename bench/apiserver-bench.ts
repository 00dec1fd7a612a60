// API server benchmarks against the real `bin/kijabi server` child process over HTTPS:
//   create   ConfigMap creates/s with 16 concurrent clients, latency, server CPU
//   list     LIST of 10,000 ConfigMaps (all at once and in pages of 500), RSS idle and with 10k objects
//   watch    delivery latency of ConfigMap events to 1,000 watch streams
//   startup  spawn -> first /readyz 200, fresh and existing data dir
// Usage: node dist/bench/apiserver-bench.js [create] [list] [watch] [startup]
//          [--duration 10] [--clients 16] [--objects 10000] [--watchers 1000] [--watch-procs 1]
//          [--writes 200] [--rate 20] [--starts 10] [--cpu-prof <dir>] [--json <file>]
// With no benchmark named, all four run. See bench/README.md and docs/benchmarks.md.

import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printSelfTimes, topSelfTimes, type SelfTime } from './apiserver-profile.js';
import { calibrationMs } from './machine-speed.js';
import {
  cpuTimeMs, HttpsClient, median, memoryMiB, printTable, round, runPool, startServer, summarise,
  type BenchServer, type Summary,
} from './apiserver-support.js';
import { runWatchWorker, watchLatencies, type WatchWorkerConfig } from './apiserver-watch.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    clients: { type: 'string', default: '16' },
    objects: { type: 'string', default: '10000' },
    watchers: { type: 'string', default: '1000' },
    'watch-procs': { type: 'string', default: '1' },
    writes: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    starts: { type: 'string', default: '10' },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
    'watch-worker': { type: 'boolean', default: false },
  },
});

const SELF = fileURLToPath(import.meta.url);
const smallData = { 'app.properties': 'mode=bench\nlevel=3\n', greeting: 'hello' };

function configMap(name: string, annotations?: Record<string, string>): unknown {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(annotations ? { annotations } : {}) }, data: smallData };
}

async function ensureNamespace(client: HttpsClient, name: string): Promise<void> {
  const res = await client.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (res.status !== 201 && res.status !== 409) throw new Error(`create namespace ${name}: HTTP ${res.status}: ${res.body.toString()}`);
}

function ms(summary: Summary): Record<string, number> {
  return { count: summary.count, p50: round(summary.p50, 2), p99: round(summary.p99, 2), max: round(summary.max, 2), mean: round(summary.mean, 2) };
}

/** node flags that make the server write a CPU profile for benchmark `name`, if --cpu-prof was given. */
function profileArgs(name: string): string[] {
  if (!flags['cpu-prof']) return [];
  const dir = join(flags['cpu-prof'], name);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** After the server stopped: the top self-time functions of its newest profile. */
function profileTop(name: string): SelfTime[] | undefined {
  if (!flags['cpu-prof']) return undefined;
  const dir = join(flags['cpu-prof'], name);
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
  if (!file) return undefined;
  const top = topSelfTimes(join(dir, file), 15).map((r) => ({ ...r, selfMs: Math.round(r.selfMs), percent: round(r.percent, 1) }));
  console.log(`\nserver profile ${join(dir, file)} (whole server run, incl. start-up), top self time:`);
  printSelfTimes(top);
  return top;
}

// 1. Creates per second ---------------------------------------------------------------------------

interface CreateResult {
  clients: number;
  seconds: number;
  creates: number;
  createsPerSecond: number;
  errors: number;
  latencyMs: Record<string, number>;
  serverCpuMs: number;
  serverCpuCores: number;
  clientCpuCores: number;
  profileTop?: SelfTime[];
}

async function benchCreate(): Promise<CreateResult> {
  const clients = Number(flags.clients);
  const server = await startServer({ nodeArgs: profileArgs('create') });
  try {
    const client = new HttpsClient(server.port, server.token, server.ca, clients);
    await ensureNamespace(client, 'bench-create');
    const path = '/api/v1/namespaces/bench-create/configmaps';
    let phase: 'warmup' | 'measure' | 'done' = 'warmup';
    const latencies: number[] = [];
    let errors = 0;
    let firstError = '';
    const worker = async (id: number) => {
      for (let seq = 0; phase !== 'done'; seq++) {
        const started = performance.now();
        const res = await client.send('POST', path, configMap(`cm-${id}-${seq}`));
        const elapsed = performance.now() - started;
        if (phase !== 'measure') continue;
        if (res.status === 201) latencies.push(elapsed);
        else if (errors++ === 0) firstError = `HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`;
      }
    };
    const running = Promise.all(Array.from({ length: clients }, (_, id) => worker(id)));
    await new Promise((r) => setTimeout(r, Number(flags.warmup) * 1000));
    const cpuBefore = cpuTimeMs(server.pid);
    const clientCpuBefore = process.cpuUsage();
    const started = performance.now();
    phase = 'measure';
    await new Promise((r) => setTimeout(r, Number(flags.duration) * 1000));
    phase = 'done';
    const seconds = (performance.now() - started) / 1000;
    const serverCpuMs = cpuTimeMs(server.pid) - cpuBefore;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    await running;
    client.close();
    if (errors) console.error(`create: ${errors} failed requests, first: ${firstError}`);
    const result: CreateResult = {
      clients,
      seconds: round(seconds, 2),
      creates: latencies.length,
      createsPerSecond: Math.round(latencies.length / seconds),
      errors,
      latencyMs: ms(summarise(latencies)),
      serverCpuMs: Math.round(serverCpuMs),
      serverCpuCores: round(serverCpuMs / 1000 / seconds, 2),
      clientCpuCores: round((clientCpu.user + clientCpu.system) / 1e6 / seconds, 2),
    };
    printTable(`create: POST ConfigMap, ${clients} concurrent clients, ${result.seconds} s after ${flags.warmup} s warm-up`, [
      ['creates/s', result.createsPerSecond, 'target >= 2,000'],
      ['latency p50 (ms)', result.latencyMs.p50!],
      ['latency p99 (ms)', result.latencyMs.p99!],
      ['latency max (ms)', result.latencyMs.max!],
      ['errors', errors],
      ['server CPU (cores)', result.serverCpuCores],
      ['client CPU (cores)', result.clientCpuCores],
    ]);
    await server.stop();
    result.profileTop = profileTop('create');
    return result;
  } finally {
    await server.stop();
  }
}

// 2 + 4. List of 10k, and memory -----------------------------------------------------------------

interface ListResult {
  objects: number;
  fillSeconds: number;
  fillPerSecond: number;
  listAllMs: Record<string, number>;
  listAllBytes: number;
  pagedWalkMs: Record<string, number>;
  pageMs: Record<string, number>;
  pages: number;
  memory: { idleRssMiB: number; rssWith10kMiB: number; peakRssMiB: number };
}

async function benchList(): Promise<ListResult> {
  const objects = Number(flags.objects);
  const server = await startServer();
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const idle = memoryMiB(server.pid);
    const client = new HttpsClient(server.port, server.token, server.ca, 32);
    await ensureNamespace(client, 'bench-list');
    const path = '/api/v1/namespaces/bench-list/configmaps';
    let fillStarted = performance.now();
    await runPool(objects, 32, async (index) => {
      await client.json('POST', path, configMap(`cm-${String(index).padStart(5, '0')}`));
    });
    const fillSeconds = (performance.now() - fillStarted) / 1000;

    const listTimes: number[] = [];
    let bytes = 0;
    for (let round_ = 0; round_ < 21; round_++) {
      const started = performance.now();
      const res = await client.send('GET', path);
      const elapsed = performance.now() - started;
      if (res.status !== 200) throw new Error(`list: HTTP ${res.status}`);
      bytes = res.body.length;
      // The namespace also holds the kube-root-ca.crt ConfigMap every namespace gets: count ours.
      const count = (JSON.parse(res.body.toString()) as { items: { metadata: { name: string } }[] }).items.filter((i) => i.metadata.name.startsWith('cm-')).length;
      if (count !== objects) throw new Error(`list returned ${count} items, expected ${objects}`);
      if (round_ > 0) listTimes.push(elapsed); // the first is a warm-up
    }

    const walkTimes: number[] = [];
    const pageTimes: number[] = [];
    let pages = 0;
    for (let walk = 0; walk < 6; walk++) {
      const walkStarted = performance.now();
      let token: string | undefined;
      let seen = 0;
      pages = 0;
      do {
        const started = performance.now();
        const page = await client.json<{ items: { metadata: { name: string } }[]; metadata: { continue?: string } }>('GET', `${path}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
        if (walk > 0) pageTimes.push(performance.now() - started);
        seen += page.items.filter((i) => i.metadata.name.startsWith('cm-')).length;
        pages++;
        token = page.metadata.continue || undefined;
      } while (token);
      if (seen !== objects) throw new Error(`paged list saw ${seen} items, expected ${objects}`);
      if (walk > 0) walkTimes.push(performance.now() - walkStarted);
    }
    client.close();
    fillStarted = 0;
    const loaded = memoryMiB(server.pid);
    const result: ListResult = {
      objects,
      fillSeconds: round(fillSeconds, 2),
      fillPerSecond: Math.round(objects / fillSeconds),
      listAllMs: ms(summarise(listTimes)),
      listAllBytes: bytes,
      pagedWalkMs: ms(summarise(walkTimes)),
      pageMs: ms(summarise(pageTimes)),
      pages,
      memory: { idleRssMiB: round(idle.rss), rssWith10kMiB: round(loaded.rss), peakRssMiB: round(loaded.peak) },
    };
    printTable(`list: ${objects} ConfigMaps in one namespace (filled at ${result.fillPerSecond}/s with 32 clients)`, [
      ['LIST all p50 (ms)', result.listAllMs.p50!, '20 runs'],
      ['LIST all p99 (ms)', result.listAllMs.p99!],
      ['LIST all size (bytes)', bytes.toLocaleString('en-US')],
      [`paged walk p50 (ms)`, result.pagedWalkMs.p50!, `limit=500, ${pages} pages, 5 walks`],
      [`paged walk p99 (ms)`, result.pagedWalkMs.p99!],
      ['one page p50 (ms)', result.pageMs.p50!],
      ['one page p99 (ms)', result.pageMs.p99!],
    ]);
    printTable('memory: server VmRSS', [
      ['idle, 2 s after start (MiB)', result.memory.idleRssMiB, 'target < 100'],
      [`with ${objects} objects (MiB)`, result.memory.rssWith10kMiB, 'after the list runs'],
      ['peak VmHWM (MiB)', result.memory.peakRssMiB],
    ]);
    return result;
  } finally {
    await server.stop();
  }
}

// 3. Watch delivery latency -----------------------------------------------------------------------

interface WatchResult {
  watchers: number;
  processes: number;
  writes: number;
  ratePerSecond: number;
  expectedDeliveries: number;
  deliveries: number;
  latencyMs: Record<string, number>;
  writeLatencyMs: Record<string, number>;
  openSeconds: number;
  serverCpuCores: number;
  clientCpuCores: number;
  profileTop?: SelfTime[];
}

async function benchWatch(): Promise<WatchResult> {
  const watchers = Number(flags.watchers);
  const processes = Math.max(1, Number(flags['watch-procs']));
  const writes = Number(flags.writes);
  const rate = Number(flags.rate);
  const server = await startServer({ nodeArgs: profileArgs('watch') });
  try {
    const ca = server.ca;
    const client = new HttpsClient(server.port, server.token, ca, 4);
    const namespace = 'bench-watch';
    await ensureNamespace(client, namespace);
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    const list = await client.json<{ metadata: { resourceVersion: string } }>('GET', path);
    const config: WatchWorkerConfig = { port: server.port, token: server.token, ca, path, resourceVersion: list.metadata.resourceVersion, watchers: 0, expected: writes };

    // One unannotated write: the server sends a watch's response head only with its first event.
    const warmUp = () => client.json('POST', path, configMap('warm-up'));
    const openStarted = performance.now();
    const clientCpuBefore = process.cpuUsage();
    let collect: () => Promise<{ latencies: number[]; clientCpuMs: number }>;
    if (processes === 1) {
      const local = watchLatencies({ ...config, watchers });
      await warmUp();
      await local.opened;
      collect = async () => ({ latencies: await local.finish(10_000), clientCpuMs: 0 });
    } else {
      const children = Array.from({ length: processes }, (_, i) => {
        const share = Math.floor(watchers / processes) + (i < watchers % processes ? 1 : 0);
        const child = fork(SELF, ['--watch-worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        const messages: unknown[] = [];
        const waiters: ((m: unknown) => void)[] = [];
        child.on('message', (m) => (waiters.length ? waiters.shift()!(m) : messages.push(m)));
        const next = () => new Promise<unknown>((r) => (messages.length ? r(messages.shift()) : waiters.push(r)));
        child.send({ ...config, watchers: share });
        return { child, next };
      });
      await warmUp();
      await Promise.all(children.map((c) => c.next())); // 'ready'
      collect = async () => {
        for (const c of children) c.child.send('finish');
        const results = (await Promise.all(children.map((c) => c.next()))) as { latencies: number[]; cpuMs: number }[];
        return { latencies: results.flatMap((r) => r.latencies), clientCpuMs: results.reduce((s, r) => s + r.cpuMs, 0) };
      };
    }
    const openSeconds = (performance.now() - openStarted) / 1000;
    await new Promise((r) => setTimeout(r, 1000)); // let the handshakes' garbage settle

    const serverCpuBefore = cpuTimeMs(server.pid);
    const writeCpuBefore = process.cpuUsage();
    const writeLatencies: number[] = [];
    const started = performance.now();
    const creates = Math.ceil(writes / 2);
    for (let i = 0; i < writes; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sent = String(Number(process.hrtime.bigint()) / 1e6);
      const annotations = { 'bench.kijabi.io/sent': sent };
      const t0 = performance.now();
      if (i < creates) await client.json('POST', path, configMap(`watched-${i}`, annotations));
      else await client.json('PATCH', `${path}/watched-${i - creates}`, { metadata: { annotations } }, 'application/merge-patch+json');
      writeLatencies.push(performance.now() - t0);
    }
    const { latencies, clientCpuMs } = await collect();
    const seconds = (performance.now() - started) / 1000;
    const serverCpuMs = cpuTimeMs(server.pid) - serverCpuBefore;
    const ownCpu = process.cpuUsage(writeCpuBefore);
    void clientCpuBefore;
    client.close();
    const result: WatchResult = {
      watchers,
      processes,
      writes,
      ratePerSecond: rate,
      expectedDeliveries: watchers * writes,
      deliveries: latencies.length,
      latencyMs: ms(summarise(latencies)),
      writeLatencyMs: ms(summarise(writeLatencies)),
      openSeconds: round(openSeconds, 2),
      serverCpuCores: round(serverCpuMs / 1000 / seconds, 2),
      clientCpuCores: round(((ownCpu.user + ownCpu.system) / 1000 + clientCpuMs) / 1000 / seconds, 2),
    };
    printTable(`watch: ${watchers} watchers (${processes} client process${processes > 1 ? 'es' : ''}), ${writes} writes at ${rate}/s`, [
      ['deliveries', `${latencies.length}/${result.expectedDeliveries}`],
      ['delivery p50 (ms)', result.latencyMs.p50!],
      ['delivery p99 (ms)', result.latencyMs.p99!, 'target < 50'],
      ['delivery max (ms)', result.latencyMs.max!],
      ['write p50 (ms)', result.writeLatencyMs.p50!, 'POST/PATCH round trip'],
      ['open all watches (s)', result.openSeconds, 'incl. the warm-up event'],
      ['server CPU (cores)', result.serverCpuCores, 'during the writes'],
      ['client CPU (cores)', result.clientCpuCores, 'all client processes'],
    ]);
    await server.stop();
    result.profileTop = profileTop('watch');
    return result;
  } finally {
    await server.stop();
  }
}

// 5. Start-up time -------------------------------------------------------------------------------

interface StartupResult {
  starts: number;
  freshMs: { median: number; min: number; max: number };
  existingMs: { median: number; min: number; max: number };
}

async function benchStartup(): Promise<StartupResult> {
  const starts = Number(flags.starts);
  const measure = async (dataDir?: string) => {
    const times: number[] = [];
    for (let i = 0; i < starts; i++) {
      const server: BenchServer = await startServer({ dataDir, pollMs: 5 });
      times.push(server.startupMs);
      await server.stop();
    }
    return { median: round(median(times)), min: round(Math.min(...times)), max: round(Math.max(...times)) };
  };
  const freshMs = await measure();
  const existing = mkdtempSync(join(tmpdir(), 'kijabi-bench-existing-'));
  try {
    const first = await startServer({ dataDir: existing });
    await first.stop();
    const existingMs = await measure(existing);
    const result: StartupResult = { starts, freshMs, existingMs };
    printTable(`startup: spawn -> first /readyz 200 (polled every 5 ms), ${starts} starts each`, [
      ['fresh data dir, median (ms)', freshMs.median, `min ${freshMs.min}, max ${freshMs.max}`],
      ['existing data dir, median (ms)', existingMs.median, `min ${existingMs.min}, max ${existingMs.max}`],
    ]);
    return result;
  } finally {
    rmSync(existing, { recursive: true, force: true });
  }
}

// Entry -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (flags['watch-worker']) return runWatchWorker();
  const known = ['create', 'list', 'watch', 'startup'];
  const selected = positionals.length ? positionals : known;
  const unknown = selected.filter((name) => !known.includes(name));
  if (unknown.length) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; choose from ${known.join(', ')}`);
  const results: Record<string, unknown> = {
    machine: { node: process.version, platform: `${process.platform} ${process.arch}`, kernel: release(), cpus: availableParallelism(), memoryGiB: round(totalmem() / 2 ** 30), loadAverageAtStart: loadavg().map((l) => round(l, 2)), calibrationMs: calibrationMs() },
    date: new Date().toISOString(),
  };
  if (selected.includes('create')) results.create = await benchCreate();
  if (selected.includes('list')) results.list = await benchList();
  if (selected.includes('watch')) results.watch = await benchWatch();
  if (selected.includes('startup')) results.startup = await benchStartup();
  results.loadAverageAtEnd = loadavg().map((l) => round(l, 2)); // other work on the machine skews every figure
  const json = JSON.stringify(results, null, 2);
  if (flags.json) {
    writeFileSync(flags.json, `${json}\n`);
    console.log(`\nresults written to ${flags.json}`);
  } else {
    console.log(`\n${json}`);
  }
}

await main();
