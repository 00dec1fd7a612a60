import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeToProvisionOn, provisionedVolume, unsupportedClaim, volumePath } from './reconcile.js';

const claim = (annotations: Record<string, string>, extra: { volumeName?: string } = {}) => ({
  metadata: { name: 'data', namespace: 'shop', uid: '1234', resourceVersion: '9', annotations },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, storageClassName: 'local-path', volumeName: extra.volumeName },
});
const ours = { 'volume.kubernetes.io/storage-provisioner': 'kijabi.io/local-path', 'volume.kubernetes.io/selected-node': 'node-1' };

test('only claims handed to local-path, with a node and no volume yet, are provisioned', () => {
  assert.equal(nodeToProvisionOn(claim(ours)), 'node-1');
  assert.equal(nodeToProvisionOn(claim({ ...ours, 'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com' })), undefined);
  assert.equal(nodeToProvisionOn(claim({ 'volume.kubernetes.io/storage-provisioner': 'kijabi.io/local-path' })), undefined, 'no node picked yet');
  assert.equal(nodeToProvisionOn(claim(ours, { volumeName: 'pvc-1234' })), undefined, 'already bound');
});

test('the volume: a directory on the picked node, pre-bound to the claim', () => {
  const pv = provisionedVolume(claim(ours), { metadata: { name: 'local-path' }, reclaimPolicy: 'Delete' }, 'node-1', '/data/storage/');
  assert.equal(pv.metadata.name, 'pvc-1234');
  assert.deepEqual(pv.metadata.annotations, { 'pv.kubernetes.io/provisioned-by': 'kijabi.io/local-path' });
  assert.deepEqual(pv.spec, {
    capacity: { storage: '2Gi' },
    accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Delete',
    storageClassName: 'local-path',
    volumeMode: 'Filesystem',
    claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data', uid: '1234', resourceVersion: '9' },
    hostPath: { path: '/data/storage/pvc-1234_shop_data', type: 'DirectoryOrCreate' },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] } },
  });
  assert.equal(volumePath('/x', claim(ours)), '/x/pvc-1234_shop_data');
});

test('a directory on one node serves single-node, filesystem claims only', () => {
  const cases: Array<[string[], string | undefined, boolean]> = [
    [['ReadWriteOnce'], undefined, true],
    [['ReadWriteOncePod'], 'Filesystem', true],
    [['ReadWriteMany'], undefined, false],
    [['ReadWriteOnce', 'ReadOnlyMany'], undefined, false],
    [['ReadWriteOnce'], 'Block', false],
  ];
  for (const [accessModes, volumeMode, ok] of cases) {
    const c = { metadata: { name: 'x' }, spec: { accessModes, volumeMode } };
    assert.equal(unsupportedClaim(c) === undefined, ok, JSON.stringify(c.spec));
  }
});
