import { setMaxListeners } from 'node:events';
// Store micro-benchmark: creates/s (with and without 1,000 watchers), updates/s, list of 10k keys.
// Usage: node dist/bench/store-bench.js [keys=10000]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store, Watch } from '../src/store/store.js';
import { MemoryStore } from '../src/store/memory/memory-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

const keys = Number(process.argv[2] ?? '10000');
// About the size of a serialised pod.
const value = new TextEncoder().encode(JSON.stringify({ kind: 'Pod', spec: { containers: [{ name: 'c', image: 'x'.repeat(1200) }] } }));

function rate(count: number, started: number): string {
  const seconds = (performance.now() - started) / 1000;
  return `${Math.round(count / seconds).toLocaleString('en-US')}/s`;
}

async function drain(watch: Watch, counter: { events: number }): Promise<void> {
  for await (const _event of watch) counter.events++;
}

async function bench(name: string, store: Store): Promise<void> {
  let started = performance.now();
  for (let index = 0; index < keys; index++) await store.create(`/registry/pods/default/pod-${index}`, value);
  console.log(`${name}: create ${keys} keys: ${rate(keys, started)}`);

  started = performance.now();
  for (let index = 0; index < keys; index++) {
    const key = `/registry/pods/default/pod-${index}`;
    const current = await store.get(key);
    await store.update(key, value, current!.modRevision);
  }
  console.log(`${name}: get+update: ${rate(keys, started)}`);

  for (const [label, options] of [
    ['list all', {}],
    ['list page of 500', { limit: 500 }],
  ] as const) {
    started = performance.now();
    const result = await store.list('/registry/pods/', options);
    console.log(`${name}: ${label} (${result.items.length} items, remaining ${result.remaining ?? 0}): ${(performance.now() - started).toFixed(1)} ms`);
  }

  const watchers = 1000;
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const counter = { events: 0 };
  const draining: Promise<void>[] = [];
  for (let index = 0; index < watchers; index++) draining.push(drain(store.watch('/registry/pods/', { signal: controller.signal }), counter));
  const writes = 2000;
  started = performance.now();
  for (let index = 0; index < writes; index++) await store.create(`/registry/pods/watched/pod-${index}`, value);
  while (counter.events < writes * watchers) await new Promise((resolve) => setImmediate(resolve));
  console.log(`${name}: create with ${watchers} watchers, all events delivered: ${rate(writes, started)} (${counter.events.toLocaleString('en-US')} events)`);
  controller.abort();
  await Promise.all(draining);

  started = performance.now();
  await store.compact(await store.currentRevision());
  console.log(`${name}: compact everything: ${(performance.now() - started).toFixed(1)} ms`);
}

const memory = new MemoryStore();
await bench('memory', memory);
await memory.close();

const dir = await mkdtemp(join(tmpdir(), 'kijabi-bench-'));
const sqlite = SqliteStore.open(join(dir, 'state.db'), { compactIntervalMs: 0 });
await bench('sqlite', sqlite);
await sqlite.close();
await rm(dir, { recursive: true, force: true });
