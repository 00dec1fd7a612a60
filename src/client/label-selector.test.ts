import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelSelector } from '../api/meta.js';
import { labelSelectorPredicate, matchesLabelSelector } from './label-selector.js';

describe('matchesLabelSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  const cases: Array<[string, LabelSelector | undefined, Record<string, string> | undefined, boolean]> = [
    ['missing selector matches everything', undefined, labels, true],
    ['empty selector matches everything', {}, undefined, true],
    ['matchLabels', { matchLabels: { app: 'web' } }, labels, true],
    ['matchLabels differ', { matchLabels: { app: 'db' } }, labels, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels, true],
    ['NotIn on a missing label', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels, true],
    ['Exists', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, labels, true],
    ['missing labels are empty', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, undefined, true],
    ['malformed operator matches nothing', { matchExpressions: [{ key: 'app', operator: 'Equals' as 'In', values: ['web'] }] }, labels, false],
  ];
  for (const [name, selector, have, want] of cases) {
    test(name, () => {
      assert.equal(matchesLabelSelector(selector, have), want);
      assert.equal(labelSelectorPredicate(selector)(have), want);
    });
  }

  test('a frozen selector is parsed once but still answers per label set', () => {
    const selector = Object.freeze({ matchLabels: Object.freeze({ app: 'web' }) }) as LabelSelector;
    assert.equal(matchesLabelSelector(selector, labels), true);
    assert.equal(matchesLabelSelector(selector, { app: 'db' }), false);
  });
});
