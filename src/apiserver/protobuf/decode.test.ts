import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isApiError } from '../../api/errors.js';
import { atomicList, bool, field, int32, int64, mapOf, obj, objectType, ref, scalar, str, stringMap, TypeRegistry } from '../../api/schema/dsl.js';
import { decodeProtobufEnvelope, decodeProtobufObject, isKubernetesProtobuf } from './decode.js';
import { formatGoDuration, formatMicroTime, formatTime } from './go-format.js';
import { readFields, readVarint, varintToSigned, WireFormatError } from './wire-reader.js';

// ---- fixtures captured from kubectl 1.32 by capture-fixtures.ts ----

function findFixtureDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'fixtures', 'protobuf');
    if (existsSync(join(candidate, 'index.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('test/fixtures/protobuf not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

const FIXTURES = findFixtureDir();
const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, `${name}.bin`)));

/** Go prints a zero metav1.Time as null; the decoder drops it, as the server would store it. */
function withoutNullTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullTimestamps);
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'creationTimestamp' && inner === null) continue;
    result[key] = withoutNullTimestamps(inner);
  }
  return result;
}

/** Fixtures whose JSON twin is kubectl's own `--dry-run=client -o json` output. */
const DRY_RUN_FIXTURES = [
  'deployment',
  'secret',
  'configmap',
  'namespace',
  'service',
  'service-nodeport',
  'job',
  'cronjob',
  'serviceaccount',
  'role',
  'rolebinding',
  'clusterrole',
  'clusterrolebinding',
  'quota',
  'pdb',
  'pdb-percent',
  'priorityclass',
  'autoscale',
];

describe('decodeProtobufObject on bodies captured from kubectl', () => {
  for (const name of DRY_RUN_FIXTURES) {
    test(`${name} equals the JSON kubectl prints for the same command`, () => {
      const expected = withoutNullTimestamps(JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')));
      assert.deepStrictEqual(decodeProtobufObject(fixtureBytes(name)), expected);
    });
  }

  test('auth can-i list pods (no dry-run twin; Go JSON written out by hand)', () => {
    assert.deepStrictEqual(decodeProtobufObject(fixtureBytes('can-i')), {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } },
      status: { allowed: false },
    });
  });

  test('the envelope of a captured body names the kind and carries no encoding', () => {
    const envelope = decodeProtobufEnvelope(fixtureBytes('deployment'));
    assert.equal(envelope.apiVersion, 'apps/v1');
    assert.equal(envelope.kind, 'Deployment');
    assert.equal(envelope.contentEncoding, '');
    assert.equal(envelope.contentType, '');
    assert.ok(envelope.raw.length > 0);
  });
});

describe('isKubernetesProtobuf', () => {
  const cases: Array<[string, Uint8Array, boolean]> = [
    ['captured body', fixtureBytes('namespace'), true],
    ['magic only', Uint8Array.of(0x6b, 0x38, 0x73, 0x00), true],
    ['JSON', new TextEncoder().encode('{"kind":"Pod"}'), false],
    ['too short', Uint8Array.of(0x6b, 0x38, 0x73), false],
    ['wrong fourth byte', Uint8Array.of(0x6b, 0x38, 0x73, 0x01, 0x0a), false],
  ];
  for (const [name, body, expected] of cases) {
    test(name, () => assert.equal(isKubernetesProtobuf(body), expected));
  }
});

// ---- a tiny encoder, to build messages the captured commands never send ----

function varint(value: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const tag = (number: number, wireType: number): number[] => varint((number << 3) | wireType);
const vField = (number: number, value: bigint | number): number[] => [...tag(number, 0), ...varint(value)];
const bField = (number: number, bytes: number[] | string): number[] => {
  const data = typeof bytes === 'string' ? [...new TextEncoder().encode(bytes)] : bytes;
  return [...tag(number, 2), ...varint(data.length), ...data];
};
const dField = (number: number, value: number): number[] => {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleLE(value);
  return [...tag(number, 1), ...buffer];
};

function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  const typeMeta = [...bField(1, apiVersion), ...bField(2, kind)];
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...bField(1, typeMeta), ...bField(2, raw), ...bField(3, ''), ...bField(4, '')]);
}

const TEST_TYPES = new TypeRegistry();
TEST_TYPES.add(
  objectType('test.Widget', 'A type using every scalar kind.', {
    apiVersion: str(undefined, 'api version'),
    kind: str(undefined, 'kind'),
    name: str(1, 'string'),
    count: int32(2, 'int32'),
    big: int64(3, 'int64'),
    ratio: field(scalar('double'), 4, 'double'),
    enabled: bool(5, 'bool'),
    payload: field(scalar('bytes'), 6, 'bytes'),
    size: field(scalar('quantity'), 7, 'quantity'),
    port: field(scalar('intOrString'), 8, 'int or string'),
    named: field(scalar('intOrString'), 9, 'int or string'),
    created: field(scalar('time'), 10, 'time'),
    renewed: field(scalar('microTime'), 11, 'micro time'),
    timeout: field(scalar('duration'), 12, 'duration'),
    extension: field(scalar('rawExtension'), 13, 'raw extension'),
    numbers: field(atomicList(scalar('int32')), 14, 'list of int32'),
    labels: stringMap(15, 'map'),
    parts: field(mapOf(ref('test.Part')), 16, 'map of messages'),
    items: field(atomicList(ref('test.Part')), 17, 'list of messages'),
    replicas: int32(18, 'pointer int32', { pointer: true }),
    paused: bool(19, 'pointer bool', { pointer: true }),
    emptyName: str(20, 'zero string, dropped'),
    zeroCount: int32(21, 'zero int, dropped'),
    off: bool(22, 'false, dropped'),
    neverSet: field(scalar('time'), 23, 'zero time, dropped'),
    required: int32(24, 'required zero, kept', { required: true }),
    part: obj('test.Part', 25, 'empty message, kept as {}'),
    tags: field(atomicList(scalar('string')), 26, 'list of strings'),
    ghost: obj('test.Missing', 27, 'refers to a type nobody described'),
  }, { gvk: { group: 'example.io', version: 'v1', kind: 'Widget' } }),
  objectType('test.Part', 'A nested message.', {
    id: str(1, 'id'),
    weight: int32(2, 'weight'),
  }),
);

describe('decodeProtobufObject scalar forms', () => {
  const raw = [
    ...bField(1, 'w1'),
    ...vField(2, -5), // negative int32: sign-extended 10-byte varint
    ...vField(3, 9007199254740991n),
    ...dField(4, 0.25),
    ...vField(5, 1),
    ...bField(6, [0xde, 0xad, 0xbe, 0xef]),
    ...bField(7, bField(1, '100m')),
    ...bField(8, [...vField(1, 0), ...vField(2, 8080)]),
    ...bField(9, [...vField(1, 1), ...bField(3, '25%')]),
    ...bField(10, [...vField(1, 1714564800), ...vField(2, 0)]),
    ...bField(11, [...vField(1, 1714564800), ...vField(2, 123456789)]),
    ...bField(12, vField(1, 5400n * 1_000_000_000n)),
    ...bField(13, bField(1, '{"a":[1,2]}')),
    ...vField(14, 1),
    ...bField(14, [...varint(2), ...varint(-3)]), // the same list continued in packed form
    ...bField(15, [...bField(1, 'app'), ...bField(2, 'web')]),
    ...bField(15, [...bField(1, 'empty')]), // map entry without a value field
    ...bField(16, [...bField(1, 'left'), ...bField(2, [...bField(1, 'l'), ...vField(2, 0)])]),
    ...bField(17, [...bField(1, 'first'), ...vField(2, 3)]),
    ...bField(17, []),
    ...vField(18, 0),
    ...vField(19, 0),
    ...bField(20, ''),
    ...vField(21, 0),
    ...vField(22, 0),
    ...bField(23, []),
    ...vField(24, 0),
    ...bField(25, []),
    ...bField(26, 'a'),
    ...bField(26, ''),
    ...vField(99, 7), // unknown field: skipped
    ...bField(98, 'ignored'),
  ];
  const decoded = decodeProtobufObject(envelope('example.io/v1', 'Widget', raw), TEST_TYPES, []);

  const cases: Array<[string, unknown]> = [
    ['apiVersion', 'example.io/v1'],
    ['kind', 'Widget'],
    ['name', 'w1'],
    ['count', -5],
    ['big', 9007199254740991],
    ['ratio', 0.25],
    ['enabled', true],
    ['payload', '3q2+7w=='],
    ['size', '100m'],
    ['port', 8080],
    ['named', '25%'],
    ['created', '2024-05-01T12:00:00Z'],
    ['renewed', '2024-05-01T12:00:00.123456Z'],
    ['timeout', '1h30m0s'],
    ['extension', { a: [1, 2] }],
    ['numbers', [1, 2, -3]],
    ['labels', { app: 'web', empty: '' }],
    ['parts', { left: { id: 'l' } }],
    ['items', [{ id: 'first', weight: 3 }, {}]],
    ['replicas', 0],
    ['paused', false],
    ['emptyName', undefined],
    ['zeroCount', undefined],
    ['off', undefined],
    ['neverSet', undefined],
    ['required', 0],
    ['part', {}],
    ['tags', ['a', '']],
  ];
  for (const [name, expected] of cases) {
    test(`${name} → ${JSON.stringify(expected)}`, () => assert.deepStrictEqual(decoded[name], expected));
  }

  test('unknown field numbers leave no trace', () => {
    assert.deepStrictEqual(Object.keys(decoded).sort(), cases.filter(([, v]) => v !== undefined).map(([k]) => k).sort());
  });
});

describe('decodeProtobufObject errors are BadRequest', () => {
  const deployment = fixtureBytes('deployment');
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['no magic', new TextEncoder().encode('{"kind":"Deployment"}'), /missing the "k8s\\x00" prefix/],
    ['truncated body', deployment.subarray(0, deployment.length - 20), /^unable to decode protobuf body: truncated field 2/],
    ['unknown kind', envelope('apps/v1', 'Foo', []), /^unable to decode protobuf body for apps\/v1, Kind=Foo: no such kind$/],
    ['unknown core kind', envelope('v1', 'Foo', []), /^unable to decode protobuf body for \/v1, Kind=Foo: no such kind$/],
    ['no type meta', envelope('', '', []), /names no apiVersion and kind/],
    ['truncated raw', envelope('example.io/v1', 'Widget', [...tag(1, 2), 50, 0x61]), /for example\.io\/v1, Kind=Widget: truncated field 1/],
    ['wrong wire type', envelope('example.io/v1', 'Widget', vField(1, 3)), /field 1 \(test\.Widget\.name\) has unexpected wire type 0/],
    ['undescribed message type', envelope('example.io/v1', 'Widget', bField(27, [])), /no description of the message type test\.Missing/],
    ['raw extension not JSON', envelope('example.io/v1', 'Widget', bField(13, bField(1, 'not json'))), /embedded object is not JSON/],
  ];
  for (const [name, body, message] of cases) {
    test(name, () => {
      assert.throws(
        () => decodeProtobufObject(body, name.startsWith('unknown') ? undefined : TEST_TYPES, []),
        (err: unknown) => isApiError(err, 'BadRequest') && err.code === 400 && message.test(err.message),
      );
    });
  }
});

describe('formatGoDuration matches time.Duration.String', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'],
    [1n, '1ns'],
    [1_500n, '1.5µs'],
    [500_000_000n, '500ms'],
    [1_500_000_000n, '1.5s'],
    [30_000_000_000n, '30s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [3_600_000_000_000n + 500_000_000n, '1h0m0.5s'],
    [-90_000_000_000n, '-1m30s'],
    [100n * 3_600_000_000_000n, '100h0m0s'],
  ];
  for (const [nanos, expected] of cases) {
    test(`${nanos}ns → ${expected}`, () => assert.equal(formatGoDuration(nanos), expected));
  }
});

describe('time formats', () => {
  test('Time is whole seconds in UTC', () => assert.equal(formatTime(0n), '1970-01-01T00:00:00Z'));
  test('MicroTime has six fraction digits', () => assert.equal(formatMicroTime(1n, 1_000), '1970-01-01T00:00:01.000001Z'));
});

describe('wire reader', () => {
  test('a negative int32 arrives as a 10-byte varint', () => {
    const bytes = Uint8Array.from(varint(-1));
    assert.equal(bytes.length, 10);
    assert.equal(varintToSigned(readVarint(bytes, 0).value), -1);
  });
  test('a varint longer than 10 bytes is rejected', () => {
    assert.throws(() => readVarint(new Uint8Array(11).fill(0x80), 0), WireFormatError);
  });
  test('fixed32 and fixed64 fields are skipped by length', () => {
    const bytes = Uint8Array.from([...tag(1, 5), 1, 2, 3, 4, ...dField(2, 1.5), ...vField(3, 7)]);
    assert.deepStrictEqual([...readFields(bytes)].map((f) => [f.number, f.wireType]), [[1, 5], [2, 1], [3, 0]]);
  });
  test('group wire types are refused', () => {
    assert.throws(() => [...readFields(Uint8Array.from(tag(1, 3)))], /unsupported wire type 3/);
  });
});
