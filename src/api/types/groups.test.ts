import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ObjectType, Schema } from '../schema/dsl.js';
import { parseApiVersion, RESOURCES } from '../resources.js';
import { GROUP_TYPES } from './groups.js';

const EXAMPLES_DIR = '/work/shared/examples/kubernetes-website';
const EXTERNAL_PREFIXES = ['io.k8s.api.core.v1.', 'io.k8s.apimachinery.'];
const byName = new Map(GROUP_TYPES.map((type) => [type.name, type]));

const isExternal = (name: string): boolean => EXTERNAL_PREFIXES.some((prefix) => name.startsWith(prefix));

function refsOf(schema: Schema): string[] {
  switch (schema.type) {
    case 'ref':
      return [schema.name];
    case 'map':
      return refsOf(schema.values);
    case 'list':
      return refsOf(schema.items);
    default:
      return [];
  }
}

function kindType(group: string, version: string, kind: string): ObjectType | undefined {
  return GROUP_TYPES.find((t) => t.gvk?.group === group && t.gvk.version === version && t.gvk.kind === kind);
}

/**
 * Paths of fields a value has that the schema does not know. Stops at types defined elsewhere
 * (core, meta), which their own tests cover.
 */
function unknownFields(value: unknown, schema: Schema, path: string): string[] {
  if (value === null || value === undefined) return [];
  switch (schema.type) {
    case 'scalar':
      return [];
    case 'list':
      return Array.isArray(value) ? value.flatMap((item, i) => unknownFields(item, schema.items, `${path}[${i}]`)) : [];
    case 'map':
      return typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, schema.values, `${path}.${k}`)) : [];
    case 'ref': {
      const type = byName.get(schema.name);
      if (!type || typeof value !== 'object' || type.openFields) return [];
      return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
        const field = type.fields[key];
        const childPath = path ? `${path}.${key}` : key;
        return field ? unknownFields(child, field.schema, childPath) : [childPath];
      });
    }
  }
}

function unknownFieldsOfObject(doc: Record<string, unknown>): string[] | undefined {
  const { group, version } = parseApiVersion(String(doc.apiVersion));
  const type = kindType(group, version, String(doc.kind));
  return type ? unknownFields(doc, { type: 'ref', name: type.name }, '') : undefined;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

describe('GROUP_TYPES', () => {
  test('type names are unique', () => {
    assert.equal(byName.size, GROUP_TYPES.length);
  });

  test('no protobuf field number is used twice within a type', () => {
    for (const type of GROUP_TYPES) {
      const seen = new Map<number, string>();
      for (const [name, field] of Object.entries(type.fields)) {
        if (field.pb === undefined) continue;
        assert.ok(!seen.has(field.pb), `${type.name}: ${name} and ${seen.get(field.pb)} share pb ${field.pb}`);
        seen.set(field.pb, name);
      }
    }
  });

  test('every field except apiVersion/kind has a protobuf number', () => {
    for (const type of GROUP_TYPES) {
      for (const [name, field] of Object.entries(type.fields)) {
        if (name === 'apiVersion' || name === 'kind') continue;
        assert.ok(Number.isInteger(field.pb) && field.pb! > 0, `${type.name}.${name} has no pb number`);
      }
    }
  });

  test('every resource outside the core group has a top-level type', () => {
    for (const resource of RESOURCES.filter((r) => r.group !== '')) {
      const type = kindType(resource.group, resource.version, resource.kind);
      assert.ok(type, `no type for ${resource.group}/${resource.version} ${resource.kind}`);
      for (const field of ['apiVersion', 'kind', 'metadata']) assert.ok(type.fields[field], `${type.name} lacks ${field}`);
    }
  });

  test('no two types claim the same group/version/kind', () => {
    const gvks = GROUP_TYPES.filter((t) => t.gvk).map((t) => `${t.gvk!.group}/${t.gvk!.version}/${t.gvk!.kind}`);
    assert.equal(new Set(gvks).size, gvks.length);
  });

  test('refs resolve within the groups or name core/meta types', () => {
    for (const type of GROUP_TYPES) {
      for (const [name, field] of Object.entries(type.fields)) {
        for (const target of refsOf(field.schema)) {
          assert.ok(byName.has(target) || isExternal(target), `${type.name}.${name} refers to unknown ${target}`);
        }
      }
    }
  });

  test('every type and field has a description', () => {
    for (const type of GROUP_TYPES) {
      assert.ok(type.description.length > 10 && !type.description.includes('TODO'), type.name);
      for (const [name, field] of Object.entries(type.fields)) {
        assert.ok(field.description.length > 5 && !field.description.includes('TODO'), `${type.name}.${name}`);
      }
    }
  });

  // Spot checks of facts that patching and protobuf decoding depend on.
  const facts: Array<[string, string, (t: ObjectType) => unknown, unknown]> = [
    ['io.k8s.api.apps.v1.DeploymentSpec', 'strategy retainKeys', (t) => t.fields.strategy?.retainKeys, true],
    ['io.k8s.api.apps.v1.DeploymentSpec', 'replicas pointer', (t) => t.fields.replicas?.pointer, true],
    ['io.k8s.api.apps.v1.DeploymentSpec', 'progressDeadlineSeconds pb', (t) => t.fields.progressDeadlineSeconds?.pb, 9],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'conditions merge key', (t) => listOf(t, 'conditions')?.mergeKey, 'type'],
    ['io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge intOrString', (t) => scalarOf(t, 'maxSurge'), 'intOrString'],
    ['io.k8s.api.apps.v1.StatefulSetSpec', 'volumeClaimTemplates ref', (t) => refOfList(t, 'volumeClaimTemplates'), 'io.k8s.api.core.v1.PersistentVolumeClaim'],
    ['io.k8s.api.apps.v1.StatefulSetSpec', 'ordinals pb', (t) => t.fields.ordinals?.pb, 11],
    ['io.k8s.api.apps.v1.ControllerRevision', 'data rawExtension', (t) => scalarOf(t, 'data'), 'rawExtension'],
    ['io.k8s.api.batch.v1.JobSpec', 'successPolicy pb', (t) => t.fields.successPolicy?.pb, 16],
    ['io.k8s.api.batch.v1.JobSpec', 'suspend pointer', (t) => t.fields.suspend?.pointer, true],
    ['io.k8s.api.batch.v1.JobStatus', 'conditions atomic with merge key', (t) => `${listOf(t, 'conditions')?.listType}/${listOf(t, 'conditions')?.mergeKey}`, 'atomic/type'],
    ['io.k8s.api.batch.v1.JobStatus', 'terminating pb', (t) => t.fields.terminating?.pb, 11],
    ['io.k8s.api.batch.v1.CronJobSpec', 'timeZone pb', (t) => t.fields.timeZone?.pb, 8],
    ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus', 'conditions list keys', (t) => listOf(t, 'conditions')?.keys?.join(), 'type'],
    ['io.k8s.api.autoscaling.v1.ScaleStatus', 'selector pb', (t) => t.fields.selector?.pb, 2],
    ['io.k8s.api.coordination.v1.LeaseSpec', 'renewTime microTime', (t) => scalarOf(t, 'renewTime'), 'microTime'],
    ['io.k8s.api.rbac.v1.RoleRef', 'atomic struct', (t) => t.atomic, true],
    ['io.k8s.api.discovery.v1.EndpointSlice', 'addressType pb', (t) => t.fields.addressType?.pb, 4],
    ['io.k8s.api.authorization.v1.SubjectAccessReviewStatus', 'denied pb', (t) => t.fields.denied?.pb, 4],
  ];
  for (const [typeName, what, get, expected] of facts) {
    test(`${typeName}: ${what}`, () => {
      const type = byName.get(typeName);
      assert.ok(type, `missing ${typeName}`);
      assert.equal(get(type), expected);
    });
  }
});

function listOf(type: ObjectType, field: string) {
  const schema = type.fields[field]?.schema;
  return schema?.type === 'list' ? schema.list : undefined;
}
function scalarOf(type: ObjectType, field: string) {
  const schema = type.fields[field]?.schema;
  return schema?.type === 'scalar' ? schema.scalar : undefined;
}
function refOfList(type: ObjectType, field: string) {
  const schema = type.fields[field]?.schema;
  return schema?.type === 'list' && schema.items.type === 'ref' ? schema.items.name : undefined;
}

describe('unknown-field walker', () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['known fields', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1, strategy: { rollingUpdate: { maxSurge: 1 } } } }, []],
    ['misspelt spec field', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replica: 1 } }, ['spec.replica']],
    ['nested list item', { apiVersion: 'batch/v1', kind: 'Job', spec: { podFailurePolicy: { rules: [{ action: 'Ignore', onExitCode: {} }] } } }, ['spec.podFailurePolicy.rules[0].onExitCode']],
    ['stops at core types', { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { anything: 1 } } } }, []],
  ];
  for (const [name, doc, expected] of cases) {
    test(name, () => assert.deepEqual(unknownFieldsOfObject(doc), expected));
  }
});

describe('kubernetes-website examples', { skip: !existsSync(EXAMPLES_DIR) && 'examples not present' }, () => {
  test('apps, batch and autoscaling manifests use only known fields', () => {
    let checked = 0;
    for (const file of yamlFiles(EXAMPLES_DIR)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const object = doc.toJS() as Record<string, unknown> | null;
        if (!object || typeof object.apiVersion !== 'string') continue;
        if (!/^(apps\/v1|batch\/v1|autoscaling\/)/.test(object.apiVersion)) continue;
        const unknown = unknownFieldsOfObject(object);
        assert.ok(unknown, `${file}: no type for ${object.apiVersion} ${String(object.kind)}`);
        assert.deepEqual(unknown, [], `${file}: unknown fields`);
        checked++;
      }
    }
    assert.ok(checked > 0, 'no manifest checked');
  });
});
