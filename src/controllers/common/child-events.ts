// Turns pod (or other child) informer events into owner keys for a controller's queue, lowering
// the owner's expectations as creations and deletions are observed. Deletions are tracked by uid
// so that the graceful path (update with deletionTimestamp, then delete) counts once.
import { controllerOf, type KubeObject, type LabelSelector } from '../../api/meta.js';
import type { ControllerExpectations } from '../../client/expectations.js';
import type { InformerHandlers } from '../../client/informer.js';
import { matchesLabelSelector } from '../../client/label-selector.js';
import type { Lister } from '../../client/lister.js';
import { selectsNothing } from './pods.js';

export interface ChildEventOptions<O extends KubeObject> {
  ownerKind: string;
  owners: Lister<O>;
  selectorOf: (owner: O) => LabelSelector | undefined;
  enqueue: (ownerKey: string) => void;
  expectations?: ControllerExpectations;
}

function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function childEventHandlers<C extends KubeObject, O extends KubeObject>(o: ChildEventOptions<O>): InformerHandlers<C> {
  const deletionSeen = new Set<string>();
  const resolveOwner = (child: C): string | undefined => {
    const ref = controllerOf(child);
    if (!ref || ref.kind !== o.ownerKind) return undefined;
    const owner = o.owners.get(child.metadata.namespace, ref.name);
    if (!owner || owner.metadata.uid !== ref.uid) return undefined;
    return keyOf(child.metadata.namespace, ref.name);
  };
  const enqueueMatching = (child: C): void => {
    for (const owner of o.owners.list(child.metadata.namespace)) {
      const selector = o.selectorOf(owner);
      if (!selectsNothing(selector) && matchesLabelSelector(selector, child.metadata.labels)) o.enqueue(keyOf(owner.metadata.namespace, owner.metadata.name ?? ''));
    }
  };
  const observeDeletion = (child: C, ownerKey: string | undefined): void => {
    const uid = child.metadata.uid ?? '';
    if (deletionSeen.has(uid)) return;
    deletionSeen.add(uid);
    if (ownerKey) o.expectations?.deletionObserved(ownerKey);
  };
  return {
    onAdd: (child) => {
      const ownerKey = resolveOwner(child);
      if (child.metadata.deletionTimestamp) observeDeletion(child, ownerKey);
      else if (ownerKey) o.expectations?.creationObserved(ownerKey);
      if (ownerKey) o.enqueue(ownerKey);
      else if (!controllerOf(child)) enqueueMatching(child);
    },
    onUpdate: (oldChild, child) => {
      if (oldChild.metadata.resourceVersion === child.metadata.resourceVersion) return;
      const ownerKey = resolveOwner(child);
      if (child.metadata.deletionTimestamp && !oldChild.metadata.deletionTimestamp) observeDeletion(child, ownerKey);
      const oldOwner = resolveOwner(oldChild);
      if (oldOwner && oldOwner !== ownerKey) o.enqueue(oldOwner);
      if (ownerKey) o.enqueue(ownerKey);
      else if (!controllerOf(child)) enqueueMatching(child);
      if (!ownerKey && JSON.stringify(oldChild.metadata.labels) !== JSON.stringify(child.metadata.labels)) enqueueMatching(oldChild);
    },
    onDelete: (child) => {
      const ownerKey = resolveOwner(child);
      const uid = child.metadata.uid ?? '';
      if (deletionSeen.has(uid)) deletionSeen.delete(uid);
      else if (ownerKey) o.expectations?.deletionObserved(ownerKey);
      if (ownerKey) o.enqueue(ownerKey);
    },
  };
}
