import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuRateTracker, StatsSummaryCollector, usageNanoCores } from './stats-summary.js';

describe('usageNanoCores', () => {
  const cases: Array<{ name: string; prev?: [number, number]; cur: [number, number]; want: number | undefined }> = [
    { name: 'no previous sample', cur: [5e9, 1000], want: undefined },
    { name: 'one full core for 2 s', prev: [1e9, 1000], cur: [3e9, 3000], want: 1e9 },
    { name: 'quarter core', prev: [0, 0], cur: [250e6, 1000], want: 250e6 },
    { name: 'counter reset gives no rate', prev: [9e9, 0], cur: [1e9, 1000], want: undefined },
    { name: 'no elapsed time', prev: [0, 1000], cur: [1e9, 1000], want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const prev = c.prev ? { usageNanos: c.prev[0], atMs: c.prev[1] } : undefined;
      assert.equal(usageNanoCores(prev, { usageNanos: c.cur[0], atMs: c.cur[1] }), c.want);
    });
  }
});

describe('CpuRateTracker', () => {
  test('samples closer than the interval keep the earlier rate and baseline', () => {
    const t = new CpuRateTracker(1000);
    assert.equal(t.observe('a', { usageNanos: 0, atMs: 0 }), undefined);
    assert.equal(t.observe('a', { usageNanos: 500e6, atMs: 1000 }), 500e6);
    assert.equal(t.observe('a', { usageNanos: 600e6, atMs: 1200 }), 500e6);
    assert.equal(t.observe('a', { usageNanos: 1500e6, atMs: 2000 }), 1e9);
  });

  test('retain forgets gone keys', () => {
    const t = new CpuRateTracker(1000);
    t.observe('a', { usageNanos: 0, atMs: 0 });
    t.retain(new Set());
    assert.equal(t.observe('a', { usageNanos: 1e9, atMs: 1000 }), undefined);
  });
});

describe('StatsSummaryCollector', () => {
  test('node, pod and container entries with rates from the second call on', async () => {
    let now = 0;
    const usage: Record<string, number> = { '/': 0, '/kijabi/podu1': 0, '/kijabi/podu1/main': 0 };
    const collector = new StatsSummaryCollector({
      nodeName: 'n1',
      nodeStartTime: '2026-01-01T00:00:00Z',
      now: () => now,
      read: async (path) => ({ cpuUsageNanos: usage[path] ?? 0, memoryWorkingSetBytes: 4096 }),
      pods: () => [{ name: 'p', namespace: 'default', uid: 'u1', startTime: '2026-01-01T00:00:01Z', cgroupsPath: '/kijabi/podu1', containers: [{ name: 'main', cgroupsPath: '/kijabi/podu1/main' }] }],
    });
    const first = (await collector.summary()) as any;
    assert.equal(first.pods[0].cpu.usageNanoCores, undefined);
    now = 2000;
    usage['/'] = 4e9;
    usage['/kijabi/podu1'] = 1e9;
    usage['/kijabi/podu1/main'] = 1e9;
    const second = (await collector.summary()) as any;
    assert.equal(second.node.nodeName, 'n1');
    assert.equal(second.node.cpu.usageNanoCores, 2e9);
    assert.deepEqual(second.pods[0].podRef, { name: 'p', namespace: 'default', uid: 'u1' });
    assert.equal(second.pods[0].cpu.usageNanoCores, 5e8);
    assert.equal(second.pods[0].containers[0].cpu.usageNanoCores, 5e8);
    assert.equal(second.pods[0].containers[0].cpu.usageCoreNanoSeconds, 1e9);
    assert.equal(second.pods[0].containers[0].memory.workingSetBytes, 4096);
    assert.equal(second.pods[0].containers[0].startTime, '2026-01-01T00:00:01Z');
  });
});
