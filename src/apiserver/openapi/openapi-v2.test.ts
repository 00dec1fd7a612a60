import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { API_TYPES } from '../../api/types/index.js';
import { readFields, type WireField } from '../protobuf/wire-reader.js';
import { buildOpenApiV2 } from './openapi-v2.js';
import { ProtoWriter } from './proto-writer.js';

type Json = Record<string, unknown>;

// ---- a small reader for the gnostic messages, written from the .proto field numbers ----

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const all = (bytes: Uint8Array, number: number): WireField[] => [...readFields(bytes)].filter((f) => f.number === number);
const bytesOf = (field: WireField): Uint8Array => {
  assert.equal(field.wireType, 2, `field ${field.number} is not length-delimited`);
  return field.value as Uint8Array;
};
const messages = (bytes: Uint8Array, number: number): Uint8Array[] => all(bytes, number).map(bytesOf);
const one = (bytes: Uint8Array, number: number): Uint8Array | undefined => messages(bytes, number)[0];
const strings = (bytes: Uint8Array, number: number): string[] => messages(bytes, number).map(text);
const string = (bytes: Uint8Array, number: number): string | undefined => strings(bytes, number)[0];
const bool = (bytes: Uint8Array, number: number): boolean | undefined => {
  const field = all(bytes, number)[0];
  return field ? (field.value as bigint) !== 0n : undefined;
};

/** Any { yaml = 2 }: our YAML is JSON text. */
const anyValue = (bytes: Uint8Array): unknown => JSON.parse(string(bytes, 2)!);

/** repeated NamedX { name = 1; value = 2 } as an ordered object. */
function named(bytes: Uint8Array, number: number, decode: (b: Uint8Array) => unknown): Json {
  const out: Json = {};
  for (const pair of messages(bytes, number)) out[string(pair, 1)!] = decode(one(pair, 2) ?? new Uint8Array());
  return out;
}

/** Schema back to Swagger JSON, for the fields the builder writes. */
function decodeSchema(bytes: Uint8Array): Json {
  const out: Json = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  set('$ref', string(bytes, 1));
  set('format', string(bytes, 2));
  set('description', string(bytes, 4));
  const defaultValue = one(bytes, 5);
  if (defaultValue) out.default = anyValue(defaultValue);
  const required = strings(bytes, 19);
  if (required.length) out.required = required;
  const enumValues = messages(bytes, 20);
  if (enumValues.length) out.enum = enumValues.map(anyValue);
  const additional = one(bytes, 21);
  if (additional) out.additionalProperties = one(additional, 1) ? decodeSchema(one(additional, 1)!) : bool(additional, 2);
  const type = one(bytes, 22);
  if (type) out.type = strings(type, 1).length === 1 ? strings(type, 1)[0] : strings(type, 1);
  const items = one(bytes, 23);
  if (items) {
    const list = messages(items, 1).map(decodeSchema);
    out.items = list.length === 1 ? list[0] : list;
  }
  const properties = one(bytes, 25);
  if (properties) out.properties = named(properties, 1, decodeSchema);
  Object.assign(out, named(bytes, 31, anyValue));
  return out;
}

describe('ProtoWriter', () => {
  const cases: { name: string; write: (w: ProtoWriter) => void; hex: string }[] = [
    { name: 'varint 150', write: (w) => w.varint(1, 150), hex: '089601' },
    { name: 'negative int as ten bytes', write: (w) => w.varint(2, -1), hex: '10ffffffffffffffffff01' },
    { name: 'large int64', write: (w) => w.varint(1, 2n ** 40n), hex: '08808080808020' },
    { name: 'string', write: (w) => w.string(2, 'hi'), hex: '12026869' },
    { name: 'bool', write: (w) => w.bool(16, true), hex: '800101' },
    { name: 'double', write: (w) => w.double(1, 1), hex: '09000000000000f03f' },
    { name: 'nested message', write: (w) => w.message(3, new ProtoWriter().string(1, 'a')), hex: '1a030a0161' },
    { name: 'empty nested message is still written', write: (w) => w.message(25, new ProtoWriter()), hex: 'ca0100' },
  ];
  for (const { name, write, hex } of cases) {
    test(name, () => {
      const w = new ProtoWriter();
      write(w);
      assert.equal(Buffer.from(w.finish()).toString('hex'), hex);
    });
  }
});

describe('OpenAPI v2 protobuf document', () => {
  const built = buildOpenApiV2(API_TYPES);
  const doc = built.protobuf;
  const definitionsJson = built.document.definitions as Record<string, Json>;
  const decodedDefinitions = named(one(doc, 9)!, 1, decodeSchema) as Record<string, Json>;
  const paths = named(one(doc, 8)!, 2, (b) => b) as Record<string, Uint8Array>;

  test('document header', () => {
    assert.equal(string(doc, 1), '2.0');
    assert.equal(string(one(doc, 2)!, 1), 'Kijabi');
  });

  test('every definition decodes back to its Swagger JSON', () => {
    assert.deepEqual(Object.keys(decodedDefinitions), Object.keys(definitionsJson));
    for (const [name, schema] of Object.entries(definitionsJson)) assert.deepEqual(decodedDefinitions[name], schema, name);
  });

  test('every $ref names a definition (kubectl rejects the whole document otherwise)', () => {
    const dangling: string[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === '$ref' && typeof inner === 'string' && !decodedDefinitions[inner.replace('#/definitions/', '')]) dangling.push(inner);
          else visit(inner);
        }
      }
    };
    visit(decodedDefinitions);
    assert.deepEqual(dangling, []);
  });

  const property = (definition: string, field: string): Json => (decodedDefinitions[definition]!.properties as Record<string, Json>)[field]!;
  const cases: { name: string; actual: () => unknown; expected: unknown }[] = [
    {
      name: 'Deployment carries its group-version-kind',
      actual: () => decodedDefinitions['io.k8s.api.apps.v1.Deployment']!['x-kubernetes-group-version-kind'],
      expected: [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
    },
    {
      name: 'core kinds have an empty group',
      actual: () => decodedDefinitions['io.k8s.api.core.v1.Pod']!['x-kubernetes-group-version-kind'],
      expected: [{ group: '', kind: 'Pod', version: 'v1' }],
    },
    {
      name: 'containers merge by name',
      actual: () => {
        const containers = property('io.k8s.api.core.v1.PodSpec', 'containers');
        return [containers.type, containers['x-kubernetes-patch-merge-key'], containers['x-kubernetes-patch-strategy'], containers['x-kubernetes-list-type'], containers['x-kubernetes-list-map-keys']];
      },
      expected: ['array', 'name', 'merge', 'map', ['name']],
    },
    {
      name: 'container items refer to Container',
      actual: () => property('io.k8s.api.core.v1.PodSpec', 'containers').items,
      expected: { $ref: '#/definitions/io.k8s.api.core.v1.Container' },
    },
    {
      name: 'deployment strategy keeps a description beside its $ref and retains keys',
      actual: () => {
        const strategy = property('io.k8s.api.apps.v1.DeploymentSpec', 'strategy');
        return [strategy.$ref, typeof strategy.description, strategy['x-kubernetes-patch-strategy']];
      },
      expected: ['#/definitions/io.k8s.api.apps.v1.DeploymentStrategy', 'string', 'retainKeys'],
    },
    {
      name: 'labels are a map of strings',
      actual: () => {
        const labels = property('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'labels');
        return [labels.type, labels.additionalProperties];
      },
      expected: ['object', { type: 'string' }],
    },
    {
      name: 'IntOrString is marked',
      actual: () => {
        const schema = decodedDefinitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!;
        return [schema.type, schema.format, schema['x-kubernetes-int-or-string']];
      },
      expected: ['string', 'int-or-string', true],
    },
    {
      name: 'finalizers merge as a set of strings',
      actual: () => property('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')['x-kubernetes-patch-strategy'],
      expected: 'merge',
    },
  ];
  for (const { name, actual, expected } of cases) test(name, () => assert.deepEqual(actual(), expected));

  test('the deployment PATCH operation names its kind, action and fieldValidation', () => {
    const item = paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.ok(item, 'deployment item path');
    const patch = one(item, 8)!;
    const extensions = named(patch, 13, anyValue);
    assert.deepEqual(extensions['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    assert.equal(extensions['x-kubernetes-action'], 'patch');
    assert.ok(strings(patch, 7).includes('application/strategic-merge-patch+json'));
    // ParametersItem.parameter(1).non_body_parameter(2).query_parameter_sub_schema(3).name(4)
    const queryNames = messages(patch, 8)
      .map((item) => one(one(one(item, 1)!, 2) ?? new Uint8Array(), 3))
      .filter((query): query is Uint8Array => query !== undefined)
      .map((query) => [string(query, 4), string(query, 2)]);
    assert.deepEqual(queryNames.find(([name]) => name === 'fieldValidation'), ['fieldValidation', 'query']);
    // The body parameter: ParametersItem.parameter(1).body_parameter(1) with in(3) = body.
    const body = messages(patch, 8).map((item) => one(one(item, 1)!, 1)).find((b) => b !== undefined);
    assert.equal(string(body!, 3), 'body');
  });

  test('the path parameter of an item path uses the path sub-schema', () => {
    const item = paths['/api/v1/namespaces/{namespace}/pods/{name}']!;
    const pathParams = messages(item, 9).map((p) => one(one(one(p, 1)!, 2)!, 4)).filter((p): p is Uint8Array => p !== undefined);
    // PathParameterSubSchema: required 1, in 2, name 4, type 5.
    assert.deepEqual(pathParams.map((p) => [string(p, 4), string(p, 2), bool(p, 1), string(p, 5)]), [
      ['name', 'path', true, 'string'],
      ['namespace', 'path', true, 'string'],
    ]);
  });

  test('the etag is a hash of the bytes', () => {
    assert.match(built.etag, /^[0-9A-F]{128}$/);
    assert.equal(buildOpenApiV2(API_TYPES).etag, built.etag);
  });
});
