import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import {
  TypeRegistry,
  atomicList,
  bool,
  field,
  int32,
  mapList,
  mapOf,
  obj,
  objectType,
  ref,
  scalar,
  setList,
  str,
  stringMap,
} from '../../api/schema/dsl.js';
import { apply, managerFromUserAgent, updateManagedFields } from './apply.js';

// A small stand-in for the real schemas: Deployment-like objects with the list semantics that matter.
function testTypes(): TypeRegistry {
  const types = new TypeRegistry();
  types.add(
    objectType('test.ObjectMeta', 'meta', {
      name: str(1, 'name'),
      namespace: str(3, 'namespace'),
      uid: str(5, 'uid'),
      resourceVersion: str(6, 'rv'),
      generation: int32(7, 'generation'),
      creationTimestamp: field(scalar('time'), 8, 'created'),
      labels: stringMap(11, 'labels'),
      annotations: stringMap(12, 'annotations'),
      finalizers: field(setList(scalar('string')), 14, 'finalizers'),
      managedFields: field(atomicList(scalar('any')), 17, 'managed fields'),
    }),
    objectType('test.LabelSelector', 'selector', { matchLabels: stringMap(1, 'labels') }, { atomic: true }),
    objectType('test.Deployment', 'deployment', {
      apiVersion: str(undefined, 'v'),
      kind: str(undefined, 'k'),
      metadata: obj('test.ObjectMeta', 1, 'meta'),
      spec: obj('test.DeploymentSpec', 2, 'spec'),
      status: obj('test.DeploymentStatus', 3, 'status'),
    }, { gvk: { group: 'apps', version: 'v1', kind: 'Deployment' } }),
    objectType('test.DeploymentSpec', 'spec', {
      replicas: int32(1, 'replicas', { pointer: true }),
      paused: bool(7, 'paused'),
      selector: obj('test.LabelSelector', 2, 'selector'),
      template: obj('test.PodTemplateSpec', 3, 'template'),
    }),
    objectType('test.DeploymentStatus', 'status', { replicas: int32(2, 'replicas') }),
    objectType('test.PodTemplateSpec', 'template', {
      metadata: obj('test.ObjectMeta', 1, 'meta'),
      spec: obj('test.PodSpec', 2, 'spec'),
    }),
    objectType('test.PodSpec', 'pod spec', {
      containers: field(mapList(ref('test.Container'), ['name']), 2, 'containers', { required: true }),
      nodeSelector: field(mapOf(scalar('string')), 7, 'node selector'),
    }),
    objectType('test.Container', 'container', {
      name: str(1, 'name', { required: true }),
      image: str(2, 'image'),
      args: field(atomicList(scalar('string')), 4, 'args'),
      ports: field(mapList(ref('test.ContainerPort'), ['containerPort', 'protocol']), 6, 'ports'),
      env: field(mapList(ref('test.EnvVar'), ['name']), 7, 'env'),
    }),
    objectType('test.ContainerPort', 'port', {
      name: str(1, 'name'),
      containerPort: int32(3, 'port', { required: true }),
      protocol: str(4, 'protocol', { default: 'TCP' }),
    }),
    objectType('test.EnvVar', 'env', { name: str(1, 'name'), value: str(2, 'value') }),
  );
  return types;
}

const types = testTypes();
const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';
const T2 = '2026-01-01T00:02:00Z';

const applyAs = (manager: string, now: string, force = false) => ({ manager, force, typeName: 'test.Deployment', types, apiVersion: 'apps/v1', now });
const updateAs = (manager: string, now: string) => ({ manager, operation: 'Update' as const, typeName: 'test.Deployment', types, apiVersion: 'apps/v1', now });

interface DeploymentOptions {
  replicas?: number;
  image?: string;
  labels?: Record<string, string>;
  containers?: Record<string, unknown>[];
}

function deployment({ replicas, image = 'nginx:1.27', labels = { app: 'web' }, containers }: DeploymentOptions = {}): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: containers ?? [{ name: 'nginx', image }] } },
  };
  if (replicas !== undefined) spec.replicas = replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels }, spec };
}

/** What the registry adds when it stores an object: system metadata the apply must leave alone. */
function stored(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, uid: 'u-1', resourceVersion: '7', generation: 1, creationTimestamp: T0 } };
}

function entry(object: KubeObject, manager: string) {
  return object.metadata.managedFields?.find((e) => e.manager === manager);
}

function applyConflict(fn: () => unknown): { message: string; causes: unknown } {
  try {
    fn();
  } catch (err) {
    assert.ok(isApiError(err, 'Conflict'), `expected a Conflict, got ${String(err)}`);
    assert.equal(err.code, 409);
    return { message: err.message, causes: err.details?.causes };
  }
  assert.fail('expected a conflict');
}

const specSpec = (object: KubeObject) => object.spec as { replicas?: number; template: { spec: { containers: Array<Record<string, unknown>> } } };

describe('apply', () => {
  test('first apply creates the object and owns every field it set', () => {
    const { object } = apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0));
    assert.equal(specSpec(object).replicas, 2);
    assert.deepEqual(object.metadata.managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {}, 'f:name': {}, '.': {} } } },
            },
          },
        },
      },
    ]);
  });

  test('re-applying the same configuration changes nothing, not even the time', () => {
    const first = stored(apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0)).object);
    const { object } = apply(first, deployment({ replicas: 2 }), applyAs('kubectl', T1));
    assert.deepEqual(object, first);
  });

  test('system metadata is kept and never owned', () => {
    const live = stored(apply(undefined, deployment(), applyAs('kubectl', T0)).object);
    const { object } = apply(live, deployment({ replicas: 3 }), applyAs('kubectl', T1));
    assert.equal(object.metadata.uid, 'u-1');
    assert.equal(object.metadata.creationTimestamp, T0);
    const fields = entry(object, 'kubectl')?.fieldsV1 as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(fields), ['f:metadata', 'f:spec']);
    assert.deepEqual(Object.keys(fields['f:metadata']), ['f:labels']);
    assert.equal(entry(object, 'kubectl')?.time, T1);
  });

  test('a field dropped from the configuration is removed', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2, labels: { app: 'web', tier: 'front' } }), applyAs('kubectl', T0)).object);
    const { object } = apply(live, deployment({ labels: { app: 'web' } }), applyAs('kubectl', T1));
    assert.equal(specSpec(object).replicas, undefined);
    assert.deepEqual(object.metadata.labels, { app: 'web' });
    assert.deepEqual(entry(object, 'kubectl')?.fieldsV1?.['f:spec'], {
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {}, 'f:name': {}, '.': {} } } },
      },
    });
  });

  test('a dropped field another manager also owns stays', () => {
    let live = stored(apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0)).object);
    live = stored(apply(live, deployment({ replicas: 2 }), applyAs('other', T1)).object);
    const { object } = apply(live, deployment(), applyAs('kubectl', T2));
    assert.equal(specSpec(object).replicas, 2);
    assert.ok(!('f:replicas' in (entry(object, 'kubectl')?.fieldsV1?.['f:spec'] as object)));
    assert.ok('f:replicas' in (entry(object, 'other')?.fieldsV1?.['f:spec'] as object));
  });

  test('two appliers setting the same value share the field without conflict', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0)).object);
    const { object } = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, applyAs('ops', T1));
    assert.deepEqual(entry(object, 'ops')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.ok('f:replicas' in (entry(object, 'kubectl')?.fieldsV1?.['f:spec'] as object));
    assert.deepEqual(object.metadata.managedFields?.map((e) => e.manager), ['kubectl', 'ops']);
  });

  test('a different value for a field another applier owns is a 409 naming the field', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0)).object);
    const { message, causes } = applyConflict(() =>
      apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5 } }, applyAs('ops', T1)),
    );
    assert.equal(message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    assert.deepEqual(causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }]);
  });

  test('several conflicts are grouped by manager', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0)).object);
    const { message, causes } = applyConflict(() => apply(live, deployment({ replicas: 5, image: 'nginx:1.28' }), applyAs('ops', T1)));
    assert.equal(
      message,
      'Apply failed with 2 conflicts: conflicts with "kubectl":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    assert.equal((causes as unknown[]).length, 2);
  });

  test('force takes the conflicting field over', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0)).object);
    const { object } = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5 } }, applyAs('ops', T1, true));
    assert.equal(specSpec(object).replicas, 5);
    assert.ok(!('f:replicas' in (entry(object, 'kubectl')?.fieldsV1?.['f:spec'] as object)));
    assert.deepEqual(entry(object, 'ops')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });

  test('an Update by kubectl-client-side-apply then a server-side apply of other replicas conflicts', () => {
    const created = stored(updateManagedFields(undefined, deployment({ replicas: 2 }), updateAs('kubectl-client-side-apply', T0)));
    const { message, causes } = applyConflict(() => apply(created, deployment({ replicas: 3 }), applyAs('kubectl', T1)));
    assert.equal(message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    assert.deepEqual(causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
    ]);
    // The same values: no conflict, and both managers own the fields.
    const { object } = apply(created, deployment({ replicas: 2 }), applyAs('kubectl', T1));
    assert.deepEqual(object.metadata.managedFields?.map((e) => [e.manager, e.operation]), [
      ['kubectl', 'Apply'],
      ['kubectl-client-side-apply', 'Update'],
    ]);
  });

  test('list-map items merge by key: items the applier does not mention stay in place', () => {
    const created = stored(
      updateManagedFields(undefined, deployment({ containers: [{ name: 'init' }, { name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'envoy' }] }), updateAs('injector', T0)),
    );
    const { object } = apply(created, deployment({ containers: [{ name: 'nginx', image: 'nginx:1.27', args: ['-g'] }] }), applyAs('kubectl', T1));
    assert.deepEqual(specSpec(object).template.spec.containers, [
      { name: 'init' },
      { name: 'nginx', image: 'nginx:1.27', args: ['-g'] },
      { name: 'sidecar', image: 'envoy' },
    ]);
  });

  test('an item the applier dropped is removed unless someone else owns part of it', () => {
    const two = [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'helper', image: 'busybox' }];
    let live = stored(apply(undefined, deployment({ containers: two }), applyAs('kubectl', T0)).object);
    const dropped = apply(live, deployment({ containers: [two[0]] }), applyAs('kubectl', T1)).object;
    assert.deepEqual(specSpec(dropped).template.spec.containers, [two[0]]);
    assert.deepEqual(
      Object.keys((entry(dropped, 'kubectl')?.fieldsV1 as any)['f:spec']['f:template']['f:spec']['f:containers']),
      ['k:{"name":"nginx"}'],
    );

    // Another manager changed helper's image: helper survives the applier dropping it, minus nothing it owns.
    const edited = structuredClone(live);
    specSpec(edited).template.spec.containers[1].image = 'busybox:2';
    live = stored(updateManagedFields(live, edited, updateAs('kubectl-edit', T1)));
    const kept = apply(live, deployment({ containers: [two[0]] }), applyAs('kubectl', T2)).object;
    assert.deepEqual(specSpec(kept).template.spec.containers, [two[0], { name: 'helper', image: 'busybox:2' }]);
  });

  test('list-map keys use schema defaults, so a port without protocol matches the live TCP port', () => {
    const live = stored(
      updateManagedFields(undefined, deployment({ containers: [{ name: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }] }), updateAs('kubectl-create', T0)),
    );
    const { object } = apply(live, deployment({ containers: [{ name: 'nginx', ports: [{ containerPort: 80, name: 'http' }] }] }), applyAs('kubectl', T1));
    assert.deepEqual(specSpec(object).template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
    const ports = (entry(object, 'kubectl')?.fieldsV1 as any)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:ports'];
    assert.deepEqual(ports, { 'k:{"containerPort":80,"protocol":"TCP"}': { 'f:containerPort': {}, 'f:name': {}, '.': {} } });
  });

  test('set lists merge by value and atomic lists are replaced whole', () => {
    const withFinalizers = (finalizers: string[], args: string[]) => {
      const d = deployment({ containers: [{ name: 'nginx', args }] });
      d.metadata.finalizers = finalizers;
      return d;
    };
    let live = stored(updateManagedFields(undefined, withFinalizers(['a/x'], ['-a', '-b']), updateAs('controller', T0)));
    live = stored(apply(live, withFinalizers(['b/y'], ['-c']), applyAs('kubectl', T1, true)).object);
    assert.deepEqual(live.metadata.finalizers, ['a/x', 'b/y']);
    assert.deepEqual(specSpec(live).template.spec.containers[0].args, ['-c']);
    const meta = (entry(live, 'kubectl')?.fieldsV1 as any)['f:metadata'];
    assert.deepEqual(meta['f:finalizers'], { 'v:"b/y"': {} });
    // The applier drops its finalizer: only its own goes.
    const { object } = apply(live, withFinalizers([], ['-c']), applyAs('kubectl', T2));
    assert.deepEqual(object.metadata.finalizers, ['a/x']);
  });

  test('a null in the configuration unsets the field', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0)).object);
    const config = deployment();
    (config.spec as Record<string, unknown>).replicas = null;
    const { object } = apply(live, config, applyAs('kubectl', T1));
    assert.equal('replicas' in (object.spec as object), false);
  });

  test('inputs are not modified', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2 }), applyAs('kubectl', T0)).object);
    const config = deployment({ replicas: 4 });
    const before = [JSON.stringify(live), JSON.stringify(config)];
    apply(live, config, applyAs('kubectl', T1));
    assert.deepEqual([JSON.stringify(live), JSON.stringify(config)], before);
  });

  test('ignoredFields are neither owned nor conflicting', () => {
    const live = stored(apply(undefined, { ...deployment(), status: { replicas: 1 } }, { ...applyAs('kubectl', T0), ignoredFields: [['status']] }).object);
    assert.equal('f:status' in (entry(live, 'kubectl')?.fieldsV1 as object), false);
  });
});

describe('updateManagedFields', () => {
  test('create: the writer owns every field, containers included ("." for new maps and lists)', () => {
    const created = updateManagedFields(undefined, deployment({ replicas: 2 }), updateAs('kubectl-create', T0));
    assert.deepEqual(created.metadata.managedFields, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {}, '.': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {}, '.': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {}, 'f:name': {}, '.': {} } } },
            },
          },
        },
      },
    ]);
  });

  test('an update takes changed fields from other managers and releases removed ones', () => {
    const live = stored(apply(undefined, deployment({ replicas: 2, labels: { app: 'web', tier: 'front' } }), applyAs('kubectl', T0)).object);
    const changed = structuredClone(live);
    (changed.spec as { replicas: number }).replicas = 5;
    delete changed.metadata.labels!.tier;
    const updated = updateManagedFields(live, changed, { ...updateAs('kubectl', T1), subresource: 'scale' });
    const applier = updated.metadata.managedFields!.find((e) => e.operation === 'Apply')!;
    assert.deepEqual((applier.fieldsV1 as any)['f:metadata'], { 'f:labels': { 'f:app': {} } });
    assert.ok(!('f:replicas' in (applier.fieldsV1 as any)['f:spec']));
    const scaler = updated.metadata.managedFields!.find((e) => e.operation === 'Update')!;
    assert.deepEqual(scaler, {
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      subresource: 'scale',
    });
  });

  test('a write that changes nothing adds no entry', () => {
    const live = stored(apply(undefined, deployment(), applyAs('kubectl', T0)).object);
    const updated = updateManagedFields(live, structuredClone(live), updateAs('kubectl-edit', T1));
    assert.deepEqual(updated.metadata.managedFields, live.metadata.managedFields);
  });

  test('managedFields: [{}] in the request resets ownership', () => {
    const live = stored(apply(undefined, deployment(), applyAs('kubectl', T0)).object);
    const reset = structuredClone(live);
    reset.metadata.managedFields = [{}];
    assert.equal(updateManagedFields(live, reset, updateAs('x', T1)).metadata.managedFields, undefined);
  });
});

describe('managerFromUserAgent', () => {
  const cases: Array<[string, string]> = [
    ['kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd', 'kubectl'],
    ['kube-controller-manager/v1.32.4 (linux/amd64) kubernetes/59526cd/system:serviceaccount:kube-system:deployment-controller', 'kube-controller-manager'],
    ['curl', 'curl'],
    ['', ''],
    ['a\u0007b/1', 'ab'],
    ['x'.repeat(200), 'x'.repeat(128)],
  ];
  for (const [ua, manager] of cases) test(JSON.stringify(ua.slice(0, 40)), () => assert.equal(managerFromUserAgent(ua), manager));
});
