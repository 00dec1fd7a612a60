// One sync of a terminating namespace: delete the content of every namespaced resource, count
// what remains, write status conditions and, once empty, remove the `kubernetes` finalizer.
import { isApiError } from '../../api/errors.js';
import { cloneObject, rfc3339, type KubeObject } from '../../api/meta.js';
import { RESOURCES, type ResourceDescriptor } from '../../api/resources.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { distinctGroupResources, servesVerbs } from '../common/group-resources.js';
import { conditionsChanged, decideNamespace, withoutNamespaceFinalizer, type NamespaceObject, type ResourceContent } from './reconcile.js';

/** Every namespaced resource that can be listed, in its first listed version. */
export function namespacedResources(resources: readonly ResourceDescriptor[] = RESOURCES): ResourceDescriptor[] {
  return distinctGroupResources(resources, (desc) => desc.namespaced && servesVerbs(desc, ['list']));
}

export interface NamespaceSyncOptions {
  client: RestClient;
  lister: Lister<NamespaceObject>;
  log: Logger;
  namespacesDescriptor: ResourceDescriptor;
  now?: () => Date;
}

export interface NamespaceSyncResult {
  /** Content is still going away: look again after this delay. */
  requeueAfterMs?: number;
}

export class NamespaceSync {
  private readonly resources = namespacedResources();

  constructor(private readonly options: NamespaceSyncOptions) {}

  async sync(name: string): Promise<NamespaceSyncResult> {
    const { client, lister, log, namespacesDescriptor } = this.options;
    const cached = lister.get(undefined, name);
    if (!cached?.metadata.deletionTimestamp) return {};
    const now = rfc3339(this.options.now?.() ?? new Date());
    if (decideNamespace(cached, [], now).skip) return {};

    const content = await Promise.all(this.resources.map((desc) => this.deleteContent(desc, name)));
    const decision = decideNamespace(cached, content, now);
    if (decision.skip) return {};

    let latest: NamespaceObject = cached;
    if (conditionsChanged(cached.status?.conditions ?? [], decision.conditions)) {
      const updated = cloneObject(cached) as NamespaceObject;
      updated.status = { ...(updated.status ?? {}), phase: 'Terminating', conditions: decision.conditions };
      try {
        latest = await client.updateStatus<NamespaceObject>(namespacesDescriptor, updated);
      } catch (err) {
        if (isApiError(err, 'NotFound')) return {};
        // A stale status write is not worth failing the sync for: the next pass rewrites it.
        if (!isApiError(err, 'Conflict')) throw err;
      }
    }
    if (!decision.finalize) {
      log.debug('namespace content remains', { object: name, remaining: content.filter((c) => c.remaining > 0).map((c) => c.resource) });
      return { requeueAfterMs: 1000 };
    }
    const finalized = cloneObject(latest) as NamespaceObject;
    finalized.spec = { ...(finalized.spec ?? {}), finalizers: withoutNamespaceFinalizer(latest) };
    try {
      await client.finalizeNamespace(finalized);
      log.info('namespace content removed; finalized', { object: name });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
    return {};
  }

  private async deleteContent(desc: ResourceDescriptor, namespace: string): Promise<ResourceContent> {
    const { client } = this.options;
    const report: ResourceContent = { resource: `${desc.resource}.${desc.group}`, remaining: 0, finalizers: {} };
    const verbs = desc.verbs ?? ['deletecollection', 'list', 'delete'];
    try {
      if (verbs.includes('deletecollection')) {
        await client.deleteCollection(desc, { namespace }, { propagationPolicy: 'Background' });
      } else if (verbs.includes('delete')) {
        const { items } = await client.listAll<KubeObject>(desc, { namespace });
        for (const obj of items) {
          if (obj.metadata.deletionTimestamp || !obj.metadata.name) continue;
          await client.delete(desc, namespace, obj.metadata.name, { propagationPolicy: 'Background' }).catch((err: unknown) => {
            if (!isApiError(err, 'NotFound')) throw err;
          });
        }
      }
      const { items } = await client.listAll<KubeObject>(desc, { namespace });
      report.remaining = items.length;
      for (const obj of items) for (const f of obj.metadata.finalizers ?? []) report.finalizers[f] = (report.finalizers[f] ?? 0) + 1;
    } catch (err) {
      // The server does not serve this resource: nothing of it can exist.
      if (isApiError(err, 'NotFound') || isApiError(err, 'MethodNotAllowed')) return report;
      report.error = `${report.resource}: ${err instanceof Error ? err.message : String(err)}`;
      report.remaining = Math.max(report.remaining, 1);
    }
    return report;
  }
}
