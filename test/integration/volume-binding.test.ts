// The scheduler's VolumeBinding plugin on the real API server with hollow nodes: an unbound
// Immediate claim keeps its pod Pending with Kubernetes' message, a bound local volume decides the
// node, and a WaitForFirstConsumer claim is bound where a free local volume is (the scheduler
// writes the volume's claimRef; the PV controller finishes).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource } from '../../src/api/resources.js';
import type { RunningServer } from '../../src/cmd/server.js';
import { CONTROLLERS, startControllers } from '../../src/controllers/controller-manager.js';
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

  /** A new volume is Pending until the PV controller marks it Available; these tests do that themselves. */
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

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kijabi-volbind-'));
    server = await startInProcessServer(join(dir, 'data'), 'volbind-token', { disableScheduler: false });
    client = RestClient.fromKubeconfig(server.kubeconfigPath);
    const nodes = new HollowNodes({ client, count: 2, cpu: '4', memory: '16Gi', pods: 110, namePrefix: 'vol-', leaseIntervalMs: 10_000 });
    hollowRun = nodes.start(hollow.signal).catch(() => undefined);
    await eventually(async () => (await client.list(NODES)).items.filter((n) => n.metadata.name?.startsWith('vol-')).length === 2);
    await client.create(STORAGE_CLASSES, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'example.com/standard' });
    await client.create(STORAGE_CLASSES, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
  });

  after(async () => {
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

  test('WaitForFirstConsumer: the pod lands where a free volume is, after the scheduler wrote the volume’s claimRef and the claim’s selected node', async () => {
    const ns = await namespace('wait');
    await createAvailable(localVolume('pv-a', NODE_A));
    const data = await client.create(PVCS, claim(ns, 'data', 'local'));
    await client.create(PODS, pod(ns, 'app', 'data'));
    assert.equal(await waitNode(ns, 'app'), NODE_A);

    // PreBind wrote it before the pod's binding, so they are there as soon as the pod is bound.
    const pv = await client.get(PVS, undefined, 'pv-a');
    const ref = (pv.spec as { claimRef?: Record<string, unknown> }).claimRef;
    assert.deepEqual({ ...ref, resourceVersion: undefined }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: 'data', uid: data.metadata.uid, resourceVersion: undefined });
    assert.ok(ref?.resourceVersion, 'claimRef carries the claim’s resourceVersion');
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    const pvc = await client.get(PVCS, ns, 'data');
    assert.equal(pvc.metadata.annotations?.['volume.kubernetes.io/selected-node'], undefined, 'static volumes: no selected-node (only for provisioning)');

    // A second claim finds no free volume until one appears on node B.
    await client.create(PVCS, claim(ns, 'more', 'local'));
    await client.create(PODS, pod(ns, 'more', 'more'));
    await waitUnschedulable(ns, 'more', `0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. ${PREEMPTION_NOT_HELPFUL}.`);
    await createAvailable(localVolume('pv-b', NODE_B));
    assert.equal(await waitNode(ns, 'more'), NODE_B);
    assert.equal(((await client.get(PVS, undefined, 'pv-b')).spec as { claimRef?: { name?: string } }).claimRef?.name, 'more');
  });

  test('the PV controller completes the binding the scheduler started', async (t) => {
    if (!('persistentvolume-binder' in CONTROLLERS)) {
      t.skip('no PersistentVolume binder in the controller manager');
      return;
    }
    const stop = new AbortController();
    const running = startControllers({ client, signal: stop.signal, only: ['persistentvolume-binder'] });
    try {
      await eventually(
        async () => {
          const pvc = await client.get(PVCS, 'wait', 'data');
          return (pvc.spec as { volumeName?: string }).volumeName === 'pv-a' && (pvc.status as { phase?: string }).phase === 'Bound';
        },
        { timeoutMs: 30_000, message: 'claim wait/data bound to pv-a by the PV controller' },
      );
    } finally {
      stop.abort();
      await running;
    }
  });
});
