import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabelSelector, ObjectReference } from '../../api/meta.js';
import type { StorageClassInfo } from '../../machinery/volumes/claim-matching.js';
import { bind, MESSAGES, reconcileClaim, reconcileVolume, type BinderPlan, type Claim, type Volume } from './reconcile.js';

const NOW = '2026-11-30T10:00:00Z';

function claim(name: string, extra: { request?: string; modes?: string[]; class?: string | null; volumeName?: string; annotations?: Record<string, string>; phase?: string; selector?: LabelSelector } = {}): Claim {
  const spec: NonNullable<Claim['spec']> = { accessModes: extra.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: extra.request ?? '3Gi' } }, volumeMode: 'Filesystem' };
  if (extra.class !== undefined) spec.storageClassName = extra.class;
  if (extra.volumeName) spec.volumeName = extra.volumeName;
  if (extra.selector) spec.selector = extra.selector;
  return { metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', annotations: extra.annotations }, spec, status: { phase: extra.phase ?? 'Pending' } };
}

function volume(name: string, extra: { size?: string; modes?: string[]; class?: string; phase?: string; claimRef?: ObjectReference; labels?: Record<string, string>; annotations?: Record<string, string>; policy?: string } = {}): Volume {
  return {
    metadata: { name, labels: extra.labels, annotations: extra.annotations },
    spec: { capacity: { storage: extra.size ?? '10Gi' }, accessModes: extra.modes ?? ['ReadWriteOnce'], storageClassName: extra.class ?? '', volumeMode: 'Filesystem', claimRef: extra.claimRef, persistentVolumeReclaimPolicy: extra.policy ?? 'Retain' },
    status: { phase: extra.phase ?? 'Available' },
  };
}

const NO_CLASSES = new Map<string, StorageClassInfo>();

/** Applies plans until none writes, as the informers would bring the written objects back. */
function converge(start: { claim: Claim; volumes: Volume[] }, classes = NO_CLASSES): { claim: Claim; volumes: Volume[]; writes: string[] } {
  let { claim: c } = start;
  let volumes = start.volumes;
  const writes: string[] = [];
  for (let i = 0; i < 20; i++) {
    const plan: BinderPlan = reconcileClaim(c, volumes, classes, NOW);
    if (!plan.write) return { claim: c, volumes, writes };
    writes.push(plan.write.kind);
    if (plan.write.kind === 'claim' || plan.write.kind === 'claimStatus') c = plan.write.object as Claim;
    else {
      const written = plan.write.object as Volume;
      volumes = volumes.map((v) => (v.metadata.name === written.metadata.name ? written : v));
    }
  }
  throw new Error('binding did not converge');
}

test('a claim binds to the smallest matching Available volume, in Kubernetes order of writes', () => {
  const result = converge({ claim: claim('task-pv-claim', { class: 'manual' }), volumes: [volume('big', { size: '100Gi', class: 'manual' }), volume('task-pv-volume', { class: 'manual' }), volume('other-class', { size: '5Gi', class: 'fast' })] });
  assert.deepEqual(result.writes, ['volume', 'volumeStatus', 'claim', 'claimStatus']);
  const bound = result.volumes.find((v) => v.metadata.name === 'task-pv-volume')!;
  assert.deepEqual(bound.spec?.claimRef, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'default', name: 'task-pv-claim', uid: 'uid-task-pv-claim', resourceVersion: '7' });
  assert.equal(bound.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(bound.status?.phase, 'Bound');
  assert.equal(result.claim.spec?.volumeName, 'task-pv-volume');
  assert.deepEqual(result.claim.metadata.annotations, { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
  assert.deepEqual(result.claim.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } });
});

test('which volume a claim may bind to', () => {
  const cases: Array<[string, Claim, Volume[], string | undefined]> = [
    ['too small', claim('c', { request: '20Gi' }), [volume('v')], undefined],
    ['exactly the size', claim('c', { request: '10Gi' }), [volume('v')], 'v'],
    ['class must be equal', claim('c', { class: 'manual' }), [volume('v', { class: '' })], undefined],
    ['no class matches only class-less volumes', claim('c'), [volume('a', { class: 'manual' }), volume('b')], 'b'],
    ['access modes must be offered', claim('c', { modes: ['ReadWriteMany'] }), [volume('v')], undefined],
    ['a superset of access modes is fine', claim('c'), [volume('v', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] })], 'v'],
    ['volumes in other phases are skipped', claim('c'), [volume('v', { phase: 'Released' })], undefined],
    ['a volume bound to another claim is skipped', claim('c'), [volume('v', { claimRef: { namespace: 'default', name: 'x', uid: 'u' } })], undefined],
    ['a volume pre-bound to this claim wins', claim('c'), [volume('small', { size: '3Gi' }), volume('pre', { size: '50Gi', phase: 'Available', claimRef: { namespace: 'default', name: 'c' } })], 'pre'],
    ['selector on volume labels', claim('c', { selector: { matchLabels: { tier: 'gold' } } }), [volume('plain'), volume('gold', { labels: { tier: 'gold' } })], 'gold'],
  ];
  for (const [what, c, volumes, want] of cases) {
    const plan = reconcileClaim(c, volumes, NO_CLASSES, NOW);
    const got = plan.write?.kind === 'volume' ? plan.write.object.metadata.name : undefined;
    assert.equal(got, want, what);
  }
});

test('a claim that finds no volume stays Pending with the binder\'s event', () => {
  const classes = new Map<string, StorageClassInfo>([
    ['local', { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' }],
    ['ebs', { metadata: { name: 'ebs' }, provisioner: 'ebs.csi.aws.com' }],
    ['static', { metadata: { name: 'static' }, provisioner: 'kubernetes.io/no-provisioner' }],
  ]);
  const cases: Array<[Claim, string, string]> = [
    [claim('c'), 'FailedBinding', MESSAGES.noClass],
    [claim('c', { class: 'manual' }), 'ProvisioningFailed', 'storageclass.storage.k8s.io "manual" not found'],
    [claim('c', { class: 'local' }), 'WaitForFirstConsumer', MESSAGES.waitForConsumer],
    [claim('c', { class: 'static' }), 'ProvisioningFailed', 'no volume plugin matched name: kubernetes.io/no-provisioner'],
    [claim('c', { class: 'ebs' }), 'ExternalProvisioning', "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."],
  ];
  for (const [c, reason, message] of cases) {
    const volumes = [volume('wrong-size', { size: '1Gi', class: c.spec?.storageClassName ?? '' })];
    let plan = reconcileClaim(c, volumes, classes, NOW);
    if (reason === 'ExternalProvisioning') {
      // First the claim is handed to its provisioner.
      assert.equal(plan.write?.kind, 'claim');
      const marked = plan.write!.object as Claim;
      assert.equal(marked.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'ebs.csi.aws.com');
      assert.equal(marked.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'ebs.csi.aws.com');
      plan = reconcileClaim(marked, volumes, classes, NOW);
    }
    assert.equal(plan.write, undefined, 'already Pending: nothing to write');
    assert.deepEqual(plan.events.map((e) => [e.reason, e.message]), [[reason, message]]);
  }
});

test('a WaitForFirstConsumer claim of a provisioning class goes to its provisioner once the scheduler picked a node', () => {
  const classes = new Map<string, StorageClassInfo>([['local-path', { metadata: { name: 'local-path' }, provisioner: 'kijabi.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' }]]);
  const waiting = claim('c', { class: 'local-path' });
  assert.deepEqual(reconcileClaim(waiting, [], classes, NOW).events.map((e) => e.reason), ['WaitForFirstConsumer']);
  const picked = claim('c', { class: 'local-path', annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } });
  const handed = reconcileClaim(picked, [], classes, NOW);
  assert.equal((handed.write?.object as Claim).metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'kijabi.io/local-path');
  const again = reconcileClaim(handed.write!.object as Claim, [], classes, NOW);
  assert.deepEqual(again.events.map((e) => e.reason), ['ExternalProvisioning']);
});

test('a WaitForFirstConsumer claim binds only once the scheduler has put its claimRef on a volume', () => {
  const classes = new Map<string, StorageClassInfo>([['local', { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' }]]);
  const c = claim('c', { class: 'local' });
  assert.equal(reconcileClaim(c, [volume('v', { class: 'local' })], classes, NOW).write, undefined);
  const picked = volume('v', { class: 'local', claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'c', uid: 'uid-c', apiVersion: 'v1', resourceVersion: '7' }, annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } });
  const result = converge({ claim: c, volumes: [picked] }, classes);
  assert.deepEqual(result.writes, ['volumeStatus', 'claim', 'claimStatus']);
  assert.equal(result.claim.status?.phase, 'Bound');
});

test('a claim pre-bound by volumeName', () => {
  const pre = claim('c', { volumeName: 'v' });
  const result = converge({ claim: pre, volumes: [volume('v')] });
  assert.equal(result.claim.status?.phase, 'Bound');
  assert.equal(result.claim.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined, 'the user bound it');
  const taken = reconcileClaim(pre, [volume('v', { claimRef: { namespace: 'default', name: 'other', uid: 'u2' } })], NO_CLASSES, NOW);
  assert.deepEqual(taken.events.map((e) => e.message), ['volume "v" already bound to a different claim.']);
  assert.equal(reconcileClaim(pre, [], NO_CLASSES, NOW).write, undefined, 'waits for the volume');
});

test('bound claims whose volume went or was taken are Lost, with one event', () => {
  const bound = claim('c', { volumeName: 'v', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' }, phase: 'Bound' });
  const gone = reconcileClaim(bound, [], NO_CLASSES, NOW);
  assert.equal(gone.write?.kind, 'claimStatus');
  assert.equal((gone.write?.object as Claim).status?.phase, 'Lost');
  assert.deepEqual(gone.events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'ClaimLost', MESSAGES.lostVolume]]);
  const misbound = reconcileClaim(bound, [volume('v', { claimRef: { namespace: 'default', name: 'c', uid: 'someone-else' } })], NO_CLASSES, NOW);
  assert.deepEqual(misbound.events.map((e) => e.reason), ['ClaimMisbound']);
  const alreadyLost = reconcileClaim({ ...bound, status: { phase: 'Lost' } }, [], NO_CLASSES, NOW);
  assert.deepEqual(alreadyLost, { events: [] });
});

test('a fully bound pair needs no write (idempotent)', () => {
  const result = converge({ claim: claim('c'), volumes: [volume('v')] });
  assert.deepEqual(bind(result.volumes[0]!, result.claim, NOW), { events: [] });
  assert.deepEqual(reconcileVolume(result.volumes[0]!, result.claim, NOW), { events: [] });
});

test('volume phases: Available, Bound, Released, then the reclaim policy', () => {
  const ref = { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'c', uid: 'uid-c', apiVersion: 'v1' };
  const phaseOf = (plan: BinderPlan) => (plan.write?.object as Volume | undefined)?.status?.phase;
  assert.equal(phaseOf(reconcileVolume(volume('v', { phase: 'Pending' }), undefined, NOW)), 'Available');
  assert.equal((reconcileVolume(volume('v', { phase: 'Pending' }), undefined, NOW).write?.object.status as { lastPhaseTransitionTime?: string }).lastPhaseTransitionTime, NOW);
  assert.equal(phaseOf(reconcileVolume(volume('v', { phase: 'Pending', claimRef: { namespace: 'default', name: 'c' } }), undefined, NOW)), 'Available', 'pre-bound by name only');
  const boundClaim = claim('c', { volumeName: 'v', phase: 'Bound' });
  assert.equal(phaseOf(reconcileVolume(volume('v', { claimRef: ref }), boundClaim, NOW)), 'Bound');
  assert.equal(reconcileVolume(volume('v', { claimRef: ref }), claim('c'), NOW).syncClaim, 'default/c', 'claim side not written yet');
  assert.equal(phaseOf(reconcileVolume(volume('v', { claimRef: ref, phase: 'Bound' }), undefined, NOW)), 'Released');
  const recreated = { ...boundClaim, metadata: { ...boundClaim.metadata, uid: 'new' } };
  assert.equal(phaseOf(reconcileVolume(volume('v', { claimRef: ref, phase: 'Bound' }), recreated, NOW)), 'Released', 'a new claim of the same name is another claim');
  assert.deepEqual(reconcileVolume(volume('v', { claimRef: ref, phase: 'Released' }), undefined, NOW), { events: [] }, 'Retain keeps it Released');
  const failed = reconcileVolume(volume('v', { claimRef: ref, phase: 'Released', policy: 'Delete' }), undefined, NOW);
  assert.equal(phaseOf(failed), 'Failed');
  assert.deepEqual(failed.events.map((e) => e.reason), ['VolumeFailedDelete']);
  const provisioned = reconcileVolume(volume('v', { claimRef: ref, phase: 'Released', policy: 'Delete', annotations: { 'pv.kubernetes.io/provisioned-by': 'x' } }), undefined, NOW);
  assert.equal(provisioned.write?.kind, 'deleteVolume');
});

test('a volume whose claim bound elsewhere is freed: our binding undone, a user pre-binding kept by name', () => {
  const ref = { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'c', uid: 'uid-c', apiVersion: 'v1' };
  const elsewhere = claim('c', { volumeName: 'other', phase: 'Bound' });
  const ours = reconcileVolume(volume('v', { claimRef: ref, phase: 'Bound', annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } }), elsewhere, NOW);
  assert.equal(ours.write?.kind, 'volume');
  assert.equal((ours.write?.object as Volume).spec?.claimRef, null);
  assert.deepEqual((ours.write?.object as Volume).metadata.annotations, {});
  const users = reconcileVolume(volume('v', { claimRef: ref, phase: 'Bound' }), elsewhere, NOW);
  assert.deepEqual((users.write?.object as Volume).spec?.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'c', apiVersion: 'v1' });
});
