import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { notFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { findKind } from '../../api/resources.js';
import { Informer } from '../../client/informer.js';
import { createLogger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { ObjectGraph, UID_INDEX } from './graph.js';
import { GcSync } from './sync.js';

const quiet = createLogger('test', { level: 'silent' });
const pods = findKind('', 'v1', 'Pod')!;
const replicasets = findKind('apps', 'v1', 'ReplicaSet')!;

/** Records the calls a sync makes; GETs answer from `live`. */
function stubClient(live: Record<string, KubeObject> = {}) {
  const calls: string[] = [];
  const bodies: unknown[] = [];
  const client = {
    get: async (desc: { resource: string }, ns: string | undefined, name: string) => {
      calls.push(`get ${desc.resource} ${ns}/${name}`);
      const obj = live[name];
      if (!obj) throw notFound({ group: '', resource: desc.resource }, name);
      return obj;
    },
    delete: async (desc: { resource: string }, ns: string, name: string, options: unknown) => {
      calls.push(`delete ${desc.resource} ${ns}/${name}`);
      bodies.push(options);
      return {};
    },
    patch: async (desc: { resource: string }, ns: string, name: string, type: string, body: unknown) => {
      calls.push(`patch ${desc.resource} ${ns}/${name} ${type}`);
      bodies.push(body);
      return {};
    },
  };
  return { client: client as unknown as RestClient, calls, bodies };
}

function graphOf(objects: Array<[typeof pods, KubeObject]>): ObjectGraph {
  const byDesc = new Map<string, Informer<KubeObject>>();
  for (const [desc, obj] of objects) {
    let inf = byDesc.get(desc.resource);
    if (!inf) {
      inf = new Informer<KubeObject>({} as RestClient, desc, { log: quiet });
      inf.addIndex(UID_INDEX, (o) => (o.metadata.uid ? [o.metadata.uid] : []));
      byDesc.set(desc.resource, inf);
    }
    inf.apply({ type: 'ADDED', object: obj });
  }
  return new ObjectGraph([...byDesc.values()]);
}

const pod = (ownerUid: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'pod-uid', resourceVersion: '7', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: ownerUid, blockOwnerDeletion: true }], ...extra },
});

describe('GcSync', () => {
  test('owner missing from cache and from the server: delete with a uid precondition', async () => {
    const { client, calls, bodies } = stubClient();
    await new GcSync({ client, graph: graphOf([[pods, pod('rs-uid')]]), log: quiet, enqueue: () => {} }).sync('pod-uid');
    assert.deepEqual(calls, ['get replicasets ns/rs', 'delete pods ns/p']);
    assert.deepEqual(bodies[0], { propagationPolicy: 'Background', preconditions: { uid: 'pod-uid' } });
  });

  test('owner missing from cache but live on the server: keep the dependent', async () => {
    const { client, calls } = stubClient({ rs: { metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid' } } });
    await new GcSync({ client, graph: graphOf([[pods, pod('rs-uid')]]), log: quiet, enqueue: () => {} }).sync('pod-uid');
    assert.deepEqual(calls, ['get replicasets ns/rs']);
  });

  test('a live owner with another uid is a different object: delete', async () => {
    const { client, calls } = stubClient({ rs: { metadata: { name: 'rs', namespace: 'ns', uid: 'new-uid' } } });
    await new GcSync({ client, graph: graphOf([[pods, pod('rs-uid')]]), log: quiet, enqueue: () => {} }).sync('pod-uid');
    assert.deepEqual(calls, ['get replicasets ns/rs', 'delete pods ns/p']);
  });

  test('foreground owner: attends its dependents, which are then deleted', async () => {
    const rs: KubeObject = { metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid', resourceVersion: '3', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] } };
    const graph = graphOf([[replicasets, rs], [pods, pod('rs-uid')]]);
    const { client, calls } = stubClient();
    const queued: string[] = [];
    const sync = new GcSync({ client, graph, log: quiet, enqueue: (uid) => queued.push(uid) });
    await sync.sync('rs-uid');
    assert.deepEqual(queued, ['pod-uid']);
    assert.deepEqual(calls, [], 'the blocking pod keeps the finalizer');
    await sync.sync('pod-uid');
    assert.deepEqual(calls, ['delete pods ns/p']);
  });

  test('orphan owner: the reference is removed with a guarded JSON patch', async () => {
    const rs: KubeObject = { metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid', resourceVersion: '3', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['orphan'] } };
    const { client, calls, bodies } = stubClient();
    await new GcSync({ client, graph: graphOf([[replicasets, rs], [pods, pod('rs-uid')]]), log: quiet, enqueue: () => {} }).sync('rs-uid');
    assert.deepEqual(calls, ['patch pods ns/p application/json-patch+json']);
    assert.deepEqual(bodies[0], [
      { op: 'test', path: '/metadata/uid', value: 'pod-uid' },
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'remove', path: '/metadata/ownerReferences' },
    ]);
  });
});
