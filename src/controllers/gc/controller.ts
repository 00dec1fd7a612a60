// The garbage collector: informers on every collectable resource feed object uids to a queue;
// each sync deletes objects whose owners are gone and carries out orphan and foreground deletion.
import type { KubeObject } from '../../api/meta.js';
import { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { createLogger, type Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { runWorkers, WorkQueue } from '../../client/work-queue.js';
import { collectableResources, ObjectGraph, UID_INDEX } from './graph.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './reconcile.js';
import { GcSync } from './sync.js';

export interface GarbageCollectorOptions {
  client: RestClient;
  workers?: number;
  log?: Logger;
  /** Shared informers (the controller manager's): then the factory starts them, not the collector. */
  informers?: InformerFactory;
}

function needsAttention(obj: KubeObject): boolean {
  const m = obj.metadata;
  if ((m.ownerReferences?.length ?? 0) > 0) return true;
  return m.deletionTimestamp !== undefined && (m.finalizers ?? []).some((f) => f === ORPHAN_FINALIZER || f === FOREGROUND_FINALIZER);
}

function sameOwnership(a: KubeObject, b: KubeObject): boolean {
  return (
    JSON.stringify(a.metadata.ownerReferences ?? []) === JSON.stringify(b.metadata.ownerReferences ?? []) &&
    a.metadata.deletionTimestamp === b.metadata.deletionTimestamp &&
    JSON.stringify(a.metadata.finalizers ?? []) === JSON.stringify(b.metadata.finalizers ?? [])
  );
}

export class GarbageCollector {
  private readonly client: RestClient;
  private readonly log: Logger;
  private readonly workers: number;
  readonly queue = new WorkQueue<string>();
  readonly informers: Informer<KubeObject>[];
  private readonly graph: ObjectGraph;
  private readonly sharedInformers: boolean;

  constructor(options: GarbageCollectorOptions) {
    this.client = options.client;
    this.log = options.log ?? createLogger('garbage-collector');
    this.workers = options.workers ?? 10;
    this.sharedInformers = options.informers !== undefined;
    this.informers = collectableResources().map((desc) => {
      const informer = options.informers ? options.informers.informerFor<KubeObject>(desc) : new Informer<KubeObject>(this.client, desc, { log: this.log });
      informer.addIndex(UID_INDEX, (obj) => (obj.metadata.uid ? [obj.metadata.uid] : []));
      informer.addHandlers({
        onAdd: (obj) => this.observe(obj),
        onUpdate: (oldObj, newObj) => {
          if (!sameOwnership(oldObj, newObj)) {
            this.observe(newObj);
            this.enqueueOwners(oldObj);
          }
        },
        onDelete: (obj) => this.forgotten(obj),
      });
      return informer;
    });
    this.graph = new ObjectGraph(this.informers);
  }

  async start(signal: AbortSignal): Promise<void> {
    const running = this.sharedInformers ? [] : this.informers.map((i) => i.start(signal));
    const synced = await Promise.all(this.informers.map((i) => i.waitForSync(signal)));
    if (synced.every(Boolean)) {
      this.log.info('caches synced; collecting', { resources: this.informers.length });
      const syncer = new GcSync({ client: this.client, graph: this.graph, log: this.log, enqueue: (uid) => this.queue.add(uid) });
      await runWorkers(this.queue, this.workers, (uid) => syncer.sync(uid), signal, this.log);
    }
    this.queue.shutDown();
    await Promise.all(running);
  }

  private observe(obj: KubeObject): void {
    if (obj.metadata.uid && needsAttention(obj)) this.queue.add(obj.metadata.uid);
  }

  /** Owners may be waiting on this object (foreground/orphan); let them re-check. */
  private enqueueOwners(obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) this.queue.add(ref.uid);
  }

  private forgotten(obj: KubeObject): void {
    this.enqueueOwners(obj);
    // Its dependents may now have no owner left.
    if (obj.metadata.uid) for (const dep of this.graph.dependentsOf(obj.metadata.uid)) if (dep.obj.metadata.uid) this.queue.add(dep.obj.metadata.uid);
  }
}
