import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimClass, findMatchingVolume, type ClaimLike, type VolumeLike } from './claim-matching.js';

const claim: ClaimLike = { metadata: { name: 'c', namespace: 'ns', uid: 'u1' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local' } };

function localVolume(name: string, node: string, extra: Partial<NonNullable<VolumeLike['spec']>> = {}): VolumeLike {
  return {
    metadata: { name },
    spec: {
      capacity: { storage: '2Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'local',
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
      ...extra,
    },
    status: { phase: 'Available' },
  };
}

const nodeA = { metadata: { name: 'a', labels: { 'kubernetes.io/hostname': 'a' } } };
const nodeB = { metadata: { name: 'b', labels: { 'kubernetes.io/hostname': 'b' } } };

test('with a node, only volumes whose node affinity admits it match', () => {
  const volumes = [localVolume('on-a', 'a'), localVolume('on-b', 'b')];
  assert.equal(findMatchingVolume(claim, volumes, { node: nodeA, delayBinding: true })?.metadata.name, 'on-a');
  assert.equal(findMatchingVolume(claim, volumes, { node: nodeB, delayBinding: true })?.metadata.name, 'on-b');
  assert.equal(findMatchingVolume(claim, volumes, { node: nodeB, delayBinding: true, excluded: new Set(['on-b']) }), undefined);
});

test('delayed binding without a node matches only a volume pre-bound to the claim', () => {
  assert.equal(findMatchingVolume(claim, [localVolume('on-a', 'a')], { delayBinding: true }), undefined);
  const pre = localVolume('pre', 'a', { claimRef: { namespace: 'ns', name: 'c', uid: 'u1' } });
  assert.equal(findMatchingVolume(claim, [pre], { delayBinding: true })?.metadata.name, 'pre');
  assert.equal(findMatchingVolume(claim, [pre], { node: nodeB }), undefined, 'pre-bound on another node: no match at all');
  const otherUid = localVolume('pre', 'a', { claimRef: { namespace: 'ns', name: 'c', uid: 'old' } });
  assert.equal(findMatchingVolume(claim, [otherUid], {}), undefined, 'bound to an earlier claim of that name');
});

test('the beta annotation names the class before spec.storageClassName', () => {
  assert.equal(claimClass({ metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } }, spec: { storageClassName: 'new' } }), 'old');
  assert.equal(claimClass({ metadata: {}, spec: {} }), '');
});
