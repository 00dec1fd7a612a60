import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimNamesOf, podUsesClaim, PVC_PROTECTION, releasedFinalizers, volumeInUse, type PodLike } from './reconcile.js';

const pod = (extra: { nodeName?: string; phase?: string; claim?: string; ephemeral?: string } = {}): PodLike => ({
  metadata: { name: 'web-0', namespace: 'ns' },
  spec: {
    nodeName: extra.nodeName,
    volumes: [
      ...(extra.claim ? [{ name: 'data', persistentVolumeClaim: { claimName: extra.claim } }] : []),
      ...(extra.ephemeral ? [{ name: extra.ephemeral, ephemeral: { volumeClaimTemplate: {} } }] : []),
      { name: 'cfg', configMap: { name: 'x' } } as never,
    ],
  },
  status: { phase: extra.phase ?? 'Running' },
});

test('which pods keep a claim in use', () => {
  assert.deepEqual(claimNamesOf(pod({ claim: 'a', ephemeral: 'scratch' })), ['a', 'web-0-scratch']);
  const cases: Array<[PodLike, boolean, string]> = [
    [pod({ nodeName: 'n', claim: 'a' }), true, 'scheduled and running'],
    [pod({ claim: 'a' }), false, 'not scheduled'],
    [pod({ nodeName: 'n', claim: 'a', phase: 'Succeeded' }), false, 'finished'],
    [pod({ nodeName: 'n', claim: 'a', phase: 'Failed' }), false, 'failed'],
    [pod({ nodeName: 'n', claim: 'b' }), false, 'another claim'],
    [pod({ nodeName: 'n', ephemeral: 'a' }), false, 'ephemeral volume of another name'],
  ];
  for (const [p, want, what] of cases) assert.equal(podUsesClaim(p, 'a'), want, what);
});

test('the finalizer goes only from a terminating object nothing uses', () => {
  const claim = { metadata: { name: 'a', finalizers: [PVC_PROTECTION, 'other'], deletionTimestamp: '2026-11-30T10:00:00Z' } };
  assert.deepEqual(releasedFinalizers(claim, PVC_PROTECTION, false), ['other']);
  assert.equal(releasedFinalizers(claim, PVC_PROTECTION, true), undefined);
  assert.equal(releasedFinalizers({ metadata: { finalizers: [PVC_PROTECTION] } }, PVC_PROTECTION, false), undefined, 'not terminating');
  assert.equal(releasedFinalizers({ metadata: { deletionTimestamp: 'x', finalizers: ['other'] } }, PVC_PROTECTION, false), undefined, 'not ours');
  assert.equal(volumeInUse({ metadata: {}, status: { phase: 'Bound' } }), true);
  assert.equal(volumeInUse({ metadata: {}, status: { phase: 'Released' } }), false);
});
