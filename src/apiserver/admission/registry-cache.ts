// A watch-fed copy of one small resource (namespaces, priority classes) for admission checks that
// run on every create: one map lookup instead of a store read and a JSON decode per request.
// Like the informers Kubernetes' admission plugins use, it may lag a write by a moment.

import type { KubeObject } from '../../api/meta.js';
import type { ResourceRegistry } from '../registry/registry.js';
import { watchResource } from '../watch/watch.js';

function cacheKey(obj: KubeObject): string {
  const name = obj.metadata.name ?? '';
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${name}` : name;
}

export class RegistryCache {
  private readonly items = new Map<string, KubeObject>();
  private synced = false;
  private starting?: Promise<void>;

  constructor(private readonly registry: () => ResourceRegistry | undefined, private readonly signal: AbortSignal) {}

  /** Lists once, then follows the watch in the background. Resolves once the list is in. */
  ready(): Promise<void> {
    if (this.synced) return Promise.resolve();
    this.starting ??= this.start();
    return this.starting;
  }

  /** By name, or by namespace and name for a namespaced resource. */
  get(name: string, namespace?: string): KubeObject | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  values(): IterableIterator<KubeObject> {
    return this.items.values();
  }

  private async start(): Promise<void> {
    const registry = this.registry();
    if (!registry) return;
    const list = await registry.list(undefined);
    for (const obj of list.items) this.items.set(cacheKey(obj), obj);
    this.synced = true;
    void this.follow(registry, list.metadata.resourceVersion ?? '0');
  }

  private async follow(registry: ResourceRegistry, resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    while (!this.signal.aborted) {
      try {
        for await (const event of watchResource(registry, undefined, { resourceVersion: rv, signal: this.signal })) {
          if (event.type === 'ERROR') break;
          const obj = event.object as KubeObject;
          rv = obj.metadata.resourceVersion ?? rv;
          if (event.type === 'DELETED') this.items.delete(cacheKey(obj));
          else this.items.set(cacheKey(obj), obj);
        }
      } catch {
        // falls through to a relist
      }
      if (this.signal.aborted) return;
      // The watch ended (slow or compacted): relist so nothing is missed.
      const list = await registry.list(undefined).catch(() => undefined);
      if (!list) continue;
      this.items.clear();
      for (const obj of list.items) this.items.set(cacheKey(obj), obj);
      rv = list.metadata.resourceVersion ?? rv;
    }
  }
}
