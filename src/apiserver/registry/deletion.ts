// DELETE: preconditions, graceful deletion of pods on nodes, finalizers and the propagation
// policies. Foreground and Orphan are carried out by the garbage collector through the
// `foregroundDeletion` and `orphan` finalizers that are set here, as Kubernetes does.

import { badRequest, conflict } from '../../api/errors.js';
import type { DeleteOptions, KubeList, KubeObject } from '../../api/meta.js';
import { rfc3339 } from '../../api/meta.js';
import { encodeObject } from './codec.js';
import type { RequestContext } from './context.js';
import type { ListOptions, ResourceRegistry } from './registry.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface DeleteResult {
  object: KubeObject;
  /** True when the object is gone from the store; false when it is now terminating. */
  deleted: boolean;
}

function propagationOf(options: DeleteOptions): 'Background' | 'Foreground' | 'Orphan' {
  if (options.propagationPolicy) {
    if (!['Background', 'Foreground', 'Orphan'].includes(options.propagationPolicy)) {
      throw badRequest(`propagationPolicy: Unsupported value: "${options.propagationPolicy}": supported values: "Background", "Foreground", "Orphan"`);
    }
    return options.propagationPolicy;
  }
  if (options.orphanDependents === true) return 'Orphan';
  return 'Background';
}

/** Pods bound to a node are stopped by their node agent first; anything else goes at once. */
function gracePeriodFor(registry: ResourceRegistry, obj: KubeObject, options: DeleteOptions): number {
  if (registry.desc.group !== '' || registry.desc.resource !== 'pods') return 0;
  const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, grace);
}

export async function deleteResource(
  registry: ResourceRegistry,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
  ctx: RequestContext,
): Promise<DeleteResult> {
  const propagation = propagationOf(options);
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) {
    throw badRequest('gracePeriodSeconds: Invalid value: must be greater than or equal to 0');
  }
  for (let attempt = 0; attempt < 8; attempt++) {
    const kv = await registry.getStored(namespace, name);
    const current = structuredClone(registry.present(kv));
    const meta = current.metadata;
    if (options.preconditions?.uid && options.preconditions.uid !== meta.uid) {
      throw conflict(registry.ref, name, `Precondition failed: UID in precondition: ${options.preconditions.uid}, UID in object meta: ${meta.uid ?? ''}`);
    }
    if (options.preconditions?.resourceVersion && options.preconditions.resourceVersion !== meta.resourceVersion) {
      throw conflict(registry.ref, name, `Precondition failed: ResourceVersion in precondition: ${options.preconditions.resourceVersion}, ResourceVersion in meta: ${meta.resourceVersion ?? ''}`);
    }
    const finalizers = new Set(meta.finalizers ?? []);
    if (propagation === 'Foreground') {
      finalizers.add(FOREGROUND_FINALIZER);
      finalizers.delete(ORPHAN_FINALIZER);
    } else if (propagation === 'Orphan') {
      finalizers.add(ORPHAN_FINALIZER);
      finalizers.delete(FOREGROUND_FINALIZER);
    }
    // Foreground/Orphan on an object with no dependents still passes through the GC, which removes the finalizer.
    const grace = gracePeriodFor(registry, current, options);
    const alreadyTerminating = Boolean(meta.deletionTimestamp);
    const now = registry.deps.now();
    let next: KubeObject | undefined;
    if (alreadyTerminating) {
      // A second delete may only shorten the grace period (e.g. --force --grace-period=0).
      const currentGrace = meta.deletionGracePeriodSeconds ?? 0;
      if (grace < currentGrace || finalizers.size !== (meta.finalizers?.length ?? 0)) {
        next = structuredClone(current);
        next.metadata.deletionGracePeriodSeconds = Math.min(grace, currentGrace);
        next.metadata.finalizers = [...finalizers];
      } else {
        return { object: current, deleted: false };
      }
    } else if (finalizers.size > 0 || grace > 0 || registry.strategy.holdsDeletion?.(current)) {
      next = structuredClone(current);
      next.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      next.metadata.deletionGracePeriodSeconds = grace;
      if (finalizers.size > 0) next.metadata.finalizers = [...finalizers];
      registry.strategy.prepareForDelete?.(next);
    }
    if (ctx.dryRun) return { object: next ?? current, deleted: next === undefined };
    if (next && !registry.shouldDeleteNow(next)) {
      try {
        const written = await registry.deps.store.update(kv.key, encodeObject(next), kv.modRevision);
        return { object: registry.present(written), deleted: false };
      } catch (err) {
        if ((err as { code?: string }).code === 'Conflict') continue;
        throw err;
      }
    }
    const deleted = await registry.removeFromStore(next ?? current, kv.modRevision);
    if (deleted) return { object: deleted, deleted: true };
  }
  throw conflict(registry.ref, name);
}

export async function deleteCollection(
  registry: ResourceRegistry,
  namespace: string | undefined,
  listOptions: ListOptions,
  options: DeleteOptions,
  ctx: RequestContext,
): Promise<KubeList> {
  const list = await registry.list(namespace, { labelSelector: listOptions.labelSelector, fieldSelector: listOptions.fieldSelector });
  const items: KubeObject[] = [];
  for (const item of list.items) {
    try {
      const result = await deleteResource(registry, item.metadata.namespace, item.metadata.name ?? '', options, ctx);
      items.push(result.object);
    } catch (err) {
      if ((err as { reason?: string }).reason !== 'NotFound') throw err;
    }
  }
  return { ...list, items };
}
