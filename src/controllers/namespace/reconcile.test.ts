import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideNamespace, mergeConditions, withoutNamespaceFinalizer, type NamespaceObject, type ResourceContent } from './reconcile.js';
import { namespacedResources } from './sync.js';

const NOW = '2024-05-01T00:00:00Z';

function ns(extra: { deleting?: boolean; finalizers?: string[] } = {}): NamespaceObject {
  return {
    metadata: { name: 'team', ...(extra.deleting === false ? {} : { deletionTimestamp: '2024-04-30T00:00:00Z' }) },
    spec: { finalizers: extra.finalizers ?? ['kubernetes'] },
    status: { phase: 'Terminating' },
  };
}

function status(conditions: { type: string; status: string }[], type: string): string | undefined {
  return conditions.find((c) => c.type === type)?.status;
}

describe('decideNamespace', () => {
  const empty: ResourceContent = { resource: 'pods.', remaining: 0, finalizers: {} };
  const cases: Array<{ name: string; ns: NamespaceObject; content: ResourceContent[]; skip: boolean; finalize: boolean; remaining?: string; finalizersRemaining?: string; failure?: string }> = [
    { name: 'not terminating', ns: ns({ deleting: false }), content: [], skip: true, finalize: false },
    { name: 'our finalizer already gone', ns: ns({ finalizers: [] }), content: [], skip: true, finalize: false },
    { name: 'empty: finalize', ns: ns(), content: [empty], skip: false, finalize: true, remaining: 'False', finalizersRemaining: 'False', failure: 'False' },
    { name: 'content remains', ns: ns(), content: [{ resource: 'pods.', remaining: 2, finalizers: {} }], skip: false, finalize: false, remaining: 'True', finalizersRemaining: 'False' },
    { name: 'content with finalizers', ns: ns(), content: [{ resource: 'configmaps.', remaining: 1, finalizers: { 'x/y': 1 } }], skip: false, finalize: false, finalizersRemaining: 'True' },
    { name: 'deletion failed', ns: ns(), content: [{ resource: 'jobs.batch', remaining: 1, finalizers: {}, error: 'jobs.batch: boom' }], skip: false, finalize: false, failure: 'True' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = decideNamespace(c.ns, c.content, NOW);
      assert.equal(d.skip, c.skip);
      assert.equal(d.finalize, c.finalize);
      if (c.remaining) assert.equal(status(d.conditions, 'NamespaceContentRemaining'), c.remaining);
      if (c.finalizersRemaining) assert.equal(status(d.conditions, 'NamespaceFinalizersRemaining'), c.finalizersRemaining);
      if (c.failure) assert.equal(status(d.conditions, 'NamespaceDeletionContentFailure'), c.failure);
    });
  }

  test('message names remaining resources as Kubernetes does', () => {
    const d = decideNamespace(ns(), [{ resource: 'pods.', remaining: 2, finalizers: {} }], NOW);
    assert.equal(d.conditions.find((c) => c.type === 'NamespaceContentRemaining')?.message, 'Some resources are remaining: pods. has 2 resource instances');
  });
});

describe('mergeConditions', () => {
  test('keeps the transition time of an unchanged status, stamps a changed one', () => {
    const old = [
      { type: 'A', status: 'True' as const, lastTransitionTime: 'then' },
      { type: 'B', status: 'True' as const, lastTransitionTime: 'then' },
    ];
    const merged = mergeConditions(old, [{ type: 'A', status: 'True' }, { type: 'B', status: 'False' }], NOW);
    assert.deepEqual(merged.map((c) => [c.type, c.lastTransitionTime]), [['A', 'then'], ['B', NOW]]);
  });
});

test('withoutNamespaceFinalizer keeps other finalizers', () => {
  assert.deepEqual(withoutNamespaceFinalizer(ns({ finalizers: ['kubernetes', 'other'] })), ['other']);
});

test('namespacedResources: one version per group-resource, no cluster-scoped, no duplicate events', () => {
  const list = namespacedResources();
  const names = list.map((d) => `${d.resource}.${d.group}`);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.includes('pods.') && names.includes('deployments.apps'));
  assert.ok(!names.includes('namespaces.') && !names.includes('nodes.'));
  assert.equal(list.find((d) => d.resource === 'horizontalpodautoscalers')?.version, 'v2');
  assert.ok(!names.includes('events.events.k8s.io'));
});
