import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, compareQuantities, formatQuantity, isValidQuantity, parseQuantity, parseQuantityExact, quantityMilliValue, quantityValue } from './quantity.js';

describe('parseQuantity', () => {
  const cases: Array<[string, number]> = [
    ['100m', 0.1],
    ['1', 1],
    ['2', 2],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1k', 1000],
    ['1M', 1e6],
    ['1E', 1e18],
    ['1Ki', 1024],
    ['1Gi', 1073741824],
    ['1.5Gi', 1610612736],
    ['128Mi', 134217728],
    ['-1', -1],
    ['+2', 2],
    ['500u', 0.0005],
    ['1n', 1e-9],
    ['0', 0],
  ];
  for (const [text, want] of cases) {
    test(text, () => assert.equal(parseQuantity(text), want));
  }
});

describe('isValidQuantity', () => {
  const cases: Array<[string, boolean]> = [
    ['1Gi', true], ['100m', true], ['1.', true], ['', false], ['abc', false], ['1GB', false], ['1gi', false],
    ['1.2.3', false], ['1 Gi', false], ['.', false], ['1e', false], ['1Kib', false], ['--1', false], [' 1', false],
  ];
  for (const [text, want] of cases) test(JSON.stringify(text), () => assert.equal(isValidQuantity(text), want));
});

describe('canonicalQuantity', () => {
  const cases: Array<[string, string]> = [
    ['1000m', '1'],
    ['1.5', '1500m'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['1e3', '1e3'],
    ['1500', '1500'],
    ['2000', '2k'],
    ['0.1', '100m'],
    ['100Ki', '100Ki'],
    ['512', '512'],
    ['0.5Ki', '512'],
    ['0', '0'],
    ['1500e-3', '1500e-3'],
    ['0.1n', '1n'],
    ['-100m', '-100m'],
  ];
  for (const [text, want] of cases) test(`${text} -> ${want}`, () => assert.equal(canonicalQuantity(text), want));
  test('malformed gives undefined', () => assert.equal(canonicalQuantity('x'), undefined));
});

test('formatQuantity', () => {
  assert.equal(formatQuantity(0.1), '100m');
  assert.equal(formatQuantity(2), '2');
  assert.equal(formatQuantity(1073741824, 'BinarySI'), '1Gi');
  assert.equal(formatQuantity(1000, 'DecimalExponent'), '1e3');
});

test('compareQuantities, milli and whole values', () => {
  assert.equal(compareQuantities('500m', '1'), -1);
  assert.equal(compareQuantities('1Gi', '1024Mi'), 0);
  assert.equal(compareQuantities('1G', '1Gi'), -1);
  assert.equal(compareQuantities('2', '1999m'), 1);
  assert.equal(quantityMilliValue('0.1'), 100);
  assert.equal(quantityMilliValue('1n'), 1);
  assert.equal(quantityValue('1.5Ki'), 1536);
  assert.equal(quantityValue('100m'), 1);
  assert.throws(() => parseQuantity('nope'), /quantities must match/);
});

test('parsed quantities are remembered: the same shared, frozen result; malformed ones stay malformed', () => {
  const first = parseQuantityExact('250m');
  assert.equal(parseQuantityExact('250m'), first);
  assert.ok(Object.isFrozen(first));
  assert.equal(parseQuantityExact('12x'), undefined);
  assert.equal(parseQuantityExact('12x'), undefined);
  // More distinct texts than the cache holds still parse right.
  for (let i = 0; i < 10_000; i++) assert.equal(parseQuantityExact(`${i}Mi`)?.nanos, BigInt(i) * (1n << 20n) * 1_000_000_000n);
  assert.equal(parseQuantityExact('250m')?.nanos, 250_000_000n);
});
