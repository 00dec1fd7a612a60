import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TypeRegistry } from '../schema/dsl.js';
import type { ObjectType, Schema } from '../schema/dsl.js';
import { RESOURCES } from '../resources.js';
import { CORE_V1_INLINE_EMBEDDINGS, CORE_V1_TYPES } from './core-v1.js';
import { coreType, metaType } from './core/helpers.js';
import { GROUP_TYPES } from './groups.js';
import { META_V1_TYPES } from './meta-v1.js';

const registry = new TypeRegistry();
registry.add(...META_V1_TYPES, ...CORE_V1_TYPES);
const groupTypeNames = new Set(GROUP_TYPES.map((t) => t.name));

function refsOf(schema: Schema): string[] {
  switch (schema.type) {
    case 'ref':
      return [schema.name];
    case 'list':
      return refsOf(schema.items);
    case 'map':
      return refsOf(schema.values);
    default:
      return [];
  }
}

/** Paths of the fields in `value` that `type` does not declare (the strict-validation view). */
function unknownFields(value: unknown, type: ObjectType, at = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const field = type.fields[key];
    const here = at ? `${at}.${key}` : key;
    if (!field) found.push(here);
    else found.push(...unknownInSchema(child, field.schema, here));
  }
  return found;
}

function unknownInSchema(value: unknown, schema: Schema, at: string): string[] {
  if (value === null || value === undefined) return [];
  switch (schema.type) {
    case 'ref':
      return unknownFields(value, registry.mustGet(schema.name), at);
    case 'list':
      return Array.isArray(value) ? value.flatMap((item, i) => unknownInSchema(item, schema.items, `${at}[${i}]`)) : [];
    case 'map':
      return typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => unknownInSchema(v, schema.values, `${at}.${k}`)) : [];
    default:
      return [];
  }
}

describe('meta/v1 and core/v1 type descriptions', () => {
  test('every ref resolves', () => {
    const dangling: string[] = [];
    for (const type of registry.all()) {
      for (const [name, field] of Object.entries(type.fields)) {
        for (const target of refsOf(field.schema)) {
          if (!registry.get(target) && !groupTypeNames.has(target)) dangling.push(`${type.name}.${name} -> ${target}`);
        }
      }
    }
    assert.deepEqual(dangling, []);
  });

  test('protobuf numbers are unique within each type', () => {
    const duplicates: string[] = [];
    for (const type of registry.all()) {
      const seen = new Map<number, string>();
      for (const [name, field] of Object.entries(type.fields)) {
        if (field.pb === undefined) continue;
        const other = seen.get(field.pb);
        if (other) duplicates.push(`${type.name}: ${other} and ${name} both ${field.pb}`);
        seen.set(field.pb, name);
      }
    }
    assert.deepEqual(duplicates, []);
  });

  test('every field and type has a description', () => {
    const blank: string[] = [];
    for (const type of registry.all()) {
      if (!type.description.trim()) blank.push(type.name);
      for (const [name, field] of Object.entries(type.fields)) if (!field.description.trim()) blank.push(`${type.name}.${name}`);
    }
    assert.deepEqual(blank, []);
  });

  test('every core kind in the resource table has a top-level type', () => {
    for (const resource of RESOURCES.filter((r) => r.group === '')) {
      const type = registry.forKind('', resource.version, resource.kind);
      assert.ok(type, `no type for ${resource.kind}`);
      assert.equal(type.fields.apiVersion?.pb, undefined);
      assert.equal(type.fields.kind?.pb, undefined);
      assert.equal(type.fields.metadata?.pb, 1, `${resource.kind}.metadata`);
    }
  });

  test('inline embeddings: the parent lists every embedded field and leaves the embedding number free', () => {
    for (const { parent, pb, embedded } of CORE_V1_INLINE_EMBEDDINGS) {
      const parentType = registry.mustGet(parent);
      const embeddedType = registry.mustGet(embedded);
      for (const name of Object.keys(embeddedType.fields)) {
        assert.ok(parentType.fields[name], `${parent} lacks embedded field ${name}`);
        assert.equal(parentType.fields[name].pb, undefined, `${parent}.${name} must not carry a protobuf number`);
      }
      assert.ok(!Object.values(parentType.fields).some((f) => f.pb === pb), `${parent} reuses ${pb}`);
    }
  });

  const facts: { type: string; field: string; pb?: number; list?: object; pointer?: boolean; scalar?: string }[] = [
    { type: metaType('ObjectMeta'), field: 'managedFields', pb: 17, list: { listType: 'atomic' } },
    { type: metaType('ObjectMeta'), field: 'ownerReferences', pb: 13, list: { listType: 'map', keys: ['uid'], mergeKey: 'uid' } },
    { type: metaType('ObjectMeta'), field: 'finalizers', pb: 14, list: { listType: 'set', mergePrimitives: true } },
    { type: metaType('ObjectMeta'), field: 'creationTimestamp', pb: 8, scalar: 'time' },
    { type: metaType('LabelSelector'), field: 'matchExpressions', pb: 2, list: { listType: 'atomic' } },
    { type: metaType('ManagedFieldsEntry'), field: 'fieldsV1', pb: 7, scalar: 'any' },
    { type: coreType('PodSpec'), field: 'containers', pb: 2, list: { listType: 'map', keys: ['name'], mergeKey: 'name' } },
    { type: coreType('PodSpec'), field: 'volumes', pb: 1, list: { listType: 'map', keys: ['name'], mergeKey: 'name' } },
    { type: coreType('PodSpec'), field: 'imagePullSecrets', pb: 15, list: { listType: 'map', keys: ['name'], mergeKey: 'name' } },
    { type: coreType('PodSpec'), field: 'tolerations', pb: 22, list: { listType: 'atomic' } },
    { type: coreType('PodSpec'), field: 'terminationGracePeriodSeconds', pb: 4, pointer: true },
    { type: coreType('PodSpec'), field: 'automountServiceAccountToken', pb: 21, pointer: true },
    { type: coreType('Container'), field: 'ports', pb: 6, list: { listType: 'map', keys: ['containerPort', 'protocol'], mergeKey: 'containerPort' } },
    { type: coreType('Container'), field: 'env', pb: 7, list: { listType: 'map', keys: ['name'], mergeKey: 'name' } },
    { type: coreType('Container'), field: 'volumeMounts', pb: 9, list: { listType: 'map', keys: ['mountPath'], mergeKey: 'mountPath' } },
    { type: coreType('SecurityContext'), field: 'readOnlyRootFilesystem', pb: 6, pointer: true },
    { type: coreType('HTTPGetAction'), field: 'port', pb: 2, scalar: 'intOrString' },
    { type: coreType('ServiceSpec'), field: 'ports', pb: 1, list: { listType: 'map', keys: ['port', 'protocol'], mergeKey: 'port' } },
    { type: coreType('ServicePort'), field: 'targetPort', pb: 4, scalar: 'intOrString' },
    { type: coreType('NodeStatus'), field: 'conditions', pb: 4, list: { listType: 'map', keys: ['type'], mergeKey: 'type' } },
    { type: coreType('NodeStatus'), field: 'addresses', pb: 5, list: { listType: 'map', keys: ['type'], mergeKey: 'type' } },
    { type: coreType('PodStatus'), field: 'conditions', pb: 2, list: { listType: 'map', keys: ['type'], mergeKey: 'type' } },
    { type: coreType('Secret'), field: 'data', pb: 2 },
    { type: coreType('ConfigMap'), field: 'binaryData', pb: 3 },
    { type: coreType('Event'), field: 'eventTime', pb: 10, scalar: 'microTime' },
  ];
  for (const fact of facts) {
    test(`${fact.type.split('.').pop()}.${fact.field}`, () => {
      const field = registry.mustGet(fact.type).fields[fact.field];
      assert.ok(field, 'field missing');
      if (fact.pb !== undefined) assert.equal(field.pb, fact.pb);
      if (fact.list) assert.deepEqual(field.schema.type === 'list' ? { ...field.schema.list } : undefined, JSON.parse(JSON.stringify(fact.list)));
      if (fact.pointer !== undefined) assert.equal(field.pointer ?? false, fact.pointer);
      if (fact.scalar) assert.equal(field.schema.type === 'scalar' ? field.schema.scalar : undefined, fact.scalar);
    });
  }

  test('Secret and ConfigMap byte maps are bytes', () => {
    for (const [type, name] of [[coreType('Secret'), 'data'], [coreType('ConfigMap'), 'binaryData']] as const) {
      const schema = registry.mustGet(type).fields[name].schema;
      assert.deepEqual(schema, { type: 'map', values: { type: 'scalar', scalar: 'bytes' } });
    }
  });

  test('the unknown-field walker finds planted fields', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', colour: 'red' }, spec: { containers: [{ name: 'c', image: 'i', imagePullPolcy: 'Always' }] } };
    assert.deepEqual(unknownFields(pod, registry.mustGet(coreType('Pod'))), ['metadata.colour', 'spec.containers[0].imagePullPolcy']);
  });

  // The website examples: every v1 Pod/Service/ConfigMap, and the pod templates of workload kinds.
  const examplesDir = path.resolve(process.cwd(), '../shared/examples/kubernetes-website');
  test('example manifests hold only known fields', { skip: !fs.existsSync(examplesDir) && 'examples folder absent' }, () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.ya?ml$/.test(entry.name)) files.push(full);
      }
    };
    walk(examplesDir);
    const templatePaths: Record<string, string[]> = {
      Deployment: ['spec', 'template'],
      ReplicaSet: ['spec', 'template'],
      StatefulSet: ['spec', 'template'],
      DaemonSet: ['spec', 'template'],
      Job: ['spec', 'template'],
      CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
    };
    let checked = 0;
    const problems: string[] = [];
    for (const file of files) {
      for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
        const manifest = doc.toJS() as { apiVersion?: string; kind?: string } | null;
        if (!manifest?.kind) continue;
        let type: ObjectType | undefined;
        let value: unknown = manifest;
        if (manifest.apiVersion === 'v1' && ['Pod', 'Service', 'ConfigMap'].includes(manifest.kind)) {
          type = registry.forKind('', 'v1', manifest.kind);
        } else if (templatePaths[manifest.kind]) {
          value = templatePaths[manifest.kind].reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], manifest);
          type = value ? registry.mustGet(coreType('PodTemplateSpec')) : undefined;
        }
        if (!type) continue;
        checked++;
        for (const unknown of unknownFields(value, type)) problems.push(`${path.relative(examplesDir, file)} ${manifest.kind}: ${unknown}`);
      }
    }
    assert.ok(checked > 0, 'no manifests checked');
    assert.deepEqual(problems, []);
  });
});
