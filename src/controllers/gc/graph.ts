// The GC's view of the cluster: one informer per group-resource, looked up by uid and by owner uid.
import type { KubeObject } from '../../api/meta.js';
import { apiVersionOf, parseApiVersion, RESOURCES, type ResourceDescriptor } from '../../api/resources.js';
import type { Informer } from '../../client/informer.js';
import { OWNER_UID_INDEX } from '../../client/object-cache.js';
import { distinctGroupResources, servesVerbs } from '../common/group-resources.js';
import type { GraphNode } from './reconcile.js';

export const UID_INDEX = 'uid';

/**
 * The resources the GC watches: every group-resource that can be listed and watched, in its first
 * listed version, except Events, which Kubernetes' garbage collector ignores too: they are the
 * most frequent writes of a busy cluster and nothing owns them.
 */
export function collectableResources(resources: readonly ResourceDescriptor[] = RESOURCES): ResourceDescriptor[] {
  return distinctGroupResources(resources, (desc) => servesVerbs(desc, ['list', 'watch']) && !(desc.resource === 'events' && (desc.group === '' || desc.group === 'events.k8s.io')));
}

/** The descriptor for an owner reference's apiVersion and kind (any served version of the group). */
export function descriptorForKind(apiVersion: string, kind: string, resources: readonly ResourceDescriptor[] = RESOURCES): ResourceDescriptor | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  return resources.find((r) => r.group === group && r.version === version && r.kind === kind) ?? resources.find((r) => r.group === group && r.kind === kind);
}

export function toGraphNode(desc: ResourceDescriptor, obj: KubeObject): GraphNode {
  const m = obj.metadata;
  return {
    identity: { apiVersion: apiVersionOf(desc), kind: desc.kind, namespace: m.namespace, name: m.name ?? '', uid: m.uid ?? '' },
    resourceVersion: m.resourceVersion,
    ownerReferences: m.ownerReferences ?? [],
    finalizers: m.finalizers ?? [],
    deletionTimestamp: m.deletionTimestamp,
  };
}

export class ObjectGraph {
  constructor(private readonly informers: ReadonlyArray<Informer<KubeObject>>) {}

  find(uid: string): { desc: ResourceDescriptor; obj: KubeObject } | undefined {
    for (const informer of this.informers) {
      const [obj] = informer.byIndex(UID_INDEX, uid);
      if (obj) return { desc: informer.descriptor, obj };
    }
    return undefined;
  }

  dependentsOf(uid: string): Array<{ desc: ResourceDescriptor; obj: KubeObject }> {
    const out: Array<{ desc: ResourceDescriptor; obj: KubeObject }> = [];
    for (const informer of this.informers) {
      for (const obj of informer.byIndex(OWNER_UID_INDEX, uid)) out.push({ desc: informer.descriptor, obj });
    }
    return out;
  }

  hasDependents(uid: string): boolean {
    return this.informers.some((informer) => informer.byIndex(OWNER_UID_INDEX, uid).length > 0);
  }
}
