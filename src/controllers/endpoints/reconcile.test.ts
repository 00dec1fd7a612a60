import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredSubsets, reconcileEndpoints } from './reconcile.js';
import type { Endpoints, Pod, Service, ServicePort } from './types.js';

export function svc(ports: ServicePort[], extra: Partial<NonNullable<Service['spec']>> = {}, selector: Record<string, string> | null = { app: 'web' }): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', labels: { team: 'a' } }, spec: { ...(selector ? { selector } : {}), ports, ...extra } };
}

export function pod(name: string, ip: string | undefined, opts: { ready?: boolean; labels?: Record<string, string>; node?: string; ports?: Array<{ name?: string; containerPort: number; protocol?: string }>; deleting?: boolean; phase?: string; ns?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.ns ?? 'ns', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: opts.node ?? 'n1', containers: [{ name: 'c', ports: opts.ports ?? [] }] },
    status: { phase: opts.phase ?? 'Running', ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}), conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

const ref = (name: string) => ({ kind: 'Pod', namespace: 'ns', name, uid: `uid-${name}` });
const http: ServicePort = { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' };

describe('desiredSubsets', () => {
  test('ready pods in addresses, others in notReadyAddresses, sorted by IP', () => {
    const { subsets } = desiredSubsets(svc([http]), [pod('b', '10.0.0.2'), pod('a', '10.0.0.1'), pod('c', '10.0.0.3', { ready: false })]);
    assert.deepEqual(subsets, [
      {
        addresses: [
          { ip: '10.0.0.1', nodeName: 'n1', targetRef: ref('a') },
          { ip: '10.0.0.2', nodeName: 'n1', targetRef: ref('b') },
        ],
        notReadyAddresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: ref('c') }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  const cases: Array<{ name: string; service: Service; pods: Pod[]; ips: string[]; notReady?: string[] }> = [
    { name: 'pods of other labels or namespaces are left out', service: svc([http]), pods: [pod('a', '10.0.0.1', { labels: { app: 'db' } }), pod('b', '10.0.0.2', { ns: 'other' }), pod('c', '10.0.0.3')], ips: ['10.0.0.3'] },
    { name: 'pods without an IP are left out', service: svc([http]), pods: [pod('a', undefined), pod('b', '10.0.0.2')], ips: ['10.0.0.2'] },
    { name: 'finished pods are left out', service: svc([http]), pods: [pod('a', '10.0.0.1', { phase: 'Succeeded' }), pod('b', '10.0.0.2', { phase: 'Failed' })], ips: [] },
    { name: 'terminating pods are left out', service: svc([http]), pods: [pod('a', '10.0.0.1', { deleting: true })], ips: [] },
    { name: 'publishNotReadyAddresses lists unready pods as ready', service: svc([http], { publishNotReadyAddresses: true }), pods: [pod('a', '10.0.0.1', { ready: false })], ips: ['10.0.0.1'] },
    { name: 'a named targetPort skips pods without that port', service: svc([{ port: 80, targetPort: 'web' }]), pods: [pod('a', '10.0.0.1', { ports: [{ name: 'web', containerPort: 9000 }] }), pod('b', '10.0.0.2')], ips: ['10.0.0.1'] },
    { name: 'no selector: nothing', service: svc([http], {}, null), pods: [pod('a', '10.0.0.1')], ips: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { subsets } = desiredSubsets(c.service, c.pods);
      assert.deepEqual(subsets.flatMap((s) => (s.addresses ?? []).map((a) => a.ip)), c.ips);
      assert.deepEqual(subsets.flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)), c.notReady ?? []);
    });
  }

  test('named ports resolve per pod and pods with different ports form separate subsets', () => {
    const service = svc([{ name: 'web', port: 80, targetPort: 'web' }]);
    const { subsets } = desiredSubsets(service, [
      pod('a', '10.0.0.1', { ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', '10.0.0.2', { ports: [{ name: 'web', containerPort: 9090 }] }),
      pod('c', '10.0.0.3', { ports: [{ name: 'web', containerPort: 8080 }] }),
    ]);
    assert.deepEqual(
      subsets.map((s) => [s.ports?.[0]?.port, s.addresses?.map((a) => a.ip)]),
      [
        [8080, ['10.0.0.1', '10.0.0.3']],
        [9090, ['10.0.0.2']],
      ],
    );
  });

  test('targetPort defaults to port; UDP named port must match protocol', () => {
    const service = svc([{ name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }, { name: 'plain', port: 81 }]);
    const { subsets } = desiredSubsets(service, [pod('a', '10.0.0.1', { ports: [{ name: 'dns', containerPort: 5353, protocol: 'TCP' }] })]);
    assert.deepEqual(subsets[0]?.ports, [{ name: 'plain', port: 81, protocol: 'TCP' }]);
  });

  test('a headless Service without ports lists addresses without ports', () => {
    const { subsets } = desiredSubsets(svc([], { clusterIP: 'None' }), [pod('a', '10.0.0.1')]);
    assert.deepEqual(subsets, [{ addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: ref('a') }] }]);
  });

  test('more than 1000 addresses are truncated', () => {
    const pods = Array.from({ length: 1005 }, (_, i) => pod(`p${i}`, `10.1.${Math.floor(i / 250)}.${i % 250}`));
    const { subsets, truncated } = desiredSubsets(svc([http]), pods);
    assert.equal(truncated, true);
    assert.equal(subsets[0]?.addresses?.length, 1000);
  });
});

describe('reconcileEndpoints', () => {
  test('creates Endpoints named after the Service with its labels', () => {
    const action = reconcileEndpoints({ service: svc([http]), pods: [pod('a', '10.0.0.1')] });
    assert.equal(action.type, 'create');
    if (action.type !== 'create') return;
    assert.equal(action.endpoints.metadata.name, 'web');
    assert.equal(action.endpoints.metadata.namespace, 'ns');
    assert.deepEqual(action.endpoints.metadata.labels, { team: 'a' });
    assert.equal(action.endpoints.subsets?.[0]?.addresses?.[0]?.ip, '10.0.0.1');
  });

  test('creates an empty Endpoints when no pod matches', () => {
    const action = reconcileEndpoints({ service: svc([http]), pods: [] });
    assert.equal(action.type, 'create');
    if (action.type === 'create') assert.deepEqual(action.endpoints.subsets, []);
  });

  test('no change: nothing to do; a change: update keeping resourceVersion', () => {
    const first = reconcileEndpoints({ service: svc([http]), pods: [pod('a', '10.0.0.1')] });
    assert.equal(first.type, 'create');
    if (first.type !== 'create') return;
    const existing: Endpoints = { ...first.endpoints, metadata: { ...first.endpoints.metadata, resourceVersion: '7' } };
    assert.equal(reconcileEndpoints({ service: svc([http]), pods: [pod('a', '10.0.0.1')], existing }).type, 'none');
    const second = reconcileEndpoints({ service: svc([http]), pods: [], existing });
    assert.equal(second.type, 'update');
    if (second.type === 'update') {
      assert.equal(second.endpoints.metadata.resourceVersion, '7');
      assert.deepEqual(second.endpoints.subsets, []);
    }
  });

  test('Services without a selector are left alone', () => {
    assert.equal(reconcileEndpoints({ service: svc([http], {}, null), pods: [pod('a', '10.0.0.1')] }).type, 'none');
  });
});
