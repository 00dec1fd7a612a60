// The scheduler on the real API server with hollow nodes: bin packing under MostAllocated, taints,
// affinity, anti-affinity, topology spread, preemption, and pods that wait for a node to appear.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource } from '../../src/api/resources.js';
import type { RunningServer } from '../../src/cmd/server.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { PatchTypes, RestClient } from '../../src/client/rest-client.js';
import { HollowNodes } from '../../src/hollow-nodes/hollow-nodes.js';
import { eventually } from '../support/cluster.js';
import { MOST_ALLOCATED } from '../support/scheduler-config.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const PRIORITY_CLASSES = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
const EVENTS = findResource('', 'v1', 'events')!;


interface PodOptions {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  spec?: Record<string, unknown>;
}

function pod(namespace: string, name: string, options: PodOptions = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (options.cpu) requests.cpu = options.cpu;
  if (options.memory) requests.memory = options.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: options.labels ?? {} },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests } }], ...(options.spec ?? {}) },
  };
}

describe('scheduler with hollow nodes', () => {
  let dir: string;
  let server: RunningServer;
  let client: RestClient;
  const hollow = new AbortController();
  setMaxListeners(0, hollow.signal);
  const hollowRuns: Promise<void>[] = [];

  async function addHollowNodes(prefix: string, count: number, cpu = '4', memory = '16Gi'): Promise<void> {
    const nodes = new HollowNodes({ client, count, cpu, memory, pods: 110, namePrefix: prefix, leaseIntervalMs: 10_000 });
    hollowRuns.push(nodes.start(hollow.signal).catch(() => undefined));
    await eventually(async () => (await client.list(NODES, { labelSelector: 'node.kubernetes.io/instance-type=hollow' })).items.filter((n) => n.metadata.name?.startsWith(prefix)).length === count);
  }

  async function nodeOf(namespace: string, name: string): Promise<string | undefined> {
    return ((await client.get(PODS, namespace, name)).spec as { nodeName?: string }).nodeName;
  }

  async function waitBound(namespace: string, names: string[], timeoutMs = 30_000): Promise<Map<string, string>> {
    return eventually(async () => {
      const list = await client.list(PODS, { namespace });
      const placed = new Map<string, string>();
      for (const p of list.items) {
        const node = (p.spec as { nodeName?: string }).nodeName;
        if (node && names.includes(p.metadata.name!)) placed.set(p.metadata.name!, node);
      }
      return placed.size === names.length ? placed : undefined;
    }, { timeoutMs, message: `pods not all bound in ${namespace}` });
  }

  async function namespace(name: string): Promise<string> {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kijabi-sched-'));
    const config = join(dir, 'scheduler.yaml');
    writeFileSync(config, MOST_ALLOCATED);
    server = await startInProcessServer(join(dir, 'data'), 'sched-token', {
      disableScheduler: false,
      schedulerConfig: config,
    });
    client = RestClient.fromKubeconfig(server.kubeconfigPath);
    await addHollowNodes('pack-', 20);
  });

  after(async () => {
    hollow.abort();
    await Promise.allSettled(hollowRuns);
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('MostAllocated packs 200 pods onto at most 1.05 × the lower bound of nodes', async () => {
    const ns = await namespace('packing');
    // Deterministic varied requests: cpu 100m..500m, memory 256Mi..1Gi (60 cores in all: 15 nodes at best).
    let totalMilliCpu = 0;
    let totalMemMi = 0;
    const names: string[] = [];
    for (let i = 0; i < 200; i++) {
      const milli = 100 + ((i * 37) % 5) * 100;
      const mem = 256 + ((i * 53) % 4) * 256;
      totalMilliCpu += milli;
      totalMemMi += mem;
      names.push(`p-${i}`);
      await client.create(PODS, pod(ns, `p-${i}`, { cpu: `${milli}m`, memory: `${mem}Mi` }));
    }
    const placed = await waitBound(ns, names, 60_000);
    const used = new Set(placed.values()).size;
    const lowerBound = Math.ceil(Math.max(totalMilliCpu / 4000, totalMemMi / (16 * 1024)));
    assert.ok(used <= Math.ceil(1.05 * lowerBound), `used ${used} nodes, lower bound ${lowerBound}`);
    // Hollow nodes report bound pods Running.
    await eventually(async () => (await client.list(PODS, { namespace: ns, fieldSelector: 'status.phase=Running' })).items.length === 200, { timeoutMs: 30_000 });
    await client.deleteCollection(PODS, { namespace: ns }, { gracePeriodSeconds: 0 });
  });

  test('taints, node affinity, pod anti-affinity and topology spread', async () => {
    const ns = await namespace('placement');
    await addHollowNodes('zone-', 4);
    await client.patch(NODES, undefined, 'zone-0', PatchTypes.merge, { metadata: { labels: { zone: 'a', disk: 'ssd' } }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
    await client.patch(NODES, undefined, 'zone-1', PatchTypes.merge, { metadata: { labels: { zone: 'a' } } });
    await client.patch(NODES, undefined, 'zone-2', PatchTypes.merge, { metadata: { labels: { zone: 'b', disk: 'ssd' } } });
    await client.patch(NODES, undefined, 'zone-3', PatchTypes.merge, { metadata: { labels: { zone: 'b' } } });

    // Only the tainted node has the label the pod selects; without a toleration it cannot go there.
    await client.create(PODS, pod(ns, 'needs-ssd-a', { spec: { nodeSelector: { zone: 'a', disk: 'ssd' } } }));
    await client.create(PODS, pod(ns, 'tolerates', { spec: { nodeSelector: { zone: 'a', disk: 'ssd' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] } }));
    assert.equal((await waitBound(ns, ['tolerates'])).get('tolerates'), 'zone-0');
    await eventually(async () => {
      const events = await client.list(EVENTS, { namespace: ns, fieldSelector: 'involvedObject.name=needs-ssd-a,reason=FailedScheduling' });
      return events.items.some((e) => /untolerated taint \{dedicated: db\}/.test(String(e.message)));
    }, { message: 'FailedScheduling event naming the taint' });
    assert.equal(await nodeOf(ns, 'needs-ssd-a'), undefined);

    // Required node affinity.
    await client.create(PODS, pod(ns, 'affine', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }, { key: 'disk', operator: 'DoesNotExist' }] }] } } } } }));
    assert.equal((await waitBound(ns, ['affine'])).get('affine'), 'zone-3');

    // Required anti-affinity by hostname: three replicas on three different zone-* nodes.
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    for (const n of ['anti-0', 'anti-1', 'anti-2']) {
      await client.create(PODS, pod(ns, n, { labels: { app: 'spread' }, spec: { affinity: anti, nodeSelector: { 'node.kubernetes.io/instance-type': 'hollow' }, tolerations: [{ key: 'dedicated', operator: 'Exists' }] } }));
    }
    const antiPlaced = await waitBound(ns, ['anti-0', 'anti-1', 'anti-2']);
    assert.equal(new Set(antiPlaced.values()).size, 3);

    // Topology spread over zones with maxSkew 1: 4 pods split 2/2 between zone a and b.
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'zoned' } } }], tolerations: [{ key: 'dedicated', operator: 'Exists' }] };
    const zoned = ['z-0', 'z-1', 'z-2', 'z-3'];
    for (const n of zoned) await client.create(PODS, pod(ns, n, { labels: { app: 'zoned' }, spec: spread }));
    const zonePlaced = await waitBound(ns, zoned);
    const zones = [...zonePlaced.values()].map((node) => (node === 'zone-0' || node === 'zone-1' ? 'a' : node === 'zone-2' || node === 'zone-3' ? 'b' : 'other'));
    assert.equal(zones.filter((z) => z === 'a').length, 2, `zones: ${zones.join(',')}`);
    assert.equal(zones.filter((z) => z === 'b').length, 2, `zones: ${zones.join(',')}`);
  });

  test('a pod that fits nowhere is scheduled once a node big enough appears', async () => {
    const ns = await namespace('waiting');
    await client.create(PODS, pod(ns, 'huge', { cpu: '30' }));
    await eventually(async () => {
      const p = await client.get(PODS, ns, 'huge');
      const cond = ((p.status as { conditions?: { type: string; status: string; reason?: string }[] }).conditions ?? []).find((c) => c.type === 'PodScheduled');
      return cond?.status === 'False' && cond.reason === 'Unschedulable';
    }, { message: 'PodScheduled=False/Unschedulable' });
    await addHollowNodes('big-', 1, '64', '256Gi');
    assert.equal((await waitBound(ns, ['huge'])).get('huge'), 'big-0');
  });

  test('a high-priority pod preempts lower-priority pods', async () => {
    const ns = await namespace('preempt');
    await addHollowNodes('small-', 1, '2', '4Gi');
    await client.create(PRIORITY_CLASSES, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'urgent' }, value: 1000000 });
    const onSmall = { nodeSelector: { 'kubernetes.io/hostname': 'small-0' } };
    await client.create(PODS, pod(ns, 'low', { cpu: '1500m', spec: { ...onSmall, priority: 0 } }));
    await waitBound(ns, ['low']);
    await client.create(PODS, pod(ns, 'high', { cpu: '1500m', spec: { ...onSmall, priorityClassName: 'urgent', priority: 1000000 } }));
    assert.equal((await waitBound(ns, ['high'], 40_000)).get('high'), 'small-0');
    await eventually(async () => !(await client.list(PODS, { namespace: ns })).items.some((p) => p.metadata.name === 'low'), { message: 'the low-priority pod was evicted' });
  });
});
