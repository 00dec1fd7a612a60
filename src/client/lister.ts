// Read access to an informer's cache. Objects are the cached ones, deep-frozen: clone before mutating.
import type { KubeObject, LabelSelector } from '../api/meta.js';
import { labelSelectorPredicate } from './label-selector.js';
import { NAMESPACE_INDEX, type ObjectCache } from './object-cache.js';

export type ObjectFilter<T> = LabelSelector | ((obj: T) => boolean);

export class Lister<T extends KubeObject = KubeObject> {
  constructor(private readonly cache: ObjectCache<T>) {}

  /** `namespace` is ignored ('' or undefined) for cluster-scoped kinds. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Every object, or those of one namespace, optionally filtered by a label selector or predicate. */
  list(namespace?: string, selector?: ObjectFilter<T>): T[] {
    const objects = namespace ? this.cache.byIndex(NAMESPACE_INDEX, namespace) : this.cache.list();
    if (!selector) return objects;
    if (typeof selector === 'function') return objects.filter(selector);
    const selected = labelSelectorPredicate(selector);
    return objects.filter((obj) => selected(obj.metadata.labels));
  }

  byIndex(index: string, value: string): T[] {
    return this.cache.byIndex(index, value);
  }
}
