// One EndpointSlice sync: read the Service, its namespace's pods and the slices we manage for it,
// ask reconcile, and apply creates, updates and deletes. Our own recent writes are tracked so a
// sync never acts on a cache that has not seen them yet (which would duplicate slices).
import { isApiError } from '../../api/errors.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { KINDS, type Pod, type Service } from '../endpoints/types.js';
import { CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, reconcileSlices, type EndpointSlice } from './reconcile.js';

export interface EndpointSliceSyncOptions {
  client: RestClient;
  services: Lister<Service>;
  pods: Lister<Pod>;
  slices: Lister<EndpointSlice>;
  log: Logger;
  maxEndpointsPerSlice?: number;
}

/** A write the cache must reflect before the next sync of the same Service. */
interface PendingWrite {
  name: string;
  /** resourceVersion written, or undefined for a delete. */
  resourceVersion?: string;
}

const STALE_CACHE_RETRY_MS = 100;
/** After this long, stop waiting for the cache (an event may have been coalesced away). */
const PENDING_EXPIRY_MS = 5_000;

export function managedSlicesOf(slices: Lister<EndpointSlice>, namespace: string, serviceName: string): EndpointSlice[] {
  return slices.list(namespace, (s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === serviceName && s.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME);
}

export class EndpointSliceSync {
  private readonly pending = new Map<string, { writes: PendingWrite[]; at: number }>();

  constructor(private readonly o: EndpointSliceSyncOptions) {}

  private cacheCaughtUp(key: string, namespace: string): boolean {
    const entry = this.pending.get(key);
    if (!entry) return true;
    const fresh = entry.writes.every((w) => {
      const cached = this.o.slices.get(namespace, w.name);
      if (w.resourceVersion === undefined) return !cached;
      return cached !== undefined && Number(cached.metadata.resourceVersion ?? 0) >= Number(w.resourceVersion);
    });
    if (fresh || Date.now() - entry.at > PENDING_EXPIRY_MS) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  async sync(key: string): Promise<{ requeueAfterMs?: number }> {
    const { client, services, pods, slices, log } = this.o;
    const [namespace, name] = key.split('/') as [string, string];
    if (!this.cacheCaughtUp(key, namespace)) return { requeueAfterMs: STALE_CACHE_RETRY_MS };
    const existing = managedSlicesOf(slices, namespace, name);
    const service = services.get(namespace, name);
    const writes: PendingWrite[] = [];
    try {
      if (!service) {
        // Normally the garbage collector removes them through their owner reference; do not wait for it.
        for (const slice of existing) await this.remove(slice, writes);
        return {};
      }
      const plan = reconcileSlices({ service, pods: pods.list(namespace), existing, maxEndpointsPerSlice: this.o.maxEndpointsPerSlice });
      for (const slice of plan.update) {
        const written = await client.update<EndpointSlice>(KINDS.endpointSlice, slice);
        writes.push({ name: written.metadata.name ?? '', resourceVersion: written.metadata.resourceVersion });
      }
      for (const slice of plan.create) {
        const written = await client.create<EndpointSlice>(KINDS.endpointSlice, slice);
        writes.push({ name: written.metadata.name ?? '', resourceVersion: written.metadata.resourceVersion });
      }
      for (const slice of plan.delete) await this.remove(slice, writes);
      if (plan.create.length || plan.update.length || plan.delete.length) {
        log.debug('endpoint slices synced', { object: key, created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length });
      }
      return {};
    } finally {
      if (writes.length) this.pending.set(key, { writes, at: Date.now() });
    }
  }

  private async remove(slice: EndpointSlice, writes: PendingWrite[]): Promise<void> {
    const name = slice.metadata.name ?? '';
    await this.o.client.delete(KINDS.endpointSlice, slice.metadata.namespace, name, { preconditions: { uid: slice.metadata.uid } }).catch((err: unknown) => {
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    });
    writes.push({ name });
  }
}
