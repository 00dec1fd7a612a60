import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import {
  assertSupportedFields,
  escapeFieldValue,
  formatFieldSelector,
  matchesFields,
  parseFieldSelector,
  requirementsFor,
  requiresExactMatch,
} from './selector.js';

describe('parseFieldSelector', () => {
  const cases: Array<[input: string, requirements: Array<[string, string, string]>]> = [
    ['', []],
    ['metadata.name=x', [['metadata.name', '=', 'x']]],
    ['metadata.name==x', [['metadata.name', '==', 'x']]],
    ['status.phase!=Failed', [['status.phase', '!=', 'Failed']]],
    ['involvedObject.namespace=', [['involvedObject.namespace', '=', '']]],
    // Terms come back sorted, as Kubernetes sorts them.
    [
      'spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed',
      [
        ['spec.nodeName', '=', 'n1'],
        ['status.phase', '!=', 'Failed'],
        ['status.phase', '!=', 'Succeeded'],
      ],
    ],
    ['a=b,,c=d', [['a', '=', 'b'], ['c', '=', 'd']]],
    ['a=x\\,y', [['a', '=', 'x,y']]],
    ['a=x\\=y\\\\z', [['a', '=', 'x=y\\z']]],
    ['a==', [['a', '==', '']]],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => {
      const parsed = parseFieldSelector(input);
      assert.deepEqual(
        requirementsFor(parsed).map((r) => [r.field, r.operator, r.value]),
        expected,
      );
    });
  }

  const errors: Array<[input: string, message: string]> = [
    ['abc', "invalid selector: 'abc'; can't understand 'abc'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a!==b', 'invalid field selector: unescaped character in value: 61'],
  ];
  for (const [input, message] of errors) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseFieldSelector(input), (err: unknown) => isApiError(err, 'BadRequest') && err.code === 400 && err.message === message);
    });
  }
});

describe('matchesFields', () => {
  const attrs = { 'metadata.name': 'web-0', 'metadata.namespace': 'default', 'status.phase': 'Running', 'spec.nodeName': '' };
  const cases: Array<[selector: string, expected: boolean]> = [
    ['', true],
    ['metadata.name=web-0', true],
    ['metadata.name==web-0', true],
    ['metadata.name=web-1', false],
    ['status.phase!=Failed', true],
    ['status.phase!=Running', false],
    ['spec.nodeName=', true],
    ['involvedObject.namespace=', true],
    ['involvedObject.namespace=x', false],
    ['metadata.name=web-0,metadata.namespace=default', true],
    ['metadata.name=web-0,metadata.namespace=other', false],
    ['spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed', false],
  ];
  for (const [selector, expected] of cases) {
    test(`${JSON.stringify(selector)} -> ${expected}`, () => {
      assert.equal(matchesFields(parseFieldSelector(selector), attrs), expected);
    });
  }
});

describe('helpers', () => {
  test('assertSupportedFields rejects unknown labels with the Kubernetes message', () => {
    const selector = parseFieldSelector('metadata.name=x,spec.bogus=y');
    assert.throws(
      () => assertSupportedFields(selector, ['metadata.name', 'metadata.namespace']),
      (err: unknown) => isApiError(err, 'BadRequest') && err.message === 'field label not supported: spec.bogus',
    );
    assert.doesNotThrow(() => assertSupportedFields(selector, (field) => field.startsWith('metadata.') || field === 'spec.bogus'));
  });

  test('requiresExactMatch finds equality terms only', () => {
    const selector = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
    assert.equal(requiresExactMatch(selector, 'spec.nodeName'), 'n1');
    assert.equal(requiresExactMatch(selector, 'status.phase'), undefined);
  });

  const roundTrips = ['plain', 'a,b', 'a=b', 'back\\slash', ''];
  for (const value of roundTrips) {
    test(`escape round trip ${JSON.stringify(value)}`, () => {
      const text = `f=${escapeFieldValue(value)}`;
      assert.equal(requirementsFor(parseFieldSelector(text))[0]?.value, value);
      assert.equal(formatFieldSelector(parseFieldSelector(text)), text);
    });
  }
});
