// Pure decisions of the garbage collector. Two questions, both answered from cached state:
// - for an object with owners: are all its owners gone (delete it), or are some references stale
//   (drop them)?
// - for an owner being deleted with the `orphan` or `foregroundDeletion` finalizer: what must
//   happen to its dependents, and may the finalizer go?
import type { OwnerReference } from '../../api/meta.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

/** What the GC needs to know about one object. */
export interface GraphNode {
  identity: ObjectIdentity;
  resourceVersion?: string;
  ownerReferences: readonly OwnerReference[];
  finalizers: readonly string[];
  deletionTimestamp?: string;
}

/**
 * present: the owner exists and is not waiting for its dependents;
 * absent: no object with that uid exists;
 * waitingForDependents: the owner is being deleted in the foreground.
 */
export type OwnerState = 'present' | 'absent' | 'waitingForDependents';

export interface ResolvedOwner {
  ref: OwnerReference;
  state: OwnerState;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export type GcAction =
  | { type: 'delete'; target: ObjectIdentity; propagationPolicy: PropagationPolicy }
  | { type: 'setOwnerReferences'; target: ObjectIdentity; resourceVersion?: string; ownerReferences: OwnerReference[] }
  | { type: 'removeFinalizer'; target: ObjectIdentity; resourceVersion?: string; finalizer: string; finalizers: string[] };

export function isBeingDeleted(node: GraphNode): boolean {
  return node.deletionTimestamp !== undefined && node.deletionTimestamp !== '';
}

export function isDeletingDependents(node: GraphNode): boolean {
  return isBeingDeleted(node) && node.finalizers.includes(FOREGROUND_FINALIZER);
}

export function isOrphaning(node: GraphNode): boolean {
  return isBeingDeleted(node) && node.finalizers.includes(ORPHAN_FINALIZER);
}

/** The policy an object's own deletion should use, read from the finalizers it already carries. */
export function ownPropagationPolicy(node: GraphNode): PropagationPolicy {
  if (node.finalizers.includes(ORPHAN_FINALIZER)) return 'Orphan';
  if (node.finalizers.includes(FOREGROUND_FINALIZER)) return 'Foreground';
  return 'Background';
}

/**
 * Decides about an object that has owner references. `hasDependents` tells whether anything
 * points at this object in turn (then a foreground owner wants it deleted in the foreground too).
 */
export function decideForDependent(item: GraphNode, owners: readonly ResolvedOwner[], hasDependents: boolean): GcAction[] {
  if (isBeingDeleted(item) || owners.length === 0) return [];
  const solid = owners.filter((o) => o.state === 'present');
  const dangling = owners.filter((o) => o.state === 'absent');
  const waiting = owners.filter((o) => o.state === 'waitingForDependents');

  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return [];
    // Keep the object: drop references to owners that are gone, and stop blocking owners that
    // wait for their dependents (this object stays, so they would wait forever).
    const goneUids = new Set(dangling.map((o) => o.ref.uid));
    const waitingUids = new Set(waiting.map((o) => o.ref.uid));
    const refs = item.ownerReferences
      .filter((ref) => !goneUids.has(ref.uid))
      .map((ref) => (waitingUids.has(ref.uid) && ref.blockOwnerDeletion ? { ...ref, blockOwnerDeletion: false } : { ...ref }));
    const changed = refs.length !== item.ownerReferences.length || refs.some((r, i) => r.blockOwnerDeletion !== item.ownerReferences[i]?.blockOwnerDeletion);
    return changed ? [{ type: 'setOwnerReferences', target: item.identity, resourceVersion: item.resourceVersion, ownerReferences: refs }] : [];
  }

  // Every owner is gone or going.
  const policy: PropagationPolicy = waiting.length > 0 && hasDependents ? 'Foreground' : ownPropagationPolicy(item);
  return [{ type: 'delete', target: item.identity, propagationPolicy: policy }];
}

export interface OwnerDecision {
  actions: GcAction[];
  /** Dependents whose own decision must run (their owner now waits for them). */
  attend: ObjectIdentity[];
}

function refersTo(dep: GraphNode, ownerUid: string): OwnerReference | undefined {
  return dep.ownerReferences.find((ref) => ref.uid === ownerUid);
}

function withoutFinalizer(owner: GraphNode, finalizer: string): GcAction {
  return {
    type: 'removeFinalizer',
    target: owner.identity,
    resourceVersion: owner.resourceVersion,
    finalizer,
    finalizers: owner.finalizers.filter((f) => f !== finalizer),
  };
}

/** Decides about an owner that is being deleted with the orphan or foreground finalizer. */
export function decideForOwner(owner: GraphNode, dependents: readonly GraphNode[]): OwnerDecision {
  const uid = owner.identity.uid;
  const mine = dependents.filter((dep) => refersTo(dep, uid));
  if (isOrphaning(owner)) {
    // Orphan: detach every dependent first; the finalizer goes once none refers to the owner.
    const actions: GcAction[] = mine.map((dep) => ({
      type: 'setOwnerReferences',
      target: dep.identity,
      resourceVersion: dep.resourceVersion,
      ownerReferences: dep.ownerReferences.filter((ref) => ref.uid !== uid).map((ref) => ({ ...ref })),
    }));
    if (mine.length === 0) actions.push(withoutFinalizer(owner, ORPHAN_FINALIZER));
    return { actions, attend: [] };
  }
  if (isDeletingDependents(owner)) {
    const blocking = mine.filter((dep) => refersTo(dep, uid)?.blockOwnerDeletion === true);
    const actions: GcAction[] = blocking.length === 0 ? [withoutFinalizer(owner, FOREGROUND_FINALIZER)] : [];
    const attend = mine.filter((dep) => !isBeingDeleted(dep)).map((dep) => dep.identity);
    return { actions, attend };
  }
  return { actions: [], attend: [] };
}
