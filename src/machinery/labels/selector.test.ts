import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { LabelSelector } from '../../api/meta.js';
import { formatLabelSelector, fromLabelSelector, isEverything, matches, parseLabelSelector, selectorToString } from './selector.js';

describe('parseLabelSelector: canonical form', () => {
  const cases: Array<[input: string, canonical: string]> = [
    ['', ''],
    ['app=nginx', 'app=nginx'],
    ['app==nginx', 'app==nginx'],
    ['app!=nginx', 'app!=nginx'],
    ['app', 'app'],
    ['!app', '!app'],
    ['  app = nginx ,  tier ', 'app=nginx,tier'],
    ['tier in (b,a)', 'tier in (a,b)'],
    ['tier in (a, b, a)', 'tier in (a,b)'],
    ['tier notin (x)', 'tier notin (x)'],
    ['z=1,a=2,m', 'a=2,m,z=1'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['a=', 'a='],
    ['a=,b=c', 'a=,b=c'],
    ['k in (in,notin)', 'k in (in,notin)'],
    ['x>1', 'x>1'],
    ['x<10', 'x<10'],
    ['example.com/app=web', 'example.com/app=web'],
  ];
  for (const [input, canonical] of cases) {
    test(JSON.stringify(input), () => {
      assert.equal(formatLabelSelector(parseLabelSelector(input)), canonical);
    });
  }
});

describe('parseLabelSelector: errors carry Kubernetes messages', () => {
  const cases: Array<[input: string, message: string]> = [
    ['a in', "unable to parse requirement: found '' expected: '('"],
    ['a in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['a>b', "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
  ];
  for (const [input, message] of cases) {
    test(JSON.stringify(input), () => {
      assert.throws(
        () => parseLabelSelector(input),
        (err: unknown) => isApiError(err, 'BadRequest') && err.code === 400 && err.message.startsWith(message),
      );
    });
  }

  test('a plugged-in key check rejects the requirement', () => {
    assert.throws(
      () => parseLabelSelector('bad key=x'.replace(' ', '_'), { checkRequirement: (r) => (r.key.includes('_') ? `key: Invalid value: "${r.key}"` : undefined) }),
      (err: unknown) => isApiError(err, 'BadRequest') && err.message === 'unable to parse requirement: key: Invalid value: "bad_key"',
    );
  });
});

describe('matches', () => {
  const labels = { app: 'web', tier: 'frontend', env: '', count: '5' };
  const cases: Array<[selector: string, expected: boolean]> = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['tier in (frontend,backend)', true],
    ['tier in (backend)', false],
    ['missing in (x)', false],
    ['tier notin (backend)', true],
    ['tier notin (frontend)', false],
    ['missing notin (x)', true],
    ['env=', true],
    ['env in ()', true],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['count>4', true],
    ['count>5', false],
    ['count<6', true],
    ['app>1', false],
  ];
  for (const [selector, expected] of cases) {
    test(`${JSON.stringify(selector)} -> ${expected}`, () => {
      assert.equal(matches(parseLabelSelector(selector), labels), expected);
    });
  }

  test('missing labels behave as an empty map', () => {
    assert.equal(matches(parseLabelSelector('!a'), undefined), true);
    assert.equal(matches(parseLabelSelector('a'), undefined), false);
  });
});

describe('fromLabelSelector and selectorToString', () => {
  const cases: Array<[name: string, ls: LabelSelector | undefined, text: string]> = [
    ['matchLabels', { matchLabels: { app: 'nginx' } }, 'app=nginx'],
    ['sorted by key', { matchLabels: { tier: 'web', app: 'nginx' } }, 'app=nginx,tier=web'],
    ['In expression', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, 'tier in (a,b)'],
    ['NotIn expression', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, 'env notin (prod)'],
    ['Exists and DoesNotExist', { matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }, { key: 'a', operator: 'Exists' }] }, 'a,!b'],
    [
      'labels and expressions together',
      { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
      'app=x,tier in (web)',
    ],
    ['empty selector', {}, ''],
  ];
  for (const [name, ls, text] of cases) {
    test(name, () => {
      assert.equal(selectorToString(ls), text);
    });
  }

  test('an empty selector matches everything, a missing one nothing', () => {
    assert.equal(isEverything(fromLabelSelector({})), true);
    assert.equal(matches(fromLabelSelector({}), { a: 'b' }), true);
    assert.equal(matches(fromLabelSelector(undefined), { a: 'b' }), false);
    assert.equal(matches(fromLabelSelector(null), {}), false);
  });

  test('structured selectors match like parsed ones', () => {
    const selector = fromLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] });
    assert.equal(matches(selector, { app: 'web', tier: 'fe' }), true);
    assert.equal(matches(selector, { app: 'web', tier: 'db' }), false);
    assert.equal(matches(selector, { tier: 'fe' }), false);
  });

  const invalid: Array<[name: string, ls: LabelSelector, message: string]> = [
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"],
    ['NotIn with no values field', { matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'],
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Gt' as 'In', values: ['1'] }] }, '"Gt" is not a valid label selector operator'],
  ];
  for (const [name, ls, message] of invalid) {
    test(`rejects: ${name}`, () => {
      assert.throws(() => fromLabelSelector(ls), (err: unknown) => isApiError(err, 'BadRequest') && err.message === message);
    });
  }
});
