// Node lifecycle, taint-based eviction, Endpoints and EndpointSlices on the real API server with
// hollow nodes: one node stops renewing its Lease, goes Unknown and tainted, and its pods are
// evicted per their tolerations; Services list the IPs of the pods hollow nodes report Running.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource } from '../../src/api/resources.js';
import type { RunningServer } from '../../src/cmd/server.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { createLogger } from '../../src/client/log.js';
import { RestClient } from '../../src/client/rest-client.js';
import { EndpointsController } from '../../src/controllers/endpoints/controller.js';
import { EndpointSliceController } from '../../src/controllers/endpointslice/controller.js';
import { NodeLifecycleController } from '../../src/controllers/node-lifecycle/controller.js';
import { HollowNodes } from '../../src/hollow-nodes/hollow-nodes.js';
import { eventually } from '../support/cluster.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICES = findResource('', 'v1', 'services')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const EVENTS = findResource('', 'v1', 'events')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

interface Taint {
  key: string;
  effect: string;
  timeAdded?: string;
}

function pod(namespace: string, name: string, nodeName: string, extra: { labels?: Record<string, string>; tolerations?: unknown[]; ports?: unknown[] } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: extra.labels ?? {} },
    spec: { nodeName, tolerations: extra.tolerations ?? [], containers: [{ name: 'c', image: 'busybox', ports: extra.ports ?? [] }] },
  };
}

describe('node lifecycle and endpoints with hollow nodes', () => {
  let dir: string;
  let server: RunningServer;
  let client: RestClient;
  const stopAll = new AbortController();
  const lostNode = new AbortController();
  setMaxListeners(0, stopAll.signal);
  setMaxListeners(0, lostNode.signal);
  const runs: Promise<void>[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kijabi-nodelc-'));
    server = await startInProcessServer(join(dir, 'data'), 'nodelc-token', {
      // Failover "one flag away": pods without their own NoExecute toleration leave a lost node at once.
      defaultNotReadyTolerationSeconds: 0,
      defaultUnreachableTolerationSeconds: 0,
    });
    client = RestClient.fromKubeconfig(server.kubeconfigPath);
    const log = createLogger('test', { level: 'warn' });
    const alive = new HollowNodes({ client, count: 1, cpu: '4', memory: '8Gi', pods: 110, namePrefix: 'alive-', leaseIntervalMs: 500, log });
    const lost = new HollowNodes({ client, count: 1, cpu: '4', memory: '8Gi', pods: 110, namePrefix: 'lost-', leaseIntervalMs: 500, log });
    runs.push(alive.start(stopAll.signal).catch(() => undefined));
    runs.push(lost.start(lostNode.signal).catch(() => undefined));
    runs.push(new NodeLifecycleController({ client, nodeMonitorGracePeriodMs: 3_000, monitorPeriodMs: 500, log }).start(stopAll.signal));
    runs.push(new EndpointsController({ client, log }).start(stopAll.signal));
    runs.push(new EndpointSliceController({ client, log }).start(stopAll.signal));
    await eventually(async () => (await client.list(NODES)).items.length === 2);
  });

  after(async () => {
    stopAll.abort();
    lostNode.abort();
    await Promise.allSettled(runs);
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a registered hollow node has its Lease at once, before any heartbeat', async () => {
    const fresh = new HollowNodes({ client, count: 2, cpu: '4', memory: '8Gi', pods: 110, namePrefix: 'fresh-', leaseIntervalMs: 60_000, log: createLogger('test', { level: 'warn' }) });
    await fresh.register();
    for (const name of ['fresh-0', 'fresh-1']) {
      const lease = await client.get(LEASES, 'kube-node-lease', name);
      assert.equal((lease.spec as { holderIdentity?: string }).holderIdentity, name);
    }
    await fresh.register(); // again, as after a restart: the Leases exist and are renewed
  });

  test('Endpoints and EndpointSlices follow the ready pods of a Service', async () => {
    const ns = 'svc';
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const ports = [{ name: 'web', containerPort: 8080 }];
    await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] } });
    for (const name of ['w1', 'w2']) await client.create(PODS, pod(ns, name, 'alive-0', { labels: { app: 'web' }, ports }));
    await client.create(PODS, pod(ns, 'other', 'alive-0', { labels: { app: 'db' }, ports }));
    const ipOf = async (name: string) => ((await client.get(PODS, ns, name)).status as { podIP?: string }).podIP;
    const ips = await eventually(async () => {
      const all = await Promise.all(['w1', 'w2'].map(ipOf));
      return all.every(Boolean) ? (all as string[]) : undefined;
    });
    const endpointIps = async (): Promise<string[]> => {
      const ep = (await client.get(ENDPOINTS, ns, 'web')) as KubeObject & { subsets?: Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ port: number }> }> };
      return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
    };
    const sliceIps = async (): Promise<string[]> => {
      const slices = await client.list(SLICES, { namespace: ns, labelSelector: 'kubernetes.io/service-name=web' });
      return slices.items.flatMap((s) => ((s as unknown as { endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }> }).endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.addresses[0]!)).sort();
    };
    await eventually(async () => JSON.stringify(await endpointIps()) === JSON.stringify([...ips].sort()), { message: 'Endpoints did not list both pods' });
    await eventually(async () => JSON.stringify(await sliceIps()) === JSON.stringify([...ips].sort()), { message: 'EndpointSlice did not list both pods' });
    const ep = (await client.get(ENDPOINTS, ns, 'web')) as KubeObject & { subsets?: Array<{ ports?: Array<{ port: number; name?: string }> }> };
    assert.deepEqual(ep.subsets?.[0]?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const slice = (await client.list(SLICES, { namespace: ns })).items[0]!;
    assert.match(slice.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');

    await client.delete(PODS, ns, 'w1', { gracePeriodSeconds: 0 });
    const left = [await ipOf('w2')];
    await eventually(async () => JSON.stringify(await endpointIps()) === JSON.stringify(left), { message: 'deleted pod stayed in Endpoints' });
    await eventually(async () => JSON.stringify(await sliceIps()) === JSON.stringify(left), { message: 'deleted pod stayed in the EndpointSlice' });
  });

  test('a node that stops renewing its Lease goes Unknown, is tainted, and its pods are evicted per toleration', async () => {
    const ns = 'failover';
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const tolerate2s = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }];
    const forever = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }];
    await client.create(PODS, pod(ns, 'tolerant', 'lost-0', { tolerations: tolerate2s }));
    await client.create(PODS, pod(ns, 'intolerant', 'lost-0'));
    await client.create(PODS, pod(ns, 'forever', 'lost-0', { tolerations: forever }));
    await client.create(PODS, pod(ns, 'healthy', 'alive-0'));
    await eventually(async () => (await client.list(PODS, { namespace: ns, fieldSelector: 'status.phase=Running' })).items.length === 4, { message: 'pods not Running' });

    lostNode.abort();
    const tainted = await eventually(
      async () => {
        const node = (await client.get(NODES, undefined, 'lost-0')) as KubeObject & { spec?: { taints?: Taint[] }; status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } };
        const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
        const taint = node.spec?.taints?.find((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute');
        return ready?.status === 'Unknown' && taint ? { ready, taint, taints: node.spec?.taints ?? [] } : undefined;
      },
      { timeoutMs: 10_000, message: 'lost node not Unknown and tainted' },
    );
    assert.equal(tainted.ready.reason, 'NodeStatusUnknown');
    assert.equal(tainted.ready.message, 'Kubelet stopped posting node status.');
    assert.ok(tainted.taint.timeAdded, 'NoExecute taint has timeAdded');
    assert.ok(tainted.taints.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'));

    const deleting = async (name: string): Promise<boolean> => {
      try {
        return Boolean((await client.get(PODS, ns, name)).metadata.deletionTimestamp);
      } catch {
        return true;
      }
    };
    await eventually(() => deleting('intolerant'), { timeoutMs: 3_000, message: 'intolerant pod not evicted at once' });
    if (await deleting('tolerant')) assert.ok(Date.now() - Date.parse(tainted.taint.timeAdded!) >= 1_900, 'tolerant pod evicted before its 2 s ran out');
    await eventually(() => deleting('tolerant'), { timeoutMs: 5_000, message: 'tolerant pod not evicted after 2 s' });
    const evictedAfterMs = Date.now() - Date.parse(tainted.taint.timeAdded!);
    assert.ok(evictedAfterMs >= 1_000, `evicted ${evictedAfterMs} ms after the taint`);
    assert.equal(await deleting('forever'), false, 'a toleration without seconds keeps the pod');
    assert.equal(await deleting('healthy'), false, 'the pod on the healthy node stays');
    const healthyNode = (await client.get(NODES, undefined, 'alive-0')) as KubeObject & { spec?: { taints?: Taint[] } };
    assert.deepEqual(healthyNode.spec?.taints ?? [], []);
    await eventually(async () => (await client.list(EVENTS, { namespace: ns })).items.some((e) => (e as { reason?: string }).reason === 'TaintManagerEviction' && (e as { message?: string }).message === `Marking for deletion Pod ${ns}/intolerant`), { message: 'no TaintManagerEviction event' });
  });

  test('a recovered node loses its taints', async () => {
    // A fresh hollow node instance re-registers lost-0 with Ready=True and renews its Lease again.
    const back = new HollowNodes({ client, count: 1, cpu: '4', memory: '8Gi', pods: 110, namePrefix: 'lost-', leaseIntervalMs: 500, log: createLogger('test', { level: 'warn' }) });
    runs.push(back.start(stopAll.signal).catch(() => undefined));
    await eventually(
      async () => {
        const node = (await client.get(NODES, undefined, 'lost-0')) as KubeObject & { spec?: { taints?: Taint[] } };
        return (node.spec?.taints ?? []).length === 0;
      },
      { timeoutMs: 5_000, message: 'taints not removed after recovery' },
    );
  });
});
