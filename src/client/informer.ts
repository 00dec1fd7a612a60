// One generic informer for every kind: list (paged), then watch from the list's resourceVersion;
// re-watch from the last seen resourceVersion when a watch ends; relist on 410 and hand the
// difference to the handlers. Objects handed out (to handlers and through the Lister) are the
// cached ones and are deep-frozen: callers must clone (cloneObject) before mutating.
import { isApiError } from '../api/errors.js';
import { objectKey, type KubeObject, type WatchEvent } from '../api/meta.js';
import type { ResourceDescriptor } from '../api/resources.js';
import { Lister } from './lister.js';
import { createLogger, type Logger } from './log.js';
import { ObjectCache, type IndexFunc, type ReplaceDiff } from './object-cache.js';
import { freezeShared } from '../api/shared-objects.js';
import type { RestClient } from './rest-client.js';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
  log?: Logger;
  /** Server-side watch timeout; default a random 300–600 s, as client-go does, to spread reconnects. */
  watchTimeoutSeconds?: () => number;
  /**
   * Keep metadata.managedFields on cached objects. Off by default: no controller reads them and
   * they are often the larger part of an object (kube-controller-manager drops them too).
   */
  keepManagedFields?: boolean;
  /**
   * Trims each listed or watched object before it is cached and handed to handlers (client-go's
   * SetTransform): a component that reads a few fields keeps only those, so its cache and its
   * collector hold less. Must keep metadata.name, namespace and resourceVersion.
   */
  transform?: (obj: KubeObject) => KubeObject;
  /** Backoff after failed list/watch requests. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export type AddHandler<T> = (obj: T) => void;
export type UpdateHandler<T> = (oldObj: T, newObj: T) => void;
export type DeleteHandler<T> = (obj: T) => void;

export interface InformerHandlers<T> {
  onAdd?: AddHandler<T>;
  onUpdate?: UpdateHandler<T>;
  onDelete?: DeleteHandler<T>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function dropManagedFields(obj: KubeObject): void {
  // Assigning undefined (not `delete`) keeps the metadata object's shape fast; JSON omits the key.
  if (obj.metadata?.managedFields !== undefined) obj.metadata.managedFields = undefined;
}

export class Informer<T extends KubeObject = KubeObject> {
  readonly descriptor: ResourceDescriptor;
  private readonly cache = new ObjectCache<T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly syncWaiters = new Set<() => void>();
  private readonly log: Logger;
  private synced = false;
  private started = false;
  private resourceVersion = '';

  constructor(
    private readonly client: RestClient,
    descriptor: ResourceDescriptor,
    private readonly options: InformerOptions = {},
  ) {
    this.descriptor = descriptor;
    const resource = descriptor.group ? `${descriptor.resource}.${descriptor.group}` : descriptor.resource;
    this.log = (options.log ?? createLogger('informer')).with({ resource });
  }

  /** Adds a secondary index; may be called before or after start. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.cache.addIndex(name, fn);
  }

  /** A handler added after the first list (a late sharer of a running informer) first sees every cached object as added. */
  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
    if (this.synced && handlers.onAdd) for (const obj of this.cache.list()) handlers.onAdd(obj);
  }

  onAdd(fn: AddHandler<T>): void {
    this.addHandlers({ onAdd: fn });
  }

  onUpdate(fn: UpdateHandler<T>): void {
    this.handlers.push({ onUpdate: fn });
  }

  /** The handler receives the last known state of the deleted object. */
  onDelete(fn: DeleteHandler<T>): void {
    this.handlers.push({ onDelete: fn });
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list has been stored, false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.syncWaiters.delete(onSynced);
        resolve(false);
      };
      const onSynced = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.syncWaiters.add(onSynced);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The resourceVersion the informer has caught up to. */
  lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  lister(): Lister<T> {
    return new Lister<T>(this.cache);
  }

  /** Direct cache reads (read-only objects). */
  getByKey(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return this.cache.list();
  }

  byIndex(index: string, value: string): T[] {
    return this.cache.byIndex(index, value);
  }

  /** Runs until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error('informer already started');
    this.started = true;
    const initial = this.options.initialBackoffMs ?? 200;
    const max = this.options.maxBackoffMs ?? 30_000;
    let backoff = initial;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
        }
        const started = Date.now();
        const events = await this.watchOnce(signal);
        // A watch the server closes at once, again and again, must not become a busy loop.
        if (events === 0 && Date.now() - started < 1000) {
          await sleep(backoff, signal);
          backoff = Math.min(backoff * 2, max);
        } else backoff = initial;
      } catch (err) {
        if (signal.aborted) break;
        if (isApiError(err) && err.code === 410) {
          this.log.info('resourceVersion expired; relisting', { resourceVersion: this.resourceVersion });
          needList = true;
          continue;
        }
        this.log.warn(needList ? 'list failed' : 'watch failed', { err, retryInMs: backoff });
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, max);
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const { items, resourceVersion } = await this.client.listAll<T>(this.descriptor, {
      namespace: this.options.namespace,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
      pageSize: this.options.pageSize ?? 500,
      signal,
    });
    if (signal.aborted) return;
    const diff = this.cache.replace(items.map((item) => this.prepare(item)));
    this.resourceVersion = resourceVersion;
    this.markSynced();
    this.emitDiff(diff);
  }

  /** One watch request; returns the number of events it delivered. */
  private async watchOnce(signal: AbortSignal): Promise<number> {
    const timeoutSeconds = this.options.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    let count = 0;
    const stream = this.client.watch<T>(this.descriptor, {
      namespace: this.options.namespace,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      signal,
    });
    for await (const event of stream) {
      count++;
      this.apply(event);
    }
    return count;
  }

  /** A listed or watched object as the cache keeps it: without managedFields, trimmed by the transform. */
  private prepare(obj: T): T {
    if (!this.options.keepManagedFields) dropManagedFields(obj);
    return this.options.transform ? (this.options.transform(obj) as T) : obj;
  }

  /** Applies one watch event to the cache and notifies handlers. Exposed for tests and tools. */
  apply(event: WatchEvent<T>): void {
    const rv = event.object?.metadata?.resourceVersion;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const object = this.prepare(event.object);
        const old = this.cache.set(object);
        const stored = this.cache.get(objectKey(object))!;
        if (old) this.notify((h) => h.onUpdate?.(old, stored));
        else this.notify((h) => h.onAdd?.(stored));
        break;
      }
      case 'DELETED': {
        const old = this.cache.delete(objectKey(event.object));
        // The event carries the final state, which is newer than or equal to the cached one.
        const last = event.object?.metadata ? freezeShared(this.prepare(event.object)) : old;
        if (last) this.notify((h) => h.onDelete?.(last));
        break;
      }
      case 'BOOKMARK':
        break;
      default:
        this.log.warn('unexpected watch event type', { type: event.type });
        return;
    }
    if (rv) this.resourceVersion = rv;
  }

  private emitDiff(diff: ReplaceDiff<T>): void {
    for (const obj of diff.deleted) this.notify((h) => h.onDelete?.(obj));
    for (const obj of diff.added) this.notify((h) => h.onAdd?.(obj));
    for (const { oldObj, newObj } of diff.updated) this.notify((h) => h.onUpdate?.(oldObj, newObj));
  }

  private notify(call: (h: InformerHandlers<T>) => void): void {
    for (const handler of this.handlers) {
      try {
        call(handler);
      } catch (err) {
        this.log.error('event handler threw', { err });
      }
    }
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const resolve of this.syncWaiters) resolve();
    this.syncWaiters.clear();
  }
}
