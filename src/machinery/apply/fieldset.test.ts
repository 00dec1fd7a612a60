import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, describePath, fieldElement, keyElement, valueElement, type FieldPath } from './fieldset.js';

const f = fieldElement;

// A FieldsV1 document as a Kubernetes API server writes it (kubectl get -o json --show-managed-fields).
// The server writes "." after an element's children; kubectl re-sorts keys when it prints them.
const SERVER_FIELDS_V1 =
  '{"f:metadata":{"f:annotations":{"f:deployment.kubernetes.io/revision":{},".":{}},"f:labels":{"f:app":{},".":{}}},' +
  '"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{},".":{}}},' +
  '"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{"f:image":{},"f:name":{},' +
  '"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{"f:containerPort":{},"f:protocol":{},".":{}},".":{}},".":{}}},' +
  '"f:dnsPolicy":{}}}},"f:status":{"f:conditions":{"k:{\\"type\\":\\"Available\\"}":{"f:status":{},"f:type":{},".":{}},".":{}}}}';

describe('FieldsV1', () => {
  test('round-trips a server document byte for byte', () => {
    const set = FieldSet.fromFieldsV1(JSON.parse(SERVER_FIELDS_V1));
    assert.equal(JSON.stringify(set.toFieldsV1()), SERVER_FIELDS_V1);
  });

  test('reads members, "." markers and nested keys', () => {
    const set = FieldSet.fromFieldsV1(JSON.parse(SERVER_FIELDS_V1));
    const nginx = keyElement({ name: 'nginx' });
    const cases: Array<[FieldPath, boolean]> = [
      [[f('spec'), f('replicas')], true],
      [[f('spec')], false],
      [[f('metadata'), f('labels')], true],
      [[f('spec'), f('template'), f('spec'), f('containers'), nginx], true],
      [[f('spec'), f('template'), f('spec'), f('containers'), nginx, f('image')], true],
      [[f('spec'), f('template'), f('spec'), f('containers')], false],
      [[f('status'), f('conditions'), keyElement({ type: 'Available' }), f('status')], true],
    ];
    for (const [path, expected] of cases) assert.equal(set.has(path), expected, describePath(path));
  });

  test('normalises key elements (key order, spacing) and drops unknown element kinds', () => {
    const set = FieldSet.fromFieldsV1({ 'k:{"protocol": "TCP", "containerPort": 80}': {}, 'z:what': {}, 'v:"a"': {} });
    assert.deepEqual(set.toFieldsV1(), { 'k:{"containerPort":80,"protocol":"TCP"}': {}, 'v:"a"': {} });
  });

  test('writes elements in structured-merge-diff order: fields, keys, values; numbers numerically', () => {
    const set = FieldSet.of([valueElement('b')], [keyElement({ port: 8080 })], [keyElement({ port: 80 })], [f('z')], [f('a')]);
    assert.deepEqual(Object.keys(set.toFieldsV1()), ['f:a', 'f:z', 'k:{"port":80}', 'k:{"port":8080}', 'v:"b"']);
  });

  test('escapes HTML-sensitive characters as Go does', () => {
    assert.equal(valueElement('a<b>&c'), 'v:"a\\u003cb\\u003e\\u0026c"');
  });
});

describe('FieldSet operations', () => {
  const a = FieldSet.of([f('spec'), f('replicas')], [f('spec'), f('paused')], [f('metadata'), f('labels'), f('app')]);
  const b = FieldSet.of([f('spec'), f('replicas')], [f('spec'), f('minReadySeconds')]);

  const cases: Array<{ name: string; result: FieldSet; paths: string[] }> = [
    { name: 'union', result: a.union(b), paths: ['.metadata.labels.app', '.spec.minReadySeconds', '.spec.paused', '.spec.replicas'] },
    { name: 'intersection', result: a.intersection(b), paths: ['.spec.replicas'] },
    { name: 'difference', result: a.difference(b), paths: ['.metadata.labels.app', '.spec.paused'] },
    { name: 'difference with itself', result: a.difference(a), paths: [] },
    { name: 'withoutSubtree', result: a.withoutSubtree([f('spec')]), paths: ['.metadata.labels.app'] },
  ];
  for (const { name, result, paths } of cases) {
    test(name, () => assert.deepEqual(result.paths().map(describePath), paths));
  }

  test('empty sets', () => {
    assert.equal(FieldSet.empty().isEmpty(), true);
    assert.equal(a.intersection(FieldSet.empty()).isEmpty(), true);
    assert.deepEqual(a.difference(b).difference(a).toFieldsV1(), {});
    assert.equal(a.isEmpty(), false);
  });

  test('operations do not modify their operands', () => {
    const before = JSON.stringify(a.toFieldsV1());
    a.union(b);
    a.difference(b);
    a.withoutSubtree([f('spec')]);
    assert.equal(JSON.stringify(a.toFieldsV1()), before);
  });

  test('an element can be a member and have children ("." in FieldsV1)', () => {
    const set = FieldSet.of([f('labels')], [f('labels'), f('app')]);
    assert.deepEqual(set.toFieldsV1(), { 'f:labels': { 'f:app': {}, '.': {} } });
    assert.equal(FieldSet.fromFieldsV1(set.toFieldsV1()).equals(set), true);
  });
});

describe('FieldSet in-place and short-cut operations', () => {
  test('intersects agrees with a non-empty intersection', () => {
    const spec = FieldSet.of([f('spec'), f('replicas')], [f('spec'), f('template'), f('image')]);
    const cases: Array<[FieldSet, boolean]> = [
      [FieldSet.of([f('spec'), f('replicas')]), true],
      [FieldSet.of([f('spec'), f('template'), f('image')]), true],
      [FieldSet.of([f('spec')]), false], // a prefix is not a member
      [FieldSet.of([f('status'), f('replicas')]), false],
      [FieldSet.empty(), false],
    ];
    for (const [other, expected] of cases) {
      assert.equal(spec.intersects(other), expected);
      assert.equal(other.intersects(spec), expected);
      assert.equal(!spec.intersection(other).isEmpty(), expected);
    }
  });

  test('removeMembers and removeSubtree change the set itself and drop emptied branches', () => {
    const set = FieldSet.of([f('apiVersion')], [f('metadata'), f('name')], [f('metadata'), f('labels'), f('app')], [f('spec'), f('a'), f('b')]);
    set.removeMembers(FieldSet.of([f('apiVersion')], [f('metadata'), f('name')]));
    set.removeSubtree([f('spec'), f('a'), f('b')]);
    assert.deepEqual(set.toFieldsV1(), { 'f:metadata': { 'f:labels': { 'f:app': {} } } });
    assert.equal(set.child(f('spec')), undefined, 'spec went with its last member');
    set.removeSubtree([f('missing'), f('path')]);
    assert.equal(set.size(), 1);
  });
});

describe('describePath', () => {
  const cases: Array<[FieldPath, string]> = [
    [[f('spec'), f('replicas')], '.spec.replicas'],
    [[f('spec'), f('containers'), keyElement({ name: 'nginx' }), f('image')], '.spec.containers[name="nginx"].image'],
    [[f('ports'), keyElement({ protocol: 'TCP', containerPort: 80 })], '.ports[containerPort=80,protocol="TCP"]'],
    [[f('metadata'), f('finalizers'), valueElement('x')], '.metadata.finalizers[="x"]'],
    [[f('args'), 'i:2'], '.args[2]'],
  ];
  for (const [path, text] of cases) test(text, () => assert.equal(describePath(path), text));
});
