// The scheduler's VolumeBinding plugin on the real API server with hollow nodes and the PV
// controller: an unbound Immediate claim keeps its pod Pending with Kubernetes' message, a bound
// local volume decides the node, a WaitForFirstConsumer claim is bound where a free local volume is
// (the scheduler writes the volume's claimRef; the PV controller finishes), and a claim no static
// volume fits is provisioned on the chosen node (the scheduler sets selected-node; an in-test
// provisioner creates the volume; the PV controller binds). In both cases the pod is bound only
// after its claim.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import { isApiError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource, type ResourceDescriptor } from '../../src/api/resources.js';
import type { RunningServer } from '../../src/cmd/server.js';
import { startControllers } from '../../src/controllers/controller-manager.js';
import { PatchTypes, RestClient } from '../../src/client/rest-client.js';
import { HollowNodes } from '../../src/hollow-nodes/hollow-nodes.js';
import { eventually } from '../support/cluster.js';
import { startInProcessServer } from '../support/in-process-server.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const EVENTS = findResource('', 'v1', 'events')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
const PVS = findResource('', 'v1', 'persistentvolumes')!;
const STORAGE_CLASSES = findResource('storage.k8s.io', 'v1', 'storageclasses')!;

const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const FAKE_PROVISIONER = 'example.com/fake';

const NODE_A = 'vol-0';
const NODE_B = 'vol-1';
const PREEMPTION_NOT_HELPFUL = 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function pod(namespace: string, name: string, claimName: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

function claim(namespace: string, name: string, storageClassName: string, extra: { volumeName?: string; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace, annotations: extra.annotations },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName, volumeName: extra.volumeName },
  };
}

/** A local volume on `node` (required node affinity on its hostname label). */
function localVolume(name: string, node: string, claimRef?: KubeObject): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'local',
      local: { path: `/mnt/disks/${name}` },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
      claimRef: claimRef ? { kind: 'PersistentVolumeClaim', namespace: claimRef.metadata.namespace, name: claimRef.metadata.name, uid: claimRef.metadata.uid } : undefined,
    },
  };
}

interface ClaimSpec {
  volumeName?: string;
  accessModes?: string[];
  storageClassName?: string;
  resources?: { requests?: Record<string, string> };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An external provisioner for the class `fake`, as small as these tests need: for each claim of
 * that class the scheduler has given a node (selected-node), it creates a volume pre-bound to the
 * claim (claimRef with its uid) and local to that node, as a real provisioner does, and leaves the
 * rest to the PV controller. A claim listed in `refuseOnce` is refused the first time: the
 * provisioner removes selected-node, which asks the scheduler to try again.
 */
class FakeProvisioner {
  /** Claim uid -> the node its volume was made for, and whether the claim's pods were still unbound then. */
  readonly provisioned = new Map<string, { node: string; podsUnbound: boolean }>();
  readonly refuseOnce = new Set<string>();
  readonly refused = new Set<string>();

  constructor(private readonly client: RestClient) {}

  /** A claim of class `fake` given a node and not provisioned yet. */
  private wanted(claim: KubeObject): boolean {
    const spec = claim.spec as ClaimSpec;
    return spec.storageClassName === 'fake' && !!claim.metadata.annotations?.[SELECTED_NODE] && !spec.volumeName && !this.provisioned.has(claim.metadata.uid ?? '');
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const list = await this.client.list(PVCS, { signal });
        for (const c of list.items) await this.handle(c);
        for await (const event of this.client.watch(PVCS, { resourceVersion: list.metadata?.resourceVersion, signal })) {
          if (event.type === 'ADDED' || event.type === 'MODIFIED') await this.handle(event.object);
        }
      } catch (err) {
        if (signal.aborted) return;
        if (!isApiError(err, 'Expired') && !isApiError(err, 'Gone')) console.error('fake provisioner:', err);
        await sleep(100);
      }
    }
  }

  private async handle(event: KubeObject): Promise<void> {
    if (!this.wanted(event)) return;
    // Events queue up while an earlier one is handled: act on the claim as it is now.
    const claim = await this.client.get(PVCS, event.metadata.namespace, event.metadata.name ?? '');
    if (!this.wanted(claim)) return;
    const spec = claim.spec as ClaimSpec;
    const node = claim.metadata.annotations?.[SELECTED_NODE] ?? '';
    const uid = claim.metadata.uid ?? '';
    const namespace = claim.metadata.namespace ?? '';
    const key = `${namespace}/${claim.metadata.name ?? ''}`;
    if (this.refuseOnce.has(key) && !this.refused.has(key)) {
      this.refused.add(key);
      const annotations = { [SELECTED_NODE]: null, 'example.com/fake-refused': node };
      await this.client.patch(PVCS, namespace, claim.metadata.name ?? '', PatchTypes.merge, { metadata: { annotations } });
      return;
    }
    const pods = await this.client.list(PODS, { namespace });
    this.provisioned.set(uid, { node, podsUnbound: pods.items.every((p) => !(p.spec as { nodeName?: string }).nodeName) });
    // Provisioning takes a moment: the pod must wait for it.
    await sleep(300);
    await this.client.create(PVS, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `pvc-${uid}`, annotations: { 'pv.kubernetes.io/provisioned-by': FAKE_PROVISIONER } },
      spec: {
        capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: spec.accessModes,
        storageClassName: 'fake',
        persistentVolumeReclaimPolicy: 'Delete',
        local: { path: `/var/lib/fake-provisioner/pvc-${uid}` },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: claim.metadata.name, uid, resourceVersion: claim.metadata.resourceVersion },
      },
    });
  }
}

/**
 * The store revision at which `name` first satisfies `ready`, from a watch started now (before the
 * change); revisions are global in the store, so they order changes of different objects.
 */
function firstRevision(client: RestClient, desc: ResourceDescriptor, namespace: string, name: string, ready: (o: KubeObject) => boolean, signal: AbortSignal): Promise<bigint> {
  const found = (async () => {
    const list = await client.list(desc, { namespace, fieldSelector: `metadata.name=${name}` });
    for (const o of list.items) if (ready(o)) return BigInt(o.metadata.resourceVersion ?? '0');
    for await (const event of client.watch(desc, { namespace, fieldSelector: `metadata.name=${name}`, resourceVersion: list.metadata?.resourceVersion, signal })) {
      if (event.type !== 'DELETED' && ready(event.object)) return BigInt(event.object.metadata.resourceVersion ?? '0');
    }
    throw new Error(`watch of ${namespace}/${name} ended`);
  })();
  // Awaited by the test; a test that failed earlier leaves it to end with the signal.
  void found.catch(() => undefined);
  return found;
}

const claimFullyBound = (o: KubeObject): boolean => !!(o.spec as ClaimSpec).volumeName && o.metadata.annotations?.[BIND_COMPLETED] !== undefined;
const podBound = (o: KubeObject): boolean => !!(o.spec as { nodeName?: string }).nodeName;

describe('VolumeBinding with hollow nodes', () => {
  let dir: string;
  let server: RunningServer;
  let client: RestClient;
  const hollow = new AbortController();
  setMaxListeners(0, hollow.signal);
  let hollowRun: Promise<void> | undefined;

  async function namespace(name: string): Promise<string> {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  /** A new volume is Pending until the PV controller marks it Available; marking it here spares the wait. */
  async function createAvailable(volume: KubeObject): Promise<void> {
    await client.create(PVS, volume);
    await client.patch(PVS, undefined, volume.metadata.name!, PatchTypes.merge, { status: { phase: 'Available' } }, { subresource: 'status' });
  }

  async function waitNode(namespace: string, name: string): Promise<string> {
    return eventually(async () => ((await client.get(PODS, namespace, name)).spec as { nodeName?: string }).nodeName, { timeoutMs: 30_000, message: `${namespace}/${name} not bound` });
  }

  async function waitUnschedulable(namespace: string, name: string, message: string): Promise<void> {
    await eventually(
      async () => {
        const p = await client.get(PODS, namespace, name);
        const cond = ((p.status as { conditions?: Condition[] }).conditions ?? []).find((c) => c.type === 'PodScheduled');
        return cond?.status === 'False' && cond.reason === 'Unschedulable' && cond.message === message;
      },
      { message: `PodScheduled=False/Unschedulable with "${message}"` },
    );
    await eventually(
      async () => {
        const events = await client.list(EVENTS, { namespace, fieldSelector: `involvedObject.name=${name},reason=FailedScheduling` });
        return events.items.some((e) => e.message === message);
      },
      { message: `FailedScheduling event "${message}"` },
    );
    assert.equal(((await client.get(PODS, namespace, name)).spec as { nodeName?: string }).nodeName, undefined);
  }

  const background = new AbortController();
  setMaxListeners(0, background.signal);
  let controllers: Promise<void> | undefined;
  let provisioner: FakeProvisioner;
  let provisioning: Promise<void> | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kijabi-volbind-'));
    server = await startInProcessServer(join(dir, 'data'), 'volbind-token', { disableScheduler: false });
    client = RestClient.fromKubeconfig(server.kubeconfigPath);
    const nodes = new HollowNodes({ client, count: 2, cpu: '4', memory: '16Gi', pods: 110, namePrefix: 'vol-', leaseIntervalMs: 10_000 });
    hollowRun = nodes.start(hollow.signal).catch(() => undefined);
    await eventually(async () => (await client.list(NODES)).items.filter((n) => n.metadata.name?.startsWith('vol-')).length === 2);
    await client.create(STORAGE_CLASSES, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'example.com/standard' });
    await client.create(STORAGE_CLASSES, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
    await client.create(STORAGE_CLASSES, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'fake' },
      provisioner: FAKE_PROVISIONER,
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Delete',
    });
    // The scheduler waits for the PV controller to finish every binding it starts.
    controllers = startControllers({ client, signal: background.signal, only: ['persistentvolume-binder'] });
    provisioner = new FakeProvisioner(client);
    provisioning = provisioner.run(background.signal);
  });

  after(async () => {
    background.abort();
    await controllers;
    await provisioning;
    hollow.abort();
    await hollowRun;
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a pod with an unbound Immediate claim stays Pending with Kubernetes’ message', async () => {
    const ns = await namespace('immediate');
    await client.create(PVCS, claim(ns, 'data', 'standard'));
    await client.create(PODS, pod(ns, 'app', 'data'));
    await waitUnschedulable(ns, 'app', `0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${PREEMPTION_NOT_HELPFUL}.`);
  });

  test('a pod whose claim is bound to a local volume on node B lands on node B', async () => {
    const ns = await namespace('bound');
    const bound = await client.create(PVCS, claim(ns, 'data', 'local', { volumeName: 'pv-bound', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }));
    await client.create(PVS, localVolume('pv-bound', NODE_B, bound));
    for (const name of ['app-0', 'app-1', 'app-2']) await client.create(PODS, pod(ns, name, 'data'));
    for (const name of ['app-0', 'app-1', 'app-2']) assert.equal(await waitNode(ns, name), NODE_B);
  });

  test('WaitForFirstConsumer: the pod lands where a free volume is, once the claim is bound to it', async () => {
    const ns = await namespace('wait');
    await createAvailable(localVolume('pv-a', NODE_A));
    const data = await client.create(PVCS, claim(ns, 'data', 'local'));
    const claimBoundAt = firstRevision(client, PVCS, ns, 'data', claimFullyBound, background.signal);
    const podBoundAt = firstRevision(client, PODS, ns, 'app', podBound, background.signal);
    await client.create(PODS, pod(ns, 'app', 'data'));
    assert.equal(await waitNode(ns, 'app'), NODE_A);
    assert.ok((await claimBoundAt) < (await podBoundAt), 'the PV controller bound the claim before the scheduler bound the pod');

    // PreBind wrote the volume's side; the PV controller the claim's.
    const pv = await client.get(PVS, undefined, 'pv-a');
    const ref = (pv.spec as { claimRef?: Record<string, unknown> }).claimRef;
    assert.deepEqual({ ...ref, resourceVersion: undefined }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: 'data', uid: data.metadata.uid, resourceVersion: undefined });
    assert.ok(ref?.resourceVersion, 'claimRef carries the claim’s resourceVersion');
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    const pvc = await client.get(PVCS, ns, 'data');
    assert.equal((pvc.spec as ClaimSpec).volumeName, 'pv-a');
    assert.equal(pvc.metadata.annotations?.[SELECTED_NODE], undefined, 'static volumes: no selected-node (only for provisioning)');
    await eventually(async () => ((await client.get(PVCS, ns, 'data')).status as { phase?: string }).phase === 'Bound', { message: 'claim wait/data Bound' });

    // A second claim finds no free volume until one appears on node B.
    await client.create(PVCS, claim(ns, 'more', 'local'));
    await client.create(PODS, pod(ns, 'more', 'more'));
    await waitUnschedulable(ns, 'more', `0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. ${PREEMPTION_NOT_HELPFUL}.`);
    await createAvailable(localVolume('pv-b', NODE_B));
    assert.equal(await waitNode(ns, 'more'), NODE_B);
    assert.equal(((await client.get(PVS, undefined, 'pv-b')).spec as { claimRef?: { name?: string } }).claimRef?.name, 'more');
    assert.equal(((await client.get(PVCS, ns, 'more')).spec as ClaimSpec).volumeName, 'pv-b');
  });

  test('provisioning: the claim gets the chosen node, the provisioner’s volume is bound to it, and only then is the pod bound', async () => {
    const ns = await namespace('provision');
    const data = await client.create(PVCS, claim(ns, 'data', 'fake'));
    const claimBoundAt = firstRevision(client, PVCS, ns, 'data', claimFullyBound, background.signal);
    const podBoundAt = firstRevision(client, PODS, ns, 'app', podBound, background.signal);
    await client.create(PODS, pod(ns, 'app', 'data'));
    const node = await waitNode(ns, 'app');
    assert.ok((await claimBoundAt) < (await podBoundAt), 'the claim was bound before the pod');
    assert.deepEqual(provisioner.provisioned.get(data.metadata.uid ?? ''), { node, podsUnbound: true }, 'provisioned for the chosen node while the pod waited');

    const pvc = await client.get(PVCS, ns, 'data');
    assert.equal(pvc.metadata.annotations?.[SELECTED_NODE], node);
    assert.equal(pvc.metadata.annotations?.[BIND_COMPLETED], 'yes');
    const volumeName = `pvc-${data.metadata.uid ?? ''}`;
    assert.equal((pvc.spec as ClaimSpec).volumeName, volumeName);
    const pv = await client.get(PVS, undefined, volumeName);
    assert.equal((pv.spec as { claimRef?: { uid?: string } }).claimRef?.uid, data.metadata.uid);
    await eventually(async () => ((await client.get(PVCS, ns, 'data')).status as { phase?: string }).phase === 'Bound', { message: 'claim provision/data Bound' });
    await eventually(async () => ((await client.get(PVS, undefined, volumeName)).status as { phase?: string }).phase === 'Bound', { message: `volume ${volumeName} Bound` });
  });

  test('provisioning: a provisioner that gives up (removes selected-node) sends the pod back to scheduling', async () => {
    const ns = await namespace('reschedule');
    provisioner.refuseOnce.add(`${ns}/data`);
    const data = await client.create(PVCS, claim(ns, 'data', 'fake'));
    await client.create(PODS, pod(ns, 'app', 'data'));
    const message = 'running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "data"';
    await eventually(
      async () => {
        const events = await client.list(EVENTS, { namespace: ns, fieldSelector: 'involvedObject.name=app,reason=FailedScheduling' });
        return events.items.some((e) => e.message === message);
      },
      { timeoutMs: 30_000, message: `FailedScheduling event "${message}"` },
    );
    const node = await waitNode(ns, 'app');
    assert.ok(provisioner.refused.has(`${ns}/data`));
    assert.equal(provisioner.provisioned.get(data.metadata.uid ?? '')?.node, node);
    const pvc = await client.get(PVCS, ns, 'data');
    assert.equal(pvc.metadata.annotations?.[SELECTED_NODE], node);
    assert.equal((pvc.spec as ClaimSpec).volumeName, `pvc-${data.metadata.uid ?? ''}`);
  });
});
