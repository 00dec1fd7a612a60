import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { matchesNodeSelectorAndAffinity, nodeSelectorTermMatches, requiredNodeSelectorTerms, type NodeConstraints, type NodeSelectorTerm } from './node-affinity.js';
import { toleratedBy } from './tolerations.js';

const node = { metadata: { name: 'n1', labels: { zone: 'a', cores: '16', ratio: '1.5' } } };

describe('nodeSelectorTermMatches', () => {
  const cases: Array<[string, NodeSelectorTerm, boolean]> = [
    ['empty term matches nothing', {}, false],
    ['In', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, true],
    ['In, other value', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, false],
    ['NotIn on a missing label', { matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['x'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, false],
    ['inherited property is no label', { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, false],
    ['Gt', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }, true],
    ['Lt', { matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['8'] }] }, false],
    ['Gt on a non-integer label', { matchExpressions: [{ key: 'ratio', operator: 'Gt', values: ['1'] }] }, false],
    ['Gt with two values', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['1', '2'] }] }, false],
    ['unknown operator', { matchExpressions: [{ key: 'zone', operator: 'Equals', values: ['a'] }] }, false],
    ['metadata.name field', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }, true],
    ['other field', { matchFields: [{ key: 'metadata.uid', operator: 'DoesNotExist' }] }, false],
    ['expressions and fields are ANDed', { matchExpressions: [{ key: 'zone', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }, false],
  ];
  for (const [name, term, want] of cases) test(name, () => assert.equal(nodeSelectorTermMatches(term, node), want));
});

describe('matchesNodeSelectorAndAffinity', () => {
  const required = (terms: NodeSelectorTerm[] | undefined): NodeConstraints => ({
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
  });
  const cases: Array<[string, NodeConstraints | undefined, boolean]> = [
    ['no spec', undefined, true],
    ['no constraints', {}, true],
    ['nodeSelector matches', { nodeSelector: { zone: 'a' } }, true],
    ['nodeSelector differs', { nodeSelector: { zone: 'a', disk: 'ssd' } }, false],
    ['terms are ORed', required([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }]), true],
    ['empty term list matches nothing', required([]), false],
    ['required affinity without terms matches nothing', required(undefined), false],
    ['selector and affinity both apply', { ...required([{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }]), nodeSelector: { zone: 'b' } }, false],
  ];
  for (const [name, spec, want] of cases) test(name, () => assert.equal(matchesNodeSelectorAndAffinity(spec, node), want));

  test('requiredNodeSelectorTerms is undefined without required affinity', () => {
    assert.equal(requiredNodeSelectorTerms({ affinity: { nodeAffinity: {} } }), undefined);
    assert.deepEqual(requiredNodeSelectorTerms(required(undefined)), []);
  });
});

describe('toleratedBy', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  const cases: Array<[string, Parameters<typeof toleratedBy>[0], boolean]> = [
    ['no tolerations', undefined, false],
    ['one of several matches', [{ key: 'other', operator: 'Exists' }, { key: 'k', operator: 'Equal', value: 'v' }], true],
    ['wrong effect', [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }], false],
    ['empty key with Exists tolerates everything', [{ operator: 'Exists' }], true],
  ];
  for (const [name, tolerations, want] of cases) test(name, () => assert.equal(toleratedBy(tolerations, taint), want));
});
