// Bin packing with MostAllocated: the pure cycle, in process, with a fake binder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../cache.js';
import { makeFramework, makeNode, makePod } from '../testing/builders.js';
import { podRequests } from '../../machinery/resources.js';
import { PodPlacer } from './schedule-cycle.js';

function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('200 pods onto 20 nodes with MostAllocated use at most 1.05 x the lower bound', () => {
  const rand = seededRandom(42);
  const cache = new SchedulerCache();
  for (let i = 0; i < 20; i++) cache.setNode(makeNode(`n${i}`, { cpu: '16', memory: '64Gi' }));
  const fw = makeFramework(cache.snapshot, {
    profiles: [{ pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } } }] }],
  });
  const placer = new PodPlacer(fw, rand);
  let totalCpu = 0;
  let totalMem = 0;
  const placed = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const cpu = 100 + Math.floor(rand() * 900); // millicores
    const memMi = 256 + Math.floor(rand() * 3840);
    const pod = makePod({ name: `p${i}`, cpu: `${cpu}m`, memory: `${memMi}Mi` });
    totalCpu += podRequests(pod).requests.milliCPU;
    totalMem += podRequests(pod).requests.memory;
    const { nodeName } = placer.schedule(fw.newCycleState(), pod);
    cache.assume(pod, nodeName); // the fake binder: assume and never hear back
    placed.set(nodeName, (placed.get(nodeName) ?? 0) + 1);
  }
  const lowerBound = Math.ceil(Math.max(totalCpu / 16_000, totalMem / (64 * 1024 ** 3)));
  const used = placed.size;
  assert.ok(used <= Math.ceil(1.05 * lowerBound), `used ${used} nodes, lower bound ${lowerBound}`);
  for (const info of cache.snapshot.list()) {
    assert.ok(info.requested.milliCPU <= info.allocatable.milliCPU && info.requested.memory <= info.allocatable.memory, `${info.name} overcommitted`);
  }
});
