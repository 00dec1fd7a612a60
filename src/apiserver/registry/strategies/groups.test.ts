import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { RESOURCES } from '../../../api/resources.js';
import { GROUP_STRATEGIES } from './groups.js';

function lines(errors: { field: string; detail: string }[]): string[] {
  return errors.map((e) => `${e.field}: ${e.detail}`);
}

function meta(name = 'x', namespace?: string): KubeObject['metadata'] {
  return namespace ? { name, namespace } : { name };
}

test('every named-group resource has a strategy', () => {
  for (const r of RESOURCES) {
    if (r.group === '') continue;
    assert.ok(GROUP_STRATEGIES[`${r.group}/${r.resource}`], `${r.group}/${r.resource}`);
  }
});

describe('validation messages', () => {
  const cases: { name: string; key: string; obj: KubeObject; want: string[] }[] = [
    {
      name: 'pdb with both bounds',
      key: 'policy/poddisruptionbudgets',
      obj: { metadata: meta('p', 'default'), spec: { minAvailable: 1, maxUnavailable: '50%' } },
      want: ['spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:&intstr.IntOrString{Type:0, IntVal:1, StrVal:""}, MaxUnavailable:&intstr.IntOrString{Type:1, IntVal:0, StrVal:"50%"}, ...}: minAvailable and maxUnavailable cannot be both set'],
    },
    { name: 'pdb fine', key: 'policy/poddisruptionbudgets', obj: { metadata: meta('p', 'default'), spec: { minAvailable: '50%', selector: { matchLabels: { app: 'a' } } } }, want: [] },
    {
      name: 'role rule without verbs',
      key: 'rbac.authorization.k8s.io/roles',
      obj: { metadata: meta('r', 'default'), rules: [{ apiGroups: [''], resources: ['pods'] }] },
      want: ['rules[0].verbs: Required value: verbs must contain at least one value'],
    },
    {
      name: 'namespaced non-resource rule',
      key: 'rbac.authorization.k8s.io/roles',
      obj: { metadata: meta('r', 'default'), rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] },
      want: ['rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs'],
    },
    {
      name: 'cluster role binding to a Role',
      key: 'rbac.authorization.k8s.io/clusterrolebindings',
      obj: { metadata: meta('b'), roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] },
      want: ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value'],
    },
    { name: 'storage class without provisioner', key: 'storage.k8s.io/storageclasses', obj: { metadata: meta('s') }, want: ['provisioner: Required value'] },
    { name: 'lease duration', key: 'coordination.k8s.io/leases', obj: { metadata: meta('l', 'kube-node-lease'), spec: { leaseDurationSeconds: 0 } }, want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'] },
    { name: 'slice without address type', key: 'discovery.k8s.io/endpointslices', obj: { metadata: meta('e', 'default'), endpoints: [{ addresses: [] }] }, want: ['addressType: Required value', 'endpoints[0].addresses: Required value: must contain at least 1 address'] },
    { name: 'slice with bad IPv4', key: 'discovery.k8s.io/endpointslices', obj: { metadata: meta('e', 'default'), addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.300'] }], ports: [{ port: 80 }] }, want: ['endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address'] },
    { name: 'system- priority class', key: 'scheduling.k8s.io/priorityclasses', obj: { metadata: meta('system-mine'), value: 5 }, want: ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"] },
    { name: 'builtin priority class', key: 'scheduling.k8s.io/priorityclasses', obj: { metadata: meta('system-node-critical'), value: 2000001000 }, want: [] },
    { name: 'too-high priority', key: 'scheduling.k8s.io/priorityclasses', obj: { metadata: meta('high'), value: 1000000001 }, want: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'] },
    {
      name: 'hpa max below min',
      key: 'autoscaling/horizontalpodautoscalers',
      obj: { apiVersion: 'autoscaling/v2', metadata: meta('h', 'default'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } },
      want: ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'],
    },
    { name: 'access review needs attributes', key: 'authorization.k8s.io/selfsubjectaccessreviews', obj: { metadata: {}, spec: {} }, want: ['spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified'] },
    {
      name: 'events.k8s.io event needs reporting fields',
      key: 'events.k8s.io/events',
      obj: { metadata: meta('ev', 'default'), eventTime: '2025-01-01T00:00:00.000000Z', type: 'Normal', reason: 'Started' },
      want: ['reportingController: Required value', 'reportingInstance: Required value', 'action: Required value'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const strategy = GROUP_STRATEGIES[c.key];
      strategy.defaults?.(c.obj);
      assert.deepEqual(lines(strategy.validate!(c.obj)), c.want);
    });
  }
});

describe('defaults and updates', () => {
  test('hpa v2 defaults a CPU target; v1 does not', () => {
    const v2: KubeObject = { apiVersion: 'autoscaling/v2', metadata: meta('h', 'default'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, maxReplicas: 3 } };
    GROUP_STRATEGIES['autoscaling/horizontalpodautoscalers'].defaults!(v2);
    assert.deepEqual(v2.spec, {
      scaleTargetRef: { kind: 'Deployment', name: 'w' },
      maxReplicas: 3,
      minReplicas: 1,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    const v1: KubeObject = { apiVersion: 'autoscaling/v1', metadata: meta('h', 'default'), spec: { maxReplicas: 3 } };
    GROUP_STRATEGIES['autoscaling/horizontalpodautoscalers'].defaults!(v1);
    assert.deepEqual(v1.spec, { maxReplicas: 3, minReplicas: 1 });
  });

  test('storage class defaults and immutable parameters', () => {
    const strategy = GROUP_STRATEGIES['storage.k8s.io/storageclasses'];
    const old: KubeObject = { metadata: meta('s'), provisioner: 'kijabi.io/local', parameters: { a: '1' } };
    strategy.defaults!(old);
    assert.equal(old.reclaimPolicy, 'Delete');
    assert.equal(old.volumeBindingMode, 'Immediate');
    const next = { ...structuredClone(old), parameters: { a: '2' } };
    assert.deepEqual(lines(strategy.validateUpdate!(next, old)), ['parameters: Forbidden: updates to parameters are forbidden.']);
  });

  test('priority class value is immutable', () => {
    const strategy = GROUP_STRATEGIES['scheduling.k8s.io/priorityclasses'];
    const old: KubeObject = { metadata: meta('p'), value: 10 };
    strategy.defaults!(old);
    assert.equal(old.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(lines(strategy.validateUpdate!({ ...old, value: 11 }, old)), ['value: Forbidden: may not be changed in an update.']);
  });

  test('binding defaults and immutable roleRef', () => {
    const strategy = GROUP_STRATEGIES['rbac.authorization.k8s.io/rolebindings'];
    const old: KubeObject = { metadata: meta('b', 'default'), roleRef: { kind: 'Role', name: 'a' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'default' }] };
    strategy.defaults!(old);
    assert.deepEqual(old.roleRef, { kind: 'Role', name: 'a', apiGroup: 'rbac.authorization.k8s.io' });
    assert.deepEqual(old.subjects, [
      { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
    ]);
    const next = { ...structuredClone(old), roleRef: { kind: 'Role', name: 'b', apiGroup: 'rbac.authorization.k8s.io' } };
    assert.deepEqual(lines(strategy.validateUpdate!(next, old)), ['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef']);
  });

  test('endpoint slice generation and immutable address type', () => {
    const strategy = GROUP_STRATEGIES['discovery.k8s.io/endpointslices'];
    const old: KubeObject = { metadata: meta('e', 'default'), addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] };
    strategy.defaults!(old);
    strategy.prepareForCreate!(old);
    assert.deepEqual(old.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
    assert.equal(old.metadata.generation, 1);
    const same = structuredClone(old);
    strategy.prepareForUpdate!(same, old);
    assert.equal(same.metadata.generation, 1);
    const changed = { ...structuredClone(old), addressType: 'IPv6' };
    strategy.prepareForUpdate!(changed, old);
    assert.equal(changed.metadata.generation, 2);
    assert.deepEqual(lines(strategy.validateUpdate!(changed, old)), ['addressType: Invalid value: "IPv6": field is immutable']);
  });
});
