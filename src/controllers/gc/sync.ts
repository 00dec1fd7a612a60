// One GC sync for one object uid: resolve its owners (cache first, then a live read, since an
// owner may be newer than the cache), ask reconcile what to do, and do it through the API.
import { isApiError } from '../../api/errors.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Logger } from '../../client/log.js';
import { PatchTypes, type RestClient } from '../../client/rest-client.js';
import { descriptorForKind, toGraphNode, type ObjectGraph } from './graph.js';
import { decideForDependent, decideForOwner, isDeletingDependents, type GcAction, type ObjectIdentity, type OwnerState, type ResolvedOwner } from './reconcile.js';

export interface GcSyncOptions {
  client: RestClient;
  graph: ObjectGraph;
  log: Logger;
  /** Queues another uid for a sync. */
  enqueue: (uid: string) => void;
}

export class GcSync {
  constructor(private readonly options: GcSyncOptions) {}

  async sync(uid: string): Promise<void> {
    const { graph, enqueue } = this.options;
    const found = graph.find(uid);
    if (!found) return;
    const item = toGraphNode(found.desc, found.obj);

    const ownerDecision = decideForOwner(item, graph.dependentsOf(uid).map((d) => toGraphNode(d.desc, d.obj)));
    for (const dep of ownerDecision.attend) enqueue(dep.uid);
    await this.apply(ownerDecision.actions);

    if (item.ownerReferences.length === 0) return;
    const owners: ResolvedOwner[] = [];
    for (const ref of item.ownerReferences) owners.push({ ref, state: await this.ownerState(ref, item.identity.namespace) });
    await this.apply(decideForDependent(item, owners, graph.hasDependents(uid)));
  }

  private async ownerState(ref: OwnerReference, dependentNamespace: string | undefined): Promise<OwnerState> {
    const cached = this.options.graph.find(ref.uid);
    if (cached) return isDeletingDependents(toGraphNode(cached.desc, cached.obj)) ? 'waitingForDependents' : 'present';
    const desc = descriptorForKind(ref.apiVersion, ref.kind);
    // A kind we do not serve cannot be checked; never delete on a guess.
    if (!desc) return 'present';
    try {
      const live = await this.options.client.get<KubeObject>(desc, desc.namespaced ? dependentNamespace : undefined, ref.name);
      if (live.metadata.uid !== ref.uid) return 'absent';
      return isDeletingDependents(toGraphNode(desc, live)) ? 'waitingForDependents' : 'present';
    } catch (err) {
      if (isApiError(err, 'NotFound')) return 'absent';
      throw err;
    }
  }

  private async apply(actions: GcAction[]): Promise<void> {
    for (const action of actions) {
      try {
        await this.applyOne(action);
      } catch (err) {
        // Already gone or changed underneath us: the informer will deliver the new state.
        if (isApiError(err, 'NotFound')) continue;
        if (isApiError(err, 'Conflict') && action.type === 'delete') continue;
        throw err;
      }
    }
  }

  private async applyOne(action: GcAction): Promise<void> {
    const { client, log } = this.options;
    const target = action.target;
    const desc = descriptorForKind(target.apiVersion, target.kind);
    if (!desc) throw new Error(`no resource for ${target.apiVersion} ${target.kind}`);
    const object = describe(target);
    switch (action.type) {
      case 'delete':
        log.info('deleting object whose owners are gone', { object, kind: target.kind, propagationPolicy: action.propagationPolicy });
        await client.delete(desc, target.namespace, target.name, { propagationPolicy: action.propagationPolicy, preconditions: { uid: target.uid } });
        return;
      case 'setOwnerReferences':
        log.info('updating owner references', { object, kind: target.kind, ownerReferences: action.ownerReferences.map((r) => r.uid) });
        await client.patch(desc, target.namespace, target.name, PatchTypes.json, guardedReplace(target, action.resourceVersion, '/metadata/ownerReferences', action.ownerReferences));
        return;
      case 'removeFinalizer':
        log.info('removing finalizer', { object, kind: target.kind, finalizer: action.finalizer });
        await client.patch(desc, target.namespace, target.name, PatchTypes.json, guardedReplace(target, action.resourceVersion, '/metadata/finalizers', action.finalizers));
        return;
    }
  }
}

function describe(id: ObjectIdentity): string {
  return id.namespace ? `${id.namespace}/${id.name}` : id.name;
}

/**
 * A JSON patch that replaces one list only if the object is still the one (uid) and version we
 * decided on, so a concurrent change makes it fail (and the sync retry) instead of being lost.
 */
function guardedReplace(target: ObjectIdentity, resourceVersion: string | undefined, path: string, value: unknown[]): unknown[] {
  const ops: unknown[] = [{ op: 'test', path: '/metadata/uid', value: target.uid }];
  if (resourceVersion) ops.push({ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion });
  ops.push(value.length > 0 ? { op: 'replace', path, value } : { op: 'remove', path });
  return ops;
}
