import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from '../../api/meta.js';
import { decideForDependent, decideForOwner, type GcAction, type GraphNode, type OwnerState } from './reconcile.js';

function ref(uid: string, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, ...extra };
}

function node(uid: string, extra: Partial<GraphNode> = {}): GraphNode {
  return { identity: { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: `pod-${uid}`, uid }, resourceVersion: '10', ownerReferences: [], finalizers: [], ...extra };
}

/** A compact rendering of actions for table comparisons. */
function show(actions: GcAction[]): string[] {
  return actions.map((a) => {
    if (a.type === 'delete') return `delete ${a.target.uid} ${a.propagationPolicy}`;
    if (a.type === 'setOwnerReferences') return `refs ${a.target.uid} [${a.ownerReferences.map((r) => `${r.uid}${r.blockOwnerDeletion ? '!' : ''}`).join(',')}]`;
    return `unfinalize ${a.target.uid} ${a.finalizer} -> [${a.finalizers.join(',')}]`;
  });
}

describe('decideForDependent', () => {
  const cases: Array<{ name: string; item: GraphNode; owners: Array<[OwnerReference, OwnerState]>; hasDependents?: boolean; want: string[] }> = [
    { name: 'no owners: nothing', item: node('p'), owners: [], want: [] },
    { name: 'owner present: nothing', item: node('p', { ownerReferences: [ref('a')] }), owners: [[ref('a'), 'present']], want: [] },
    { name: 'only owner gone: background delete', item: node('p', { ownerReferences: [ref('a')] }), owners: [[ref('a'), 'absent']], want: ['delete p Background'] },
    { name: 'all owners gone', item: node('p', { ownerReferences: [ref('a'), ref('b')] }), owners: [[ref('a'), 'absent'], [ref('b'), 'absent']], want: ['delete p Background'] },
    { name: 'one of two owners gone: drop the dangling reference', item: node('p', { ownerReferences: [ref('a'), ref('b')] }), owners: [[ref('a'), 'absent'], [ref('b'), 'present']], want: ['refs p [b]'] },
    { name: 'already being deleted: nothing', item: node('p', { ownerReferences: [ref('a')], deletionTimestamp: '2024-01-01T00:00:00Z' }), owners: [[ref('a'), 'absent']], want: [] },
    { name: 'owner waits, item has no dependents: background delete', item: node('p', { ownerReferences: [ref('a', { blockOwnerDeletion: true })] }), owners: [[ref('a'), 'waitingForDependents']], want: ['delete p Background'] },
    { name: 'owner waits, item has dependents: foreground delete', item: node('p', { ownerReferences: [ref('a', { blockOwnerDeletion: true })] }), owners: [[ref('a'), 'waitingForDependents']], hasDependents: true, want: ['delete p Foreground'] },
    { name: 'orphan finalizer on the item itself is kept as its policy', item: node('p', { ownerReferences: [ref('a')], finalizers: ['orphan'] }), owners: [[ref('a'), 'absent']], want: ['delete p Orphan'] },
    { name: 'one solid owner and one waiting owner: unblock the waiting one', item: node('p', { ownerReferences: [ref('a', { blockOwnerDeletion: true }), ref('b')] }), owners: [[ref('a', { blockOwnerDeletion: true }), 'waitingForDependents'], [ref('b'), 'present']], want: ['refs p [a,b]'] },
    { name: 'solid owner and non-blocking waiting owner: nothing to change', item: node('p', { ownerReferences: [ref('a'), ref('b')] }), owners: [[ref('a'), 'waitingForDependents'], [ref('b'), 'present']], want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const owners = c.owners.map(([r, state]) => ({ ref: r, state }));
      assert.deepEqual(show(decideForDependent(c.item, owners, c.hasDependents ?? false)), c.want);
    });
  }
});

describe('decideForOwner', () => {
  const deleting = '2024-01-01T00:00:00Z';
  const owner = (finalizers: string[], deletionTimestamp: string | undefined = deleting, live = false): GraphNode => ({
    identity: { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'ns', name: 'rs-o', uid: 'o' },
    resourceVersion: '5',
    ownerReferences: [],
    finalizers,
    deletionTimestamp: live ? undefined : deletionTimestamp,
  });
  const cases: Array<{ name: string; owner: GraphNode; dependents: GraphNode[]; want: string[]; attend: string[] }> = [
    { name: 'not being deleted: nothing', owner: owner(['foregroundDeletion'], undefined, true), dependents: [node('p', { ownerReferences: [ref('o')] })], want: [], attend: [] },
    { name: 'orphan: detach each dependent, keep the finalizer', owner: owner(['orphan']), dependents: [node('p', { ownerReferences: [ref('o'), ref('x')] }), node('q', { ownerReferences: [ref('o')] })], want: ['refs p [x]', 'refs q []'], attend: [] },
    { name: 'orphan: no dependents left: remove the finalizer', owner: owner(['orphan', 'custom']), dependents: [node('z', { ownerReferences: [ref('x')] })], want: ['unfinalize o orphan -> [custom]'], attend: [] },
    { name: 'foreground: blocking dependents remain: delete them, keep finalizer', owner: owner(['foregroundDeletion']), dependents: [node('p', { ownerReferences: [ref('o', { blockOwnerDeletion: true })] }), node('q', { ownerReferences: [ref('o')] })], want: [], attend: ['p', 'q'] },
    { name: 'foreground: blocking dependent already deleting: wait', owner: owner(['foregroundDeletion']), dependents: [node('p', { ownerReferences: [ref('o', { blockOwnerDeletion: true })], deletionTimestamp: deleting })], want: [], attend: [] },
    { name: 'foreground: only non-blocking dependents: remove finalizer and delete them', owner: owner(['foregroundDeletion']), dependents: [node('q', { ownerReferences: [ref('o')] })], want: ['unfinalize o foregroundDeletion -> []'], attend: ['q'] },
    { name: 'foreground: no dependents: remove finalizer', owner: owner(['foregroundDeletion']), dependents: [], want: ['unfinalize o foregroundDeletion -> []'], attend: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const decision = decideForOwner(c.owner, c.dependents);
      assert.deepEqual(show(decision.actions), c.want);
      assert.deepEqual(decision.attend.map((i) => i.uid), c.attend);
    });
  }
});
