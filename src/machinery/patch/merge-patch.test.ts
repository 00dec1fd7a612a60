import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import { applyMergePatch } from './merge-patch.js';

// The first cases are the examples of RFC 7386 appendix A.
const cases: Array<[name: string, target: unknown, patch: unknown, expected: unknown]> = [
  ['replace a member', { a: 'b' }, { a: 'c' }, { a: 'c' }],
  ['add a member', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  ['null deletes', { a: 'b' }, { a: null }, {}],
  ['null deletes one of two', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  ['array replaces array', { a: ['b'] }, { a: 'c' }, { a: 'c' }],
  ['scalar replaced by array', { a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  ['nested merge and delete', { a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  ['array of objects replaced whole', { a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  ['nulls in new objects are pruned', {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ['nulls inside objects in arrays are pruned, null items kept', {}, { a: [{ x: null, y: 1 }, null] }, { a: [{ y: 1 }, null] }],
  ['empty patch changes nothing', { a: 1 }, {}, { a: 1 }],
  ['kubectl label', { metadata: { name: 'x', labels: { app: 'web' } } }, { metadata: { labels: { tier: 'web' } } }, { metadata: { name: 'x', labels: { app: 'web', tier: 'web' } } }],
  ['kubectl unlabel', { metadata: { labels: { app: 'web', tier: 'web' } } }, { metadata: { labels: { tier: null } } }, { metadata: { labels: { app: 'web' } } }],
  ['kubectl scale', { spec: { replicas: 2 }, status: { replicas: 2 } }, { spec: { replicas: 5 } }, { spec: { replicas: 5 }, status: { replicas: 2 } }],
  ['a non-object target becomes the patch', 'text', { a: 1, b: null }, { a: 1 }],
  ['an array patch replaces the document', { a: 1 }, [1, 2], [1, 2]],
];

describe('applyMergePatch', () => {
  for (const [name, target, patch, expected] of cases) {
    test(name, () => {
      const targetBefore = structuredClone(target);
      const patchBefore = structuredClone(patch);
      assert.deepEqual(applyMergePatch(target, patch), expected);
      assert.deepEqual(target, targetBefore);
      assert.deepEqual(patch, patchBefore);
    });
  }

  for (const patch of [null, 'x', 5]) {
    test(`rejects a ${JSON.stringify(patch)} patch with 400`, () => {
      assert.throws(() => applyMergePatch({}, patch), (err: unknown) => isApiError(err, 'BadRequest') && err.message === 'Invalid JSON Patch');
    });
  }

  test('the result shares no references with the inputs', () => {
    const target = { keep: { deep: [1] } };
    const patch = { added: { deep: [2] } };
    const result = applyMergePatch(target, patch) as typeof target & typeof patch;
    result.keep.deep.push(9);
    result.added.deep.push(9);
    assert.deepEqual(target, { keep: { deep: [1] } });
    assert.deepEqual(patch, { added: { deep: [2] } });
  });
});
