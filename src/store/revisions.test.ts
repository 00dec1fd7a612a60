import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreError } from './store.js';
import { prefixUpperBound, resolveReadRevision } from './revisions.js';

test('prefixUpperBound: smallest string above every key with the prefix', () => {
  const cases: Array<[string, string | undefined]> = [
    ['/a/', '/a0'],
    ['/registry/pods/', '/registry/pods0'],
    ['a', 'b'],
    ['', undefined],
    ['x\u{10FFFF}', 'y'],
    ['\u{D7FF}', '\u{E000}'],
  ];
  for (const [prefix, expected] of cases) assert.equal(prefixUpperBound(prefix), expected, JSON.stringify(prefix));
});

test('resolveReadRevision: current, past, compacted and future', () => {
  const cases: Array<[number | undefined, number | string]> = [
    [undefined, 20],
    [0, 20],
    [15, 15],
    [11, 11],
    [10, 'Compacted'],
    [3, 'Compacted'],
    [21, 'FutureRevision'],
  ];
  for (const [requested, expected] of cases) {
    if (typeof expected === 'number') assert.equal(resolveReadRevision(requested, 20, 10), expected);
    else assert.throws(() => resolveReadRevision(requested, 20, 10), (err: unknown) => isStoreError(err, expected as 'Compacted'));
  }
});
