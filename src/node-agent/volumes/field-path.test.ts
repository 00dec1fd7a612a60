import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { containerResourceValue, extractMetadataField, formatMap, goQuote } from './field-path.js';
import { downwardApiPayload } from './payloads.js';

const pod: KubeObject = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', labels: { z: 'last', a: 'first' }, annotations: { 'x/y': 'line1\nline2 "q" \\' } },
  spec: { containers: [{ name: 'app', resources: { limits: { memory: '128Mi' }, requests: { cpu: '1500m' } } }] },
};

describe('downward API rendering', () => {
  const cases: [string, string][] = [
    ['metadata.name', 'p'],
    ['metadata.namespace', 'ns'],
    ['metadata.uid', 'u1'],
    ['metadata.labels', 'a="first"\nz="last"'],
    ['metadata.annotations', 'x/y="line1\\nline2 \\"q\\" \\\\"'],
    ["metadata.labels['z']", 'last'],
    ["metadata.labels['none']", ''],
    ["metadata.annotations['x/y']", 'line1\nline2 "q" \\'],
  ];
  for (const [path, want] of cases) test(path, () => assert.equal(extractMetadataField(pod, path), want));
  test('unsupported path', () => assert.throws(() => extractMetadataField(pod, 'spec.nodeName'), /unsupported fieldPath: spec.nodeName/));
  test('goQuote escapes control characters', () => assert.equal(goQuote('a\u0001é'), '"a\\x01é"'));
  test('empty map renders as empty string', () => assert.equal(formatMap(undefined), ''));
});

describe('containerResourceValue', () => {
  const container = { resources: { limits: { cpu: '1500m', memory: '1Gi', 'hugepages-2Mi': '4Mi' }, requests: { memory: '100M' } } };
  const cases: [string, string | undefined, string][] = [
    ['limits.cpu', undefined, '2'],
    ['limits.cpu', '1m', '1500'],
    ['limits.cpu', '100m', '15'],
    ['limits.memory', undefined, '1073741824'],
    ['limits.memory', '1Mi', '1024'],
    ['limits.memory', '1G', '2'],
    ['requests.memory', '1Mi', '96'],
    ['requests.cpu', undefined, '0'],
    ['limits.ephemeral-storage', '1Gi', '10'],
    ['limits.hugepages-2Mi', '1Mi', '4'],
  ];
  for (const [resource, divisor, want] of cases) {
    test(`${resource} / ${divisor ?? '1'}`, () => assert.equal(containerResourceValue(container, resource, divisor, { 'ephemeral-storage': '10Gi' }), want));
  }
  test('unsupported resource', () => assert.throws(() => containerResourceValue(container, 'limits.nvidia.com/gpu', undefined), /unsupported container resource : limits.nvidia.com\/gpu/));
});

test('downwardApiPayload: files, modes and resourceFieldRef by container', () => {
  const payload = downwardApiPayload(pod, [
    { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
    { path: 'sub/name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o400 },
    { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
  ], 0o644);
  assert.deepEqual([...payload].map(([p, f]) => [p, f.data.toString(), f.mode.toString(8)]), [
    ['labels', 'a="first"\nz="last"', '644'],
    ['sub/name', 'p', '400'],
    ['mem', '128', '644'],
  ]);
});
