// End to end: the PersistentVolume binder with the real kubectl, as the docs' "Configure a Pod to
// Use a PersistentVolume for Storage" walkthrough goes: a hostPath volume of class "manual" and a
// smaller claim of that class bind to each other (kubectl get pv / pvc show it), deleting the claim
// releases the volume, and a claim nothing can satisfy stays Pending with the binder's event.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { eventually, REPO_ROOT, startCluster, type TestCluster } from '../support/cluster.js';
import { succeeded } from './workloads-support.js';
import { startHollowNodes } from '../support/hollow.js';

/** The same objects as the walkthrough's pv-volume.yaml and pv-claim.yaml (written here in JSON). */
const VOLUME = JSON.stringify({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'task-pv-volume', labels: { type: 'local' } },
  spec: { storageClassName: 'manual', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/data' } },
});
const CLAIM = JSON.stringify({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'task-pv-claim' },
  spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '3Gi' } } },
});

/** The published manifests themselves, when the reference folder is next to the repository. */
const EXAMPLES = resolve(REPO_ROOT, '..', 'shared', 'examples', 'kubernetes-website', 'pods', 'storage');

describe('PersistentVolume binding with kubectl', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, { input });
  const columns = async (args: string[]) => succeeded(await kubectl(['get', ...args, '--no-headers'])).trim().split(/\s+/);

  before(async () => {
    // Without the default local-path class, as a Kubernetes cluster without a provisioner.
    cluster = await startCluster({ extraArgs: ['--disable-local-storage'] });
  });

  after(async () => {
    await cluster?.stop();
  });

  test('a claim binds to the volume of its class; kubectl shows both sides Bound', async () => {
    succeeded(await kubectl(['apply', '-f', '-'], VOLUME));
    await eventually(async () => (await columns(['pv', 'task-pv-volume']))[4] === 'Available', { message: 'volume Available' });
    succeeded(await kubectl(['apply', '-f', '-'], CLAIM));
    const claim = await eventually(async () => {
      const cells = await columns(['pvc', 'task-pv-claim']);
      return cells[1] === 'Bound' && cells;
    }, { message: 'claim Bound' });
    // NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS ...
    assert.deepEqual(claim.slice(0, 6), ['task-pv-claim', 'Bound', 'task-pv-volume', '10Gi', 'RWO', 'manual']);
    // NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS ...
    const volume = await columns(['pv', 'task-pv-volume']);
    assert.deepEqual(volume.slice(0, 7), ['task-pv-volume', '10Gi', 'RWO', 'Retain', 'Bound', 'default/task-pv-claim', 'manual']);
    const pv = JSON.parse(succeeded(await kubectl(['get', 'pv', 'task-pv-volume', '-o', 'json'])));
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(pv.spec.claimRef.kind, 'PersistentVolumeClaim');
    const pvc = JSON.parse(succeeded(await kubectl(['get', 'pvc', 'task-pv-claim', '-o', 'json'])));
    assert.equal(pv.spec.claimRef.uid, pvc.metadata.uid);
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
  });

  test('deleting the claim releases the volume (Retain keeps it and its data)', async () => {
    succeeded(await kubectl(['delete', 'pvc', 'task-pv-claim']));
    await eventually(async () => (await columns(['pv', 'task-pv-volume']))[4] === 'Released', { message: 'volume Released' });
    // A new claim does not get a Released volume: an administrator has to free it first.
    succeeded(await kubectl(['apply', '-f', '-'], CLAIM));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await columns(['pvc', 'task-pv-claim']))[1], 'Pending');
    succeeded(await kubectl(['patch', 'pv', 'task-pv-volume', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/claimRef"}]']));
    await eventually(async () => (await columns(['pvc', 'task-pv-claim']))[1] === 'Bound', { message: 'claim Bound after the volume was freed' });
    succeeded(await kubectl(['delete', 'pvc', 'task-pv-claim']));
    succeeded(await kubectl(['delete', 'pv', 'task-pv-volume']));
  });

  test('a claim without a class and without a volume stays Pending with the binder\'s event', async () => {
    const lonely = JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'lonely' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    succeeded(await kubectl(['apply', '-f', '-'], lonely));
    const described = await eventually(async () => {
      const out = succeeded(await kubectl(['describe', 'pvc', 'lonely']));
      return out.includes('FailedBinding') && out;
    }, { message: 'FailedBinding event' });
    assert.match(described, /no persistent volumes available for this claim and no storage class is set/);
    assert.match(described, /Status:\s+Pending/);
  });

  test('a claim without a class gets the default StorageClass, and waits for its first consumer', async () => {
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/fast', volumeBindingMode: 'WaitForFirstConsumer' })));
    assert.match(succeeded(await kubectl(['get', 'storageclass'])), /fast \(default\)\s+example\.com\/fast\s+Delete\s+WaitForFirstConsumer/);
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'defaulted' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })));
    const claim = JSON.parse(succeeded(await kubectl(['get', 'pvc', 'defaulted', '-o', 'json'])));
    assert.equal(claim.spec.storageClassName, 'fast');
    const described = await eventually(async () => {
      const out = succeeded(await kubectl(['describe', 'pvc', 'defaulted']));
      return out.includes('WaitForFirstConsumer') && out;
    }, { message: 'WaitForFirstConsumer event' });
    assert.match(described, /waiting for first consumer to be created before binding/);
    // A claim that asks for no class ("") keeps it.
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'classless' }, spec: { storageClassName: '', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })));
    assert.equal(JSON.parse(succeeded(await kubectl(['get', 'pvc', 'classless', '-o', 'json']))).spec.storageClassName, '');
    succeeded(await kubectl(['delete', 'pvc', 'defaulted', 'classless']));
    succeeded(await kubectl(['delete', 'storageclass', 'fast']));
  });

  test('a claim a pod mounts, and its bound volume, stay Terminating until nothing uses them', async () => {
    const nodes = await startHollowNodes({ kubeconfig: cluster.kubeconfig, count: 1, namePrefix: 'pv-node-' });
    try {
      succeeded(await kubectl(['apply', '-f', '-'], VOLUME.replace('task-pv-volume', 'kept-volume')));
      succeeded(await kubectl(['apply', '-f', '-'], CLAIM.replace('task-pv-claim', 'kept-claim')));
      await eventually(async () => (await columns(['pvc', 'kept-claim']))[1] === 'Bound', { message: 'claim Bound' });
      const pvc = JSON.parse(succeeded(await kubectl(['get', 'pvc', 'kept-claim', '-o', 'json'])));
      assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user' }, spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'kept-claim' } }], containers: [{ name: 'c', image: 'nginx', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } };
      succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify(pod)));
      await eventually(async () => (await columns(['pod', 'user']))[2] === 'Running', { message: 'pod Running on the hollow node' });

      succeeded(await kubectl(['delete', 'pvc', 'kept-claim', '--wait=false']));
      succeeded(await kubectl(['delete', 'pv', 'kept-volume', '--wait=false']));
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await columns(['pvc', 'kept-claim']))[1], 'Terminating', 'the pod still mounts it');
      assert.equal((await columns(['pv', 'kept-volume']))[4], 'Terminating', 'still bound');

      succeeded(await kubectl(['delete', 'pod', 'user', '--wait=true']));
      await eventually(async () => (await kubectl(['get', 'pvc', 'kept-claim'])).code !== 0, { message: 'claim gone once the pod is' });
      await eventually(async () => (await kubectl(['get', 'pv', 'kept-volume'])).code !== 0, { message: 'volume gone once released' });
    } finally {
      await nodes.stop();
    }
  });

  test('the walkthrough\'s published manifests bind', { skip: !existsSync(EXAMPLES) && 'reference examples absent' }, async () => {
    for (const file of ['pv-volume.yaml', 'pv-claim.yaml']) succeeded(await kubectl(['apply', '-f', '-'], readFileSync(join(EXAMPLES, file), 'utf8')));
    await eventually(async () => (await columns(['pvc', 'task-pv-claim']))[1] === 'Bound', { message: 'published claim Bound' });
    assert.equal((await columns(['pv', 'task-pv-volume']))[5], 'default/task-pv-claim');
  });
});
