import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { validateObjectMeta } from '../../../machinery/validation/object-meta.js';
import { CORE_STRATEGIES } from './core.js';
import { POD_UPDATE_FORBIDDEN_MESSAGE } from './pod.js';
import { PVC_SPEC_IMMUTABLE_MESSAGE } from './persistentvolumeclaim.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Runs defaults and prepareForCreate the way the registry does before validation. */
function created(strategy: Strategy, obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  strategy.defaults?.(copy);
  strategy.prepareForCreate?.(copy);
  return copy;
}
const lines = (errs: { field: string; detail: string }[]): string[] => errs.map((e) => (e.field ? `${e.field}: ${e.detail}` : e.detail));

test('every core resource has a strategy', () => {
  assert.deepEqual(Object.keys(CORE_STRATEGIES).sort(), [
    'configmaps', 'endpoints', 'events', 'limitranges', 'namespaces', 'nodes', 'persistentvolumeclaims', 'persistentvolumes', 'pods',
    'resourcequotas', 'secrets', 'serviceaccounts', 'services',
  ]);
  for (const s of Object.values(CORE_STRATEGIES)) assert.equal(s.tracksGeneration, false);
});

describe('pods', () => {
  const s = CORE_STRATEGIES.pods;
  const pod = (): KubeObject => created(s, { metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'a', image: 'nginx:1', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } });
  test('create sets Pending, QoS and pod-only defaults', () => {
    const p = pod();
    assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'Guaranteed' });
    assert.equal((p.spec as { enableServiceLinks: boolean }).enableServiceLinks, true);
    assert.deepEqual(s.validate?.(p), []);
  });
  test('image may change, ports may not', () => {
    const old = pod();
    const next = structuredClone(old);
    (next.spec as { containers: { image: string }[] }).containers[0].image = 'nginx:2';
    assert.deepEqual(s.validateUpdate?.(next, old), []);
    (next.spec as { containers: { ports: unknown[] }[] }).containers[0].ports = [{ containerPort: 80, protocol: 'TCP' }];
    const errs = s.validateUpdate?.(next, old) ?? [];
    assert.equal(errs.length, 1);
    assert.equal(errs[0].field, 'spec');
    assert.ok(errs[0].detail.startsWith(`Forbidden: ${POD_UPDATE_FORBIDDEN_MESSAGE}`));
  });
  test('tolerations may be added, not removed', () => {
    const old = pod();
    const next = structuredClone(old);
    (next.spec as { tolerations: unknown[] }).tolerations = [{ key: 'k', operator: 'Exists' }];
    assert.deepEqual(s.validateUpdate?.(next, old), []);
    assert.equal(s.validateUpdate?.(old, next).length, 1);
  });
  test('field attributes', () => {
    const p = pod();
    (p.spec as Record<string, unknown>).nodeName = 'n1';
    const attrs = s.fieldAttributes?.(p) ?? {};
    assert.equal(attrs['spec.nodeName'], 'n1');
    assert.equal(attrs['status.phase'], 'Pending');
    assert.equal(attrs['spec.restartPolicy'], 'Always');
  });
  test('ephemeral containers cannot be set on create', () => {
    const p = pod();
    (p.spec as Record<string, unknown>).ephemeralContainers = [{ name: 'dbg', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }];
    assert.deepEqual(lines(s.validate?.(p) ?? []), ['spec.ephemeralContainers: Forbidden: cannot be set on create']);
  });
});

describe('services', () => {
  const s = CORE_STRATEGIES.services;
  const svc = (spec: Record<string, unknown>, name = 'web'): KubeObject => created(s, { metadata: { name, namespace: 'd' }, spec });
  test('defaults', () => {
    const obj = svc({ selector: { app: 'web' }, ports: [{ port: 80 }] });
    assert.deepEqual(obj.spec, {
      selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], type: 'ClusterIP', sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
    });
    assert.deepEqual(s.validate?.(obj), []);
  });
  const cases: Array<[string, KubeObject, string[]]> = [
    ['no ports', svc({ selector: { a: 'b' } }), ['spec.ports: Required value']],
    ['unnamed ports', svc({ ports: [{ port: 80 }, { port: 81 }] }), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    ['bad type', svc({ type: 'Public', ports: [{ port: 80 }] }), ['spec.type: Unsupported value: "Public": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ['nodePort on ClusterIP', svc({ ports: [{ port: 80, nodePort: 30000 }] }), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ['bad port', svc({ ports: [{ port: 0 }] }), ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']],
  ];
  for (const [name, obj, want] of cases) test(name, () => assert.deepEqual(lines(s.validate?.(obj) ?? []), want));
  test('names are DNS-1035 labels', () => {
    const obj = svc({ ports: [{ port: 80 }] }, '1web');
    assert.deepEqual(lines(validateObjectMeta(obj.metadata, { namespaced: true, nameValidator: s.nameValidator })), [
      `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });
  test('NodePort gets externalTrafficPolicy', () => assert.equal((svc({ type: 'NodePort', ports: [{ port: 80 }] }).spec as Record<string, unknown>).externalTrafficPolicy, 'Cluster'));
  test('clusterIP is kept when omitted and may not change', () => {
    const old = svc({ ports: [{ port: 80 }], clusterIP: '10.0.0.10', clusterIPs: ['10.0.0.10'] });
    const next = svc({ ports: [{ port: 80 }] });
    s.prepareForUpdate?.(next, old);
    assert.equal((next.spec as Record<string, unknown>).clusterIP, '10.0.0.10');
    assert.deepEqual(s.validateUpdate?.(next, old), []);
    (next.spec as Record<string, unknown>).clusterIP = '10.0.0.11';
    assert.deepEqual(lines(s.validateUpdate?.(next, old) ?? []), ['spec.clusterIPs[0]: Invalid value: "10.0.0.11": may not change once set']);
  });
});

describe('namespaces', () => {
  const s = CORE_STRATEGIES.namespaces;
  test('create', () => {
    const ns = created(s, { metadata: { name: 'team-a' } });
    assert.deepEqual(ns.status, { phase: 'Active' });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
    assert.deepEqual(s.fieldAttributes?.(ns), { 'status.phase': 'Active' });
  });
  test('names are DNS labels', () => {
    const ns = created(s, { metadata: { name: 'a.b' } });
    assert.deepEqual(lines(validateObjectMeta(ns.metadata, { namespaced: false, nameValidator: s.nameValidator })), ['metadata.name: Invalid value: "a.b": must not contain dots']);
  });
});

describe('configmaps and secrets', () => {
  test('configmap keys and immutability', () => {
    const s = CORE_STRATEGIES.configmaps;
    const cm: KubeObject = { metadata: { name: 'c', namespace: 'd' }, data: { 'bad key': 'x' } };
    assert.deepEqual(lines(s.validate?.(cm) ?? []), [
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
    const old: KubeObject = { metadata: { name: 'c', namespace: 'd' }, data: { a: '1' }, immutable: true };
    const next: KubeObject = { ...old, data: { a: '2' } };
    assert.deepEqual(lines(s.validateUpdate?.(next, old) ?? []), ['data: Forbidden: field is immutable when `immutable` is set']);
  });
  test('secret defaults, stringData and type rules', () => {
    const s = CORE_STRATEGIES.secrets;
    const secret = created(s, { metadata: { name: 's', namespace: 'd' }, stringData: { user: 'admin' } });
    assert.equal(secret.type, 'Opaque');
    assert.deepEqual(secret.data, { user: b64('admin') });
    assert.equal(secret.stringData, undefined);
    assert.deepEqual(s.validate?.(secret), []);
    const tls = created(s, { metadata: { name: 't', namespace: 'd' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } });
    assert.deepEqual(lines(s.validate?.(tls) ?? []), ['data[tls.key]: Required value']);
    const changed = { ...secret, type: 'kubernetes.io/tls' };
    assert.ok(lines(s.validateUpdate?.(changed, secret) ?? []).includes('type: Invalid value: "kubernetes.io/tls": field is immutable'));
    assert.deepEqual(s.fieldAttributes?.(secret), { type: 'Opaque' });
  });
});

describe('persistent volume claims', () => {
  const s = CORE_STRATEGIES.persistentvolumeclaims;
  const pvc = (): KubeObject => created(s, { metadata: { name: 'c', namespace: 'd' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  test('create', () => {
    const obj = pvc();
    assert.deepEqual(obj.status, { phase: 'Pending' });
    assert.deepEqual(s.validate?.(obj), []);
  });
  test('missing storage and access modes', () => {
    const obj = created(s, { metadata: { name: 'c', namespace: 'd' }, spec: {} });
    assert.deepEqual(lines(s.validate?.(obj) ?? []), ['spec.accessModes: Required value', 'spec.resources[storage]: Required value']);
  });
  test('spec immutable, volumeName may be set once, bound claims may grow', () => {
    const old = pvc();
    const bind = structuredClone(old);
    (bind.spec as Record<string, unknown>).volumeName = 'pv1';
    assert.deepEqual(s.validateUpdate?.(bind, old), []);
    const modes = structuredClone(old);
    (modes.spec as Record<string, unknown>).accessModes = ['ReadWriteMany'];
    assert.deepEqual(lines(s.validateUpdate?.(modes, old) ?? []), [`spec: Forbidden: ${PVC_SPEC_IMMUTABLE_MESSAGE}`]);
    const grow = structuredClone(old);
    grow.status = { phase: 'Bound' };
    (grow.spec as { resources: { requests: Record<string, string> } }).resources.requests.storage = '2Gi';
    assert.deepEqual(s.validateUpdate?.(grow, old), []);
  });
});

describe('other kinds', () => {
  test('event namespace must match the involved object', () => {
    const s = CORE_STRATEGIES.events;
    const ev: KubeObject = { metadata: { name: 'e', namespace: 'a' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'b' }, reason: 'Started', source: { component: 'kubelet' }, type: 'Normal' };
    assert.deepEqual(lines(s.validate?.(ev) ?? []), ['involvedObject.namespace: Invalid value: "b": does not match event.namespace']);
    const attrs = s.fieldAttributes?.(ev) ?? {};
    assert.equal(attrs['involvedObject.name'], 'p');
    assert.equal(attrs.source, 'kubelet');
    assert.equal(attrs.reason, 'Started');
  });
  test('node taints and field attributes', () => {
    const s = CORE_STRATEGIES.nodes;
    const node = created(s, { metadata: { name: 'n' }, spec: { unschedulable: true, taints: [{ key: 'k', effect: 'Sometimes' }] } });
    assert.deepEqual(lines(s.validate?.(node) ?? []), ['spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"']);
    assert.deepEqual(s.fieldAttributes?.(node), { 'spec.unschedulable': 'true' });
  });
  test('persistent volume defaults and source', () => {
    const s = CORE_STRATEGIES.persistentvolumes;
    const pv = created(s, { metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/data' } } });
    assert.equal((pv.spec as Record<string, unknown>).persistentVolumeReclaimPolicy, 'Retain');
    assert.equal((pv.status as Record<string, unknown>).phase, 'Pending');
    assert.deepEqual(s.validate?.(pv), []);
    const none = created(s, { metadata: { name: 'pv2' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } });
    assert.deepEqual(lines(s.validate?.(none) ?? []), ['spec: Required value: must specify a volume type']);
  });
  test('limit range defaults and ordering', () => {
    const s = CORE_STRATEGIES.limitranges;
    const lr = created(s, { metadata: { name: 'l', namespace: 'd' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' } }] } });
    assert.deepEqual((lr.spec as { limits: unknown[] }).limits[0], { type: 'Container', max: { cpu: '2' }, min: { cpu: '100m' }, default: { cpu: '2' }, defaultRequest: { cpu: '2' } });
    assert.deepEqual(s.validate?.(lr), []);
    const bad: KubeObject = { metadata: { name: 'l', namespace: 'd' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { cpu: '2' } }] } };
    assert.deepEqual(lines(s.validate?.(bad) ?? []), ['spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1']);
  });
  test('resource quota quantities', () => {
    const s = CORE_STRATEGIES.resourcequotas;
    const rq: KubeObject = { metadata: { name: 'q', namespace: 'd' }, spec: { hard: { pods: '10', 'requests.cpu': 'lots' } } };
    assert.deepEqual(lines(s.validate?.(rq) ?? []), [`spec.hard[requests.cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`]);
  });
  test('endpoints addresses', () => {
    const s = CORE_STRATEGIES.endpoints;
    const ep = created(s, { metadata: { name: 'e', namespace: 'd' }, subsets: [{ addresses: [{ ip: '10.0.0.300' }], ports: [{ port: 80 }] }] });
    assert.deepEqual(lines(s.validate?.(ep) ?? []), ['subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  });
});
