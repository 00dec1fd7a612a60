// A kubelet-style /stats/summary (the subset metrics consumers read): cpu usageNanoCores and
// usageCoreNanoSeconds, memory workingSetBytes, for the node, every pod and every container.
// Rates come from the difference between cpuacct samples taken at least a second apart.

type Json = Record<string, unknown>;

export interface CpuSample {
  usageNanos: number;
  atMs: number;
}

/** Nano-cores used between two cumulative cpuacct samples; undefined without a usable interval. */
export function usageNanoCores(previous: CpuSample | undefined, current: CpuSample): number | undefined {
  if (!previous) return undefined;
  const elapsedMs = current.atMs - previous.atMs;
  const used = current.usageNanos - previous.usageNanos;
  // A restarted container (new cgroup) resets its counter: no rate for that interval.
  if (elapsedMs <= 0 || used < 0) return undefined;
  return Math.round((used * 1000) / elapsedMs);
}

/** Keeps the last sample per key; samples closer than `minIntervalMs` reuse the previous rate. */
export class CpuRateTracker {
  private readonly last = new Map<string, CpuSample & { rate?: number }>();

  constructor(private readonly minIntervalMs = 1000) {}

  observe(key: string, sample: CpuSample): number | undefined {
    const previous = this.last.get(key);
    if (previous && sample.atMs - previous.atMs < this.minIntervalMs && sample.usageNanos >= previous.usageNanos) return previous.rate;
    const rate = usageNanoCores(previous, sample);
    this.last.set(key, { ...sample, rate });
    return rate;
  }

  /** Forgets keys not in `keep` (pods and containers that are gone). */
  retain(keep: Set<string>): void {
    for (const key of this.last.keys()) if (!keep.has(key)) this.last.delete(key);
  }
}

export interface StatsTarget {
  name: string;
  namespace: string;
  uid: string;
  startTime?: string;
  containers: { name: string; startTime?: string; cgroupsPath: string }[];
  cgroupsPath: string;
}

export type ReadStats = (cgroupsPath: string) => Promise<{ cpuUsageNanos: number; memoryWorkingSetBytes: number }>;

export class StatsSummaryCollector {
  private readonly rates = new CpuRateTracker();

  constructor(private readonly options: { nodeName: string; nodeStartTime: string; pods: () => StatsTarget[]; read: ReadStats; now?: () => number }) {}

  private async usage(key: string, cgroupsPath: string, time: string, atMs: number): Promise<{ cpu: Json; memory: Json }> {
    const stats = await this.options.read(cgroupsPath);
    const rate = this.rates.observe(key, { usageNanos: stats.cpuUsageNanos, atMs });
    const cpu: Json = { time, usageCoreNanoSeconds: stats.cpuUsageNanos };
    if (rate !== undefined) cpu.usageNanoCores = rate;
    return { cpu, memory: { time, workingSetBytes: stats.memoryWorkingSetBytes } };
  }

  /** The summary; call it periodically too (sample()) so the first request already has rates. */
  async summary(): Promise<Json> {
    const atMs = (this.options.now ?? Date.now)();
    const time = new Date(atMs).toISOString().replace(/\.\d+Z$/, 'Z');
    const keep = new Set<string>(['node']);
    const node = { nodeName: this.options.nodeName, startTime: this.options.nodeStartTime, ...(await this.usage('node', '/', time, atMs)) };
    const pods: Json[] = [];
    for (const target of this.options.pods()) {
      keep.add(target.uid);
      const containers: Json[] = [];
      for (const c of target.containers) {
        const key = `${target.uid}/${c.name}`;
        keep.add(key);
        containers.push({ name: c.name, startTime: c.startTime ?? target.startTime, ...(await this.usage(key, c.cgroupsPath, time, atMs)) });
      }
      pods.push({
        podRef: { name: target.name, namespace: target.namespace, uid: target.uid },
        startTime: target.startTime,
        containers,
        ...(await this.usage(target.uid, target.cgroupsPath, time, atMs)),
      });
    }
    this.rates.retain(keep);
    return { node, pods };
  }

  async sample(): Promise<void> {
    await this.summary();
  }
}
