// Strategic merge semantics on apimachinery's own test shape (`mergeItem`). Many cases are the
// documented input/output pairs of Kubernetes' strategic merge patch tests (current object +
// patch -> result), re-expressed here as a table.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import { strategicMergePatch } from './strategic-merge.js';
import { mergeItemTypes } from './testing/fixture-types.js';

const types = mergeItemTypes();

interface Case {
  name: string;
  current: unknown;
  patch: unknown;
  result?: unknown;
  /** Substring of the expected error message, and its status code. */
  error?: { contains: string; code: number };
}

const n = (name: number, extra: Record<string, unknown> = {}) => ({ name, ...extra });

const cases: Case[] = [
  // --- maps ---
  { name: 'scalar replaced, others kept', current: { name: 'a', value: '1' }, patch: { value: '2' }, result: { name: 'a', value: '2' } },
  { name: 'null deletes a key', current: { name: 'a', value: '1' }, patch: { value: null }, result: { name: 'a' } },
  { name: 'null on a missing key is ignored', current: { name: 'a' }, patch: { other: null }, result: { name: 'a' } },
  { name: 'nested maps merge', current: { simpleMap: { a: '1', b: '2' } }, patch: { simpleMap: { b: '3', c: '4', a: null } }, result: { simpleMap: { b: '3', c: '4' } } },
  { name: '$patch: replace on a map', current: { simpleMap: { a: '1', b: '2' } }, patch: { simpleMap: { $patch: 'replace', c: '3' } }, result: { simpleMap: { c: '3' } } },
  { name: '$patch: delete on a map empties it', current: { mergeItemPtr: { name: 'x', value: 'y' } }, patch: { mergeItemPtr: { $patch: 'delete' } }, result: { mergeItemPtr: {} } },
  { name: 'a directive map for a missing field adds nothing', current: {}, patch: { mergeItemPtr: { $patch: 'delete' } }, result: {} },
  { name: 'new values lose their nulls', current: {}, patch: { mergeItemPtr: { name: 'x', value: null } }, result: { mergeItemPtr: { name: 'x' } } },
  { name: 'a value of another type replaces', current: { simpleMap: { a: '1' } }, patch: { simpleMap: 'text' }, result: { simpleMap: 'text' } },
  { name: 'unknown $patch on a map', current: { simpleMap: {} }, patch: { simpleMap: { $patch: 'frob' } }, error: { contains: 'unknown patch type: frob in map: map[$patch:frob]', code: 400 } },
  { name: 'unknown fields merge like JSON merge patch', current: { extra: { a: [1, 2], b: 1 } }, patch: { extra: { a: [3], b: null } }, result: { extra: { a: [3] } } },

  // --- merging lists of maps ---
  {
    name: 'merge by key: update one item and append a new one',
    current: { mergingList: [n(1, { value: 'a' }), n(2)] },
    patch: { mergingList: [n(2, { value: 'b' }), n(3)] },
    result: { mergingList: [n(1, { value: 'a' }), n(2, { value: 'b' }), n(3)] },
  },
  { name: 'a patch of only new items puts them first', current: { mergingList: [n(1), n(2)] }, patch: { mergingList: [n(3)] }, result: { mergingList: [n(3), n(1), n(2)] } },
  { name: '$patch: delete removes an item', current: { mergingList: [n(1), n(2, { other: 'b' })] }, patch: { mergingList: [n(1, { $patch: 'delete' })] }, result: { mergingList: [n(2, { other: 'b' })] } },
  { name: 'deleting a missing item is a no-op', current: { mergingList: [n(1)] }, patch: { mergingList: [n(9, { $patch: 'delete' })] }, result: { mergingList: [n(1)] } },
  { name: '$patch: replace replaces the list', current: { mergingList: [n(1), n(2)] }, patch: { mergingList: [n(3, { value: 'x' }), { $patch: 'replace' }] }, result: { mergingList: [n(3, { value: 'x' })] } },
  { name: '$patch: merge in a list is rejected', current: { mergingList: [n(1)] }, patch: { mergingList: [{ $patch: 'merge' }] }, error: { contains: 'merging lists cannot yet be specified in the patch', code: 400 } },
  { name: 'missing merge key is rejected', current: { mergingList: [n(1, { value: 'a' })] }, patch: { mergingList: [{ value: 'b' }] }, error: { contains: 'does not contain declared merge key: name', code: 400 } },
  { name: 'nested merging list merges', current: { mergingList: [n(1, { mergingList: [n(10, { value: 'x' })] })] }, patch: { mergingList: [n(1, { mergingList: [n(10, { other: 'y' })] })] }, result: { mergingList: [n(1, { mergingList: [n(10, { value: 'x', other: 'y' })] })] } },
  { name: 'non-merging list is replaced', current: { nonMergingList: [n(1), n(2)] }, patch: { nonMergingList: [n(3)] }, result: { nonMergingList: [n(3)] } },
  { name: 'an atomic list of lists is replaced', current: { listOfLists: [['a']] }, patch: { listOfLists: [['b']] }, result: { listOfLists: [['b']] } },

  // --- primitive lists ---
  { name: 'merging int list is a set union', current: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, result: { mergingIntList: [1, 2, 3] } },
  { name: 'non-merging int list is replaced', current: { nonMergingIntList: [1, 2] }, patch: { nonMergingIntList: [3] }, result: { nonMergingIntList: [3] } },
  { name: 'mixed element types are rejected', current: { mergingIntList: [1] }, patch: { mergingIntList: ['a'] }, error: { contains: 'list element types are not identical', code: 400 } },
  { name: 'nested lists in a merging list are 422', current: { mergingIntList: [[1]] }, patch: { mergingIntList: [[2]] }, error: { contains: 'the server rejected our request', code: 422 } },
  { name: '$deleteFromPrimitiveList of a nonexistent item changes nothing', current: { mergingIntList: [1, 2] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [3] }, result: { mergingIntList: [1, 2] } },
  { name: '$deleteFromPrimitiveList on an empty list', current: { mergingIntList: [] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [3] }, result: { mergingIntList: [] } },
  { name: '$deleteFromPrimitiveList on a missing list adds nothing', current: { foo: ['bar'] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [3] }, result: { foo: ['bar'] } },
  { name: '$deleteFromPrimitiveList on a merging list', current: { mergingIntList: [1, 2, 3] }, patch: { '$deleteFromPrimitiveList/mergingIntList': [2] }, result: { mergingIntList: [1, 3] } },
  { name: '$deleteFromPrimitiveList on a non-merging list', current: { nonMergingIntList: [1, 2, 3] }, patch: { '$deleteFromPrimitiveList/nonMergingIntList': [2] }, result: { nonMergingIntList: [1, 3] } },
  { name: 'malformed $deleteFromPrimitiveList key', current: {}, patch: { $deleteFromPrimitiveList: [1] }, error: { contains: 'invalid patch format of primitive list', code: 400 } },

  // --- $setElementOrder ---
  {
    name: '$setElementOrder naming an item absent from the list',
    current: { mergingList: [n(1), n(3)] },
    patch: { '$setElementOrder/mergingList': [n(3), n(2), n(1)], mergingList: [n(3, { value: '3' }), n(1, { value: '1' })] },
    result: { mergingList: [n(3, { value: '3' }), n(1, { value: '1' })] },
  },
  { name: '$setElementOrder naming an item absent from an int list', current: { mergingIntList: [1, 3] }, patch: { '$setElementOrder/mergingIntList': [3, 2, 1] }, result: { mergingIntList: [3, 1] } },
  {
    name: '$setElementOrder that contradicts the patch order',
    current: { mergingList: [n(1), n(3), n(2)] },
    patch: { '$setElementOrder/mergingList': [n(1), n(2), n(3)], mergingList: [n(3, { value: '3' }), n(1, { value: '1' })] },
    error: { contains: "doesn't match $setElementOrder list", code: 400 },
  },
  {
    name: '$setElementOrder contradicting an int list patch',
    current: { mergingIntList: [1, 3, 2] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] },
    error: { contains: "doesn't match", code: 400 },
  },
  {
    name: 'add multiple items in a list and preserve order',
    current: { mergingList: [n(1, { other: 'a' }), n(2, { value: '2', other: 'b' })] },
    patch: { '$setElementOrder/mergingList': [n(1), n(4), n(2), n(3)], mergingList: [n(4, { value: '4' }), n(3, { value: '3' })] },
    result: { mergingList: [n(1, { other: 'a' }), n(4, { value: '4' }), n(2, { value: '2', other: 'b' }), n(3, { value: '3' })] },
  },
  {
    name: 'add map and delete map from merging list',
    current: { mergingList: [n(1), n(2, { other: 'b' }), n(4, { other: 'c' })] },
    patch: { '$setElementOrder/mergingList': [n(2), n(3)], mergingList: [n(3), n(1, { $patch: 'delete' })] },
    result: { mergingList: [n(2, { other: 'b' }), n(4, { other: 'c' }), n(3)] },
  },
  {
    name: 'set elements order in a list with server-only items',
    current: { mergingList: [n(1, { other: 'a' }), n(3, { value: '3' }), n(4, { value: '4' }), n(2, { value: '2' }), n(9)] },
    patch: { '$setElementOrder/mergingList': [n(4), n(2), n(3), n(1)] },
    result: { mergingList: [n(4, { value: '4' }), n(2, { value: '2' }), n(3, { value: '3' }), n(1, { other: 'a' }), n(9)] },
  },
  {
    name: 'set elements order with server-only items in the middle',
    current: { mergingList: [n(1, { other: 'a' }), n(2, { value: '2' }), n(7), n(9), n(8), n(3, { value: '3' }), n(4, { value: '4' })] },
    patch: { '$setElementOrder/mergingList': [n(2), n(1), n(4), n(3)] },
    result: { mergingList: [n(2, { value: '2' }), n(1, { other: 'a' }), n(7), n(9), n(8), n(4, { value: '4' }), n(3, { value: '3' })] },
  },
  {
    name: 'merge lists of scalars with an order',
    current: { mergingIntList: [1, 2, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3] },
    result: { mergingIntList: [1, 2, 3, 4] },
  },
  {
    name: 'set element order with duplicate keys',
    current: { mergingList: [n(1), n(2, { value: 'dup1' }), n(3), n(2, { value: 'dup2' }), n(4)] },
    patch: { '$setElementOrder/mergingList': [n(2), n(1), n(4), n(3), n(2)] },
    result: { mergingList: [n(2, { value: 'dup1' }), n(2, { value: 'dup2' }), n(1), n(4), n(3)] },
  },
  { name: 'malformed $setElementOrder key', current: {}, patch: { $setElementOrderX: [] }, error: { contains: 'invalid patch format of setElementOrder list', code: 400 } },

  // --- $retainKeys ---
  { name: 'retainKeys clears a defaulted field', current: { retainKeysMap: { value: 'foo' } }, patch: { retainKeysMap: { $retainKeys: ['other'], other: 'bar' } }, result: { retainKeysMap: { other: 'bar' } } },
  {
    name: 'retainKeys switches a discriminated union',
    current: { retainKeysMap: { name: 'type1', value: 'foo' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'other'], name: 'type2', other: 'bar' } },
    result: { retainKeysMap: { name: 'type2', other: 'bar' } },
  },
  {
    name: 'retainKeys keeps and merges listed fields',
    current: { retainKeysMap: { name: 'foo', simpleMap: { a: '1' }, value: 'v' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'simpleMap'], simpleMap: { b: '2' } } },
    result: { retainKeysMap: { name: 'foo', simpleMap: { a: '1', b: '2' } } },
  },
  { name: 'retainKeys must list every patched field', current: { retainKeysMap: {} }, patch: { retainKeysMap: { $retainKeys: ['name'], value: 'x' } }, error: { contains: 'invalid patch format of retainKeys', code: 400 } },
  { name: 'retainKeys must be a list', current: { retainKeysMap: {} }, patch: { retainKeysMap: { $retainKeys: 'name' } }, error: { contains: 'invalid patch format of retainKeys', code: 400 } },

  // --- document shape ---
  { name: 'a patch that is not an object', current: {}, patch: [1], error: { contains: 'json: cannot unmarshal array into Go value of type map[string]interface {}', code: 400 } },
];

describe('strategicMergePatch (apimachinery test shape)', () => {
  for (const c of cases) {
    test(c.name, () => {
      const currentBefore = structuredClone(c.current);
      const patchBefore = structuredClone(c.patch);
      if (c.error) {
        const expected = c.error;
        assert.throws(
          () => strategicMergePatch(c.current, c.patch, 'mergeItem', types),
          (err: unknown) => isApiError(err) && err.code === expected.code && (err.message.includes(expected.contains) || String((err.cause as Error | undefined)?.message).includes(expected.contains)),
        );
      } else {
        assert.deepEqual(strategicMergePatch(c.current, c.patch, 'mergeItem', types), c.result);
      }
      assert.deepEqual(c.current, currentBefore, 'the original must not be mutated');
      assert.deepEqual(c.patch, patchBefore, 'the patch must not be mutated');
    });
  }

  test('an unknown type falls back to JSON merge patch semantics', () => {
    const result = strategicMergePatch({ a: [1, 2], m: { x: 1, y: 2 } }, { a: [3], m: { y: null, z: 3 } }, 'no.such.Type', types);
    assert.deepEqual(result, { a: [3], m: { x: 1, z: 3 } });
  });

  test('the result shares no references with the inputs', () => {
    const current = { mergingList: [n(1, { simpleMap: { a: '1' } })] };
    const patch = { mergingList: [n(2, { simpleMap: { b: '2' } })] };
    const result = strategicMergePatch(current, patch, 'mergeItem', types) as typeof current;
    for (const item of result.mergingList) (item as unknown as { simpleMap: Record<string, string> }).simpleMap.zz = 'mutated';
    assert.deepEqual(current, { mergingList: [n(1, { simpleMap: { a: '1' } })] });
    assert.deepEqual(patch, { mergingList: [n(2, { simpleMap: { b: '2' } })] });
  });
});
