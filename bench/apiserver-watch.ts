// Watch side of the watch-latency benchmark: opens many watch streams on one collection and
// records, for every event, receive time minus the send time the writer put in an annotation.
// Times are process.hrtime (CLOCK_MONOTONIC), which is shared by all processes on the machine, so
// the watchers may run in separate child processes (`--watch-procs`).

import type { IncomingMessage } from 'node:http';
import { HttpsClient } from './apiserver-support.js';

export const SENT_ANNOTATION = 'bench.kijabi.io/sent';

export interface WatchWorkerConfig {
  port: number;
  token: string;
  ca: string;
  /** Collection path, e.g. /api/v1/namespaces/x/configmaps. */
  path: string;
  resourceVersion: string;
  watchers: number;
  /** Events each watcher should receive before finish() returns early. */
  expected: number;
}

export interface OpenWatches {
  /** Resolves when every watch has its response head (i.e. after the warm-up event). */
  opened: Promise<unknown>;
  /** Waits until every watcher has its expected events (or timeoutMs), closes all, returns latencies in ms. */
  finish(timeoutMs: number): Promise<number[]>;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function watchLatencies(config: WatchWorkerConfig): OpenWatches {
  const client = new HttpsClient(config.port, config.token, config.ca, config.watchers + 16);
  const latencies: number[] = [];
  const received = new Array<number>(config.watchers).fill(0);
  const streams: IncomingMessage[] = [];
  let complete = 0;
  let onComplete: (() => void) | undefined;
  const url = `${config.path}?watch=true&resourceVersion=${config.resourceVersion}&allowWatchBookmarks=false`;
  // The server answers a watch only with its first event (see docs/benchmarks.md), so all requests
  // go out at once and the caller makes one unannotated warm-up write; the resourceVersion is
  // pinned, so every watcher gets that event however late it registers.
  const opened = Promise.all(Array.from({ length: config.watchers }, async (_, index) => {
    const res = await client.open('GET', url);
    if (res.statusCode !== 200) throw new Error(`watch ${url}: HTTP ${res.statusCode}`);
    streams.push(res);
    let pending = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const at = nowMs();
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { type: string; object: { metadata?: { annotations?: Record<string, string> } } };
        const sent = event.object.metadata?.annotations?.[SENT_ANNOTATION];
        if (sent === undefined) continue;
        latencies.push(at - Number(sent));
        if (++received[index]! === config.expected && ++complete === config.watchers) onComplete?.();
      }
    });
    res.on('error', () => undefined); // destroyed at finish
  }));
  return {
    opened,
    async finish(timeoutMs) {
      if (complete < config.watchers) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          onComplete = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      for (const stream of streams) stream.destroy();
      client.close();
      return latencies;
    },
  };
}

/** Child-process mode: config arrives over IPC, 'ready' goes back, then 'finish' -> results. */
export async function runWatchWorker(): Promise<void> {
  const config = await new Promise<WatchWorkerConfig>((resolve) => process.once('message', (m) => resolve(m as WatchWorkerConfig)));
  const cpuBefore = process.cpuUsage();
  const watches = watchLatencies(config);
  await watches.opened;
  process.send!('ready');
  await new Promise((resolve) => process.once('message', resolve));
  const latencies = await watches.finish(10_000);
  const cpu = process.cpuUsage(cpuBefore);
  process.send!({ latencies, cpuMs: (cpu.user + cpu.system) / 1000 }, () => process.exit(0));
}
