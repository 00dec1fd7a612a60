import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service, ServicePort } from '../endpoints/types.js';
import { reconcileSlices, type EndpointSlice } from './reconcile.js';

const http: ServicePort = { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' };
function svc(extra: Partial<NonNullable<Service['spec']>> = {}, selector: Record<string, string> | null = { app: 'web' }): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid' }, spec: { ...(selector ? { selector } : {}), ports: [http], ...extra } };
}
function pod(i: number, opts: { ready?: boolean; deleting?: boolean; ip?: string } = {}): Pod {
  const ip = opts.ip ?? `10.0.${Math.floor(i / 250)}.${i % 250}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${i}`, namespace: 'ns', uid: `u${i}`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}
/** Turns planned creates into stored slices, as the API server would. */
function store(plan: { create: EndpointSlice[]; update: EndpointSlice[] }, existing: EndpointSlice[] = []): EndpointSlice[] {
  let n = existing.length;
  const byName = new Map(existing.map((s) => [s.metadata.name, s]));
  for (const s of plan.update) byName.set(s.metadata.name, s);
  for (const s of plan.create) byName.set(`web-x${n}`, { ...s, metadata: { ...s.metadata, name: `web-x${n++}` } });
  return [...byName.values()];
}

describe('reconcileSlices', () => {
  test('creates one slice with labels, owner, ports and endpoint conditions', () => {
    const plan = reconcileSlices({ service: svc(), pods: [pod(1), pod(2, { ready: false }), pod(3, { deleting: true })], existing: [] });
    assert.equal(plan.create.length, 1);
    const slice = plan.create[0]!;
    assert.equal(slice.metadata.generateName, 'web-');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(
      slice.endpoints?.map((e) => [e.addresses[0], e.conditions]),
      [
        ['10.0.0.1', { ready: true, serving: true, terminating: false }],
        ['10.0.0.2', { ready: false, serving: false, terminating: false }],
        ['10.0.0.3', { ready: false, serving: true, terminating: true }],
      ],
    );
    assert.deepEqual(slice.endpoints?.[0]?.targetRef, { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'u1' });
    assert.equal(slice.endpoints?.[0]?.nodeName, 'n1');
  });

  test('an unnamed port stored with the API server default name "" is the same slice (no churn)', () => {
    const unnamed = svc({ ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] });
    const created = store(reconcileSlices({ service: unnamed, pods: [pod(1)], existing: [] }));
    const asStored = created.map((s) => ({ ...s, ports: (s.ports ?? []).map((p) => ({ ...p, name: p.name ?? '' })) }));
    assert.deepEqual(reconcileSlices({ service: unnamed, pods: [pod(1)], existing: asStored }), { create: [], update: [], delete: [] });
  });

  test('250 endpoints become slices of at most 100', () => {
    const plan = reconcileSlices({ service: svc(), pods: Array.from({ length: 250 }, (_, i) => pod(i)), existing: [] });
    assert.deepEqual(plan.create.map((s) => s.endpoints?.length), [100, 100, 50]);
  });

  test('a second pass over the stored result changes nothing', () => {
    const pods = Array.from({ length: 150 }, (_, i) => pod(i));
    const existing = store(reconcileSlices({ service: svc(), pods, existing: [] }));
    assert.deepEqual(reconcileSlices({ service: svc(), pods, existing }), { create: [], update: [], delete: [] });
  });

  test('a removed pod updates only its slice; a new pod fills that slice', () => {
    const pods = Array.from({ length: 150 }, (_, i) => pod(i));
    const existing = store(reconcileSlices({ service: svc(), pods, existing: [] }));
    const next = [...pods.slice(0, 120), ...pods.slice(121), pod(500)];
    const plan = reconcileSlices({ service: svc(), pods: next, existing });
    assert.equal(plan.create.length, 0);
    assert.equal(plan.delete.length, 0);
    assert.equal(plan.update.length, 1);
    const ips = plan.update[0]!.endpoints!.map((e) => e.addresses[0]);
    assert.ok(!ips.includes('10.0.0.120'));
    assert.ok(ips.includes(pod(500).status!.podIP!));
  });

  test('readiness change updates the endpoint in place', () => {
    const existing = store(reconcileSlices({ service: svc(), pods: [pod(1)], existing: [] }));
    const plan = reconcileSlices({ service: svc(), pods: [pod(1, { ready: false })], existing });
    assert.equal(plan.update.length, 1);
    assert.equal(plan.update[0]!.endpoints![0]!.conditions.ready, false);
    assert.equal(plan.update[0]!.metadata.name, existing[0]!.metadata.name);
  });

  test('no endpoints: one placeholder slice without ports; extra slices deleted', () => {
    const plan = reconcileSlices({ service: svc(), pods: [], existing: [] });
    assert.equal(plan.create.length, 1);
    assert.deepEqual([plan.create[0]!.endpoints, plan.create[0]!.ports], [[], []]);
    const existing = store(reconcileSlices({ service: svc(), pods: [pod(1)], existing: [] }));
    const emptied = reconcileSlices({ service: svc(), pods: [], existing });
    assert.equal(emptied.delete.length, 1);
    assert.equal(emptied.create.length, 1);
  });

  test('a placeholder is deleted once endpoints exist', () => {
    const existing = store(reconcileSlices({ service: svc(), pods: [], existing: [] }));
    const plan = reconcileSlices({ service: svc(), pods: [pod(1)], existing });
    assert.equal(plan.delete.length, 1);
    assert.equal(plan.create.length, 1);
  });

  test('a port change moves endpoints to a new slice and drops the old', () => {
    const existing = store(reconcileSlices({ service: svc(), pods: [pod(1)], existing: [] }));
    const plan = reconcileSlices({ service: svc({ ports: [{ ...http, targetPort: 9090 }] }), pods: [pod(1)], existing });
    assert.equal(plan.delete.length, 1);
    assert.deepEqual(plan.create[0]?.ports, [{ name: 'http', port: 9090, protocol: 'TCP' }]);
  });

  test('Services without a selector are left alone', () => {
    assert.deepEqual(reconcileSlices({ service: svc({}, null), pods: [pod(1)], existing: [] }), { create: [], update: [], delete: [] });
  });

  test('dual stack: one slice per address type', () => {
    const dual = pod(1);
    dual.status!.podIPs = [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }];
    const plan = reconcileSlices({ service: svc({ ipFamilies: ['IPv4', 'IPv6'] }), pods: [dual], existing: [] });
    assert.deepEqual(plan.create.map((s) => [s.addressType, s.endpoints?.[0]?.addresses[0]]), [
      ['IPv4', '10.0.0.1'],
      ['IPv6', 'fd00::1'],
    ]);
  });

  test('headless label is added for clusterIP None', () => {
    const plan = reconcileSlices({ service: svc({ clusterIP: 'None' }), pods: [pod(1)], existing: [] });
    assert.equal(plan.create[0]!.metadata.labels!['service.kubernetes.io/headless'], '');
  });
});
