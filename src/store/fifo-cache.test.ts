import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FifoCache } from './fifo-cache.js';

test('oldest insertions go first once the sizes exceed the bound', () => {
  const cache = new FifoCache<string, number>(160, 10);
  for (let i = 0; i < 20; i++) cache.set(`k${i}`, i, 10);
  assert.equal(cache.totalSize, 160);
  assert.equal(cache.get('k3'), undefined);
  assert.equal(cache.get('k4'), 4);
  assert.equal(cache.get('k19'), 19);
});

test('replacing a key makes it the newest and counts its size once', () => {
  const cache = new FifoCache<string, string>(32, 8);
  cache.set('a', 'a1', 8);
  cache.set('b', 'b1', 8);
  cache.set('a', 'a2', 8);
  assert.equal(cache.totalSize, 16);
  cache.set('c', 'c1', 8);
  cache.set('d', 'd1', 8);
  cache.set('e', 'e1', 8); // evicts b (oldest), not a
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 'a2');
  cache.delete('a');
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.totalSize, 24);
});

test('values over a sixteenth of the bound are not kept; stale order entries do not pile up', () => {
  const cache = new FifoCache<string, number>(1600);
  cache.set('big', 1, 101);
  assert.equal(cache.get('big'), undefined);
  for (let i = 0; i < 100_000; i++) cache.set(`k${i % 10}`, i, 1);
  assert.equal(cache.size, 10);
  assert.equal(cache.get('k9'), 99_999);
  assert.ok((cache as unknown as { order: unknown[] }).order.length < 2_000, 'order compacted');
  cache.clear();
  assert.equal(cache.size, 0);
  assert.equal(cache.totalSize, 0);
});

test('a key read often survives a flood of writes to other keys; unread ones go', () => {
  const cache = new FifoCache<string, number>(100, 1);
  cache.set('hot', 0, 1);
  cache.set('cold', 0, 1);
  for (let i = 0; i < 10_000; i++) {
    cache.set(`w${i}`, i, 1);
    if (i % 10 === 0) {
      assert.equal(cache.get('hot'), 0, `hot still there after ${i} writes`);
      cache.touch('hot');
    }
  }
  assert.equal(cache.get('cold'), undefined);
  assert.equal(cache.size, 100);
  assert.ok((cache as unknown as { order: unknown[] }).order.length < 2_000, 'order compacted');
});

test('touching a fresh entry changes nothing', () => {
  const cache = new FifoCache<string, number>(4, 1);
  for (const k of ['a', 'b', 'c', 'd']) cache.set(k, 1, 1);
  cache.touch('d'); // newest: stays
  cache.touch('a'); // oldest: becomes the newest
  cache.set('e', 1, 1); // evicts b, not a
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('d'), 1);
});

test('a long run of new keys does not keep the evicted ones\' places', () => {
  const cache = new FifoCache<string, number>(100, 1);
  for (let i = 0; i < 100_000; i++) cache.set(`k${i}`, i, 1);
  assert.equal(cache.size, 100);
  assert.ok((cache as unknown as { order: unknown[] }).order.length < 2_000, 'consumed order places dropped');
});
