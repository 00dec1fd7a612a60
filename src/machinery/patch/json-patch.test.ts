import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import { applyJsonPatch, parseJsonPointer } from './json-patch.js';

interface Case {
  name: string;
  doc: unknown;
  patch: unknown;
  expected?: unknown;
  /** Expected status code when the patch must fail. */
  code?: number;
}

// Most cases are the examples of RFC 6902 appendix A.
const cases: Case[] = [
  { name: 'A.1 add an object member', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], expected: { foo: 'bar', baz: 'qux' } },
  { name: 'A.2 add an array element', doc: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/1', value: 'qux' }], expected: { foo: ['bar', 'qux', 'baz'] } },
  { name: 'A.3 remove an object member', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], expected: { foo: 'bar' } },
  { name: 'A.4 remove an array element', doc: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], expected: { foo: ['bar', 'baz'] } },
  { name: 'A.5 replace a value', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'replace', path: '/baz', value: 'boo' }], expected: { baz: 'boo', foo: 'bar' } },
  {
    name: 'A.6 move a value',
    doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    expected: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  },
  { name: 'A.7 move an array element', doc: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }], expected: { foo: ['all', 'cows', 'eat', 'grass'] } },
  {
    name: 'A.8 test a value: success',
    doc: { baz: 'qux', foo: ['a', 2, 'c'] },
    patch: [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    expected: { baz: 'qux', foo: ['a', 2, 'c'] },
  },
  { name: 'A.9 test a value: error', doc: { baz: 'qux' }, patch: [{ op: 'test', path: '/baz', value: 'bar' }], code: 422 },
  { name: 'A.10 add a nested member object', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }], expected: { foo: 'bar', child: { grandchild: {} } } },
  { name: 'A.12 add to a nonexistent target', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }], code: 422 },
  { name: 'A.14 ~ escape ordering', doc: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: 10 }], expected: { '/': 9, '~1': 10 } },
  { name: 'A.15 comparing strings and numbers', doc: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: '10' }], code: 422 },
  { name: 'A.16 add an array value', doc: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], expected: { foo: ['bar', ['abc', 'def']] } },
  { name: 'escaped slash in a key', doc: { metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, patch: [{ op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' }], expected: { metadata: { labels: {} } } },
  { name: 'copy', doc: { a: { b: [1] } }, patch: [{ op: 'copy', from: '/a', path: '/c' }], expected: { a: { b: [1] }, c: { b: [1] } } },
  { name: 'test of an object ignores key order', doc: { a: { x: 1, y: 2 } }, patch: [{ op: 'test', path: '/a', value: { y: 2, x: 1 } }], expected: { a: { x: 1, y: 2 } } },
  { name: 'test on a missing path fails', doc: {}, patch: [{ op: 'test', path: '/a', value: null }], code: 422 },
  { name: 'replace a missing key fails', doc: {}, patch: [{ op: 'replace', path: '/a', value: 1 }], code: 422 },
  { name: 'remove a missing key fails', doc: { a: 1 }, patch: [{ op: 'remove', path: '/b' }], code: 422 },
  { name: 'index out of bounds fails', doc: { a: [1] }, patch: [{ op: 'add', path: '/a/5', value: 2 }], code: 422 },
  { name: 'negative index counts from the end', doc: { a: [1, 2, 3] }, patch: [{ op: 'remove', path: '/a/-1' }], expected: { a: [1, 2] } },
  { name: 'unknown op is 422', doc: {}, patch: [{ op: 'frob', path: '/a' }], code: 422 },
  { name: 'move into own child fails', doc: { a: { b: {} } }, patch: [{ op: 'move', from: '/a', path: '/a/b/c' }], code: 422 },
  { name: 'replace the whole document', doc: { a: 1 }, patch: [{ op: 'replace', path: '', value: { b: 2 } }], expected: { b: 2 } },
  {
    name: 'rollout undo shape: replace template and annotations',
    doc: { metadata: { annotations: { a: '1' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'v2' }] } } } },
    patch: [
      { op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'c', image: 'v1' }] } } },
      { op: 'replace', path: '/metadata/annotations', value: { a: '2' } },
    ],
    expected: { metadata: { annotations: { a: '2' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'v1' }] } } } },
  },
  { name: 'a failed later operation discards earlier ones', doc: { a: 1 }, patch: [{ op: 'add', path: '/b', value: 2 }, { op: 'test', path: '/a', value: 3 }], code: 422 },
  { name: 'a non-array document is 400', doc: {}, patch: { op: 'add' }, code: 400 },
  { name: 'a non-object operation is 400', doc: {}, patch: ['add'], code: 400 },
];

describe('applyJsonPatch', () => {
  for (const c of cases) {
    test(c.name, () => {
      const docBefore = structuredClone(c.doc);
      const patchBefore = structuredClone(c.patch);
      if (c.code !== undefined) {
        assert.throws(() => applyJsonPatch(c.doc, c.patch), (err: unknown) => isApiError(err) && err.code === c.code);
      } else {
        assert.deepEqual(applyJsonPatch(c.doc, c.patch), c.expected);
      }
      assert.deepEqual(c.doc, docBefore, 'the document must not be mutated');
      assert.deepEqual(c.patch, patchBefore, 'the patch must not be mutated');
    });
  }

  test('422 carries the Kubernetes message and reason', () => {
    assert.throws(
      () => applyJsonPatch({}, [{ op: 'remove', path: '/x' }]),
      (err: unknown) => isApiError(err, 'Invalid') && err.message === 'the server rejected our request due to an error in our request',
    );
  });

  test('added values are copies, not references into the patch', () => {
    const value = { nested: [1] };
    const result = applyJsonPatch({}, [{ op: 'add', path: '/v', value }]) as { v: { nested: number[] } };
    result.v.nested.push(2);
    assert.deepEqual(value, { nested: [1] });
  });
});

describe('parseJsonPointer', () => {
  const cases: Array<[string, string[]]> = [
    ['', []],
    ['/', ['']],
    ['/a/b', ['a', 'b']],
    ['/a~1b', ['a/b']],
    ['/m~0n', ['m~n']],
    ['/~01', ['~1']],
  ];
  for (const [pointer, tokens] of cases) {
    test(JSON.stringify(pointer), () => assert.deepEqual(parseJsonPointer(pointer), tokens));
  }
  test('rejects pointers without a leading slash', () => assert.throws(() => parseJsonPointer('a/b')));
});
