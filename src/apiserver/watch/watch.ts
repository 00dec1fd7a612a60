// Watch of one resource: store events become API watch events, filtered by the selectors. An
// object that starts or stops matching a selector is reported as ADDED or DELETED, as Kubernetes'
// watch cache does, so filtered watchers see a consistent set.

import { ApiError } from '../../api/errors.js';
import type { KubeObject, WatchEvent } from '../../api/meta.js';
import { isStoreError, type StoreEvent } from '../../store/store.js';
import { parseResourceVersion, type ResourceRegistry } from '../registry/registry.js';

export interface WatchRequest {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  signal: AbortSignal;
  /**
   * Filled in once the initial events are out: the resourceVersion a bookmark may carry now (every
   * event up to it was yielded), or undefined while events are still pending.
   */
  progress?: { current?: () => number | undefined };
}

function expiredEvent(message: string): WatchEvent<unknown> {
  return { type: 'ERROR', object: new ApiError('Expired', 410, message).toStatus() };
}

export async function* watchResource(registry: ResourceRegistry, namespace: string | undefined, request: WatchRequest): AsyncGenerator<WatchEvent<unknown>> {
  const selection = registry.selection(request);
  let afterRevision: number;
  const initial: KubeObject[] = [];
  if (!request.resourceVersion || request.resourceVersion === '0') {
    const list = await registry.list(namespace, { labelSelector: request.labelSelector, fieldSelector: request.fieldSelector });
    initial.push(...list.items);
    afterRevision = Number(list.metadata.resourceVersion);
  } else {
    afterRevision = parseResourceVersion(request.resourceVersion);
    // A revision from the future (another server of an HA pair may be ahead) is waited for
    // briefly, then refused with Kubernetes' 504 "Too large resource version".
    await registry.waitForRevision(afterRevision);
  }
  const storeWatch = registry.deps.store.watch(registry.prefix(namespace), { afterRevision, signal: request.signal });
  try {
    for (const obj of initial) yield { type: 'ADDED', object: obj };
    if (request.progress && storeWatch.progress) request.progress.current = () => storeWatch.progress?.();
    for await (const event of storeWatch) {
      const translated = translate(registry, event, selection.matches, selection.empty);
      if (translated) yield translated;
    }
  } catch (err) {
    if (isStoreError(err, 'Compacted')) {
      yield expiredEvent(`too old resource version: ${afterRevision} (${err.compactRevision ?? 0})`);
      return;
    }
    if (isStoreError(err, 'WatcherTooSlow')) return; // the client re-watches or relists
    throw err;
  } finally {
    storeWatch.close();
  }
}

function translate(registry: ResourceRegistry, event: StoreEvent, matches: (obj: KubeObject) => boolean, unfiltered: boolean): WatchEvent<unknown> | undefined {
  if (event.type === 'delete') {
    const last = registry.present({ ...event.kv, modRevision: event.revision });
    if (unfiltered || matches(last)) return { type: 'DELETED', object: last };
    return undefined;
  }
  const current = registry.present(event.kv);
  if (event.type === 'create') {
    return unfiltered || matches(current) ? { type: 'ADDED', object: current } : undefined;
  }
  if (unfiltered) return { type: 'MODIFIED', object: current };
  const nowMatches = matches(current);
  const before = event.prev ? matches(registry.present(event.prev)) : false;
  if (nowMatches && before) return { type: 'MODIFIED', object: current };
  if (nowMatches) return { type: 'ADDED', object: current };
  if (before) return { type: 'DELETED', object: current };
  return undefined;
}
