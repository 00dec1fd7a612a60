// The ConfigMaps and Secrets this node's pods use, each kept by a watch of its own (a field
// selector on its name in its namespace), as the kubelet's watch-based manager keeps them: a pod
// start or a volume refresh reads the cache instead of sending a GET, and a change arrives as soon
// as it is written. A watch stops once nobody has asked for its object for a while.

import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDescriptor } from '../../api/resources.js';
import { Informer } from '../../client/informer.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';

/** A watch nobody read from for this long is stopped (pods refresh their volumes every 10 s). */
export const WATCH_IDLE_MS = 2 * 60_000;
/** How long a first read waits for the watch's initial list before asking the API directly. */
const SYNC_WAIT_MS = 5_000;

interface Watched {
  informer: Informer;
  stop: AbortController;
  synced: Promise<boolean>;
  lastUsed: number;
}

export interface WatchedObjectsOptions {
  /** Reads the object from the API while its watch has not listed it yet (default: a GET, 404 → undefined). */
  direct?: (desc: ResourceDescriptor, namespace: string, name: string) => Promise<KubeObject | undefined>;
  idleMs?: number;
  /** How long a first read waits for the watch's initial list (default 5 s). */
  syncWaitMs?: number;
  now?: () => number;
  log?: Logger;
}

export class WatchedObjects {
  private readonly watched = new Map<string, Watched>();
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  private readonly direct: NonNullable<WatchedObjectsOptions['direct']>;

  constructor(
    private readonly client: RestClient,
    private readonly options: WatchedObjectsOptions = {},
  ) {
    this.direct = options.direct ?? ((desc, namespace, name) => client.get(desc, namespace, name).catch((err: unknown) => {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }));
    this.idleMs = options.idleMs ?? WATCH_IDLE_MS;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.stopIdle(), Math.max(1000, this.idleMs / 2));
    this.sweeper.unref();
  }

  /** How many objects are watched now. */
  get size(): number {
    return this.watched.size;
  }

  /** The object from its watch's cache (starting the watch on first use); undefined when absent. */
  async get(desc: ResourceDescriptor, namespace: string, name: string): Promise<KubeObject | undefined> {
    const key = `${desc.resource}/${namespace}/${name}`;
    let entry = this.watched.get(key);
    if (!entry) {
      const stop = new AbortController();
      const informer = new Informer(this.client, desc, { namespace, fieldSelector: `metadata.name=${name}`, log: this.options.log });
      void informer.start(stop.signal);
      const synced = Promise.race([informer.waitForSync(stop.signal), new Promise<boolean>((resolve) => setTimeout(resolve, this.options.syncWaitMs ?? SYNC_WAIT_MS, false).unref())]);
      entry = { informer, stop, synced, lastUsed: this.now() };
      this.watched.set(key, entry);
    }
    entry.lastUsed = this.now();
    // Until the first list arrives (an API in trouble), a direct read answers, or says what is wrong.
    if (!entry.informer.hasSynced() && !(await entry.synced)) return this.direct(desc, namespace, name);
    return entry.informer.getByKey(`${namespace}/${name}`);
  }

  /** Stops the watches nobody read from within the idle time. */
  stopIdle(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [key, entry] of this.watched) {
      if (entry.lastUsed >= cutoff) continue;
      entry.stop.abort();
      this.watched.delete(key);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const entry of this.watched.values()) entry.stop.abort();
    this.watched.clear();
  }
}
