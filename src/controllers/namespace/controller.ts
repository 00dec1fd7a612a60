// The namespace controller: when a namespace is being deleted, empty it, then release it.
import { findKind } from '../../api/resources.js';
import { Informer } from '../../client/informer.js';
import { createLogger, type Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { runWorkers, WorkQueue } from '../../client/work-queue.js';
import type { NamespaceObject } from './reconcile.js';
import { NamespaceSync } from './sync.js';

export interface NamespaceControllerOptions {
  client: RestClient;
  workers?: number;
  log?: Logger;
  /** Shared informer on namespaces; one is created when absent. */
  informer?: Informer<NamespaceObject>;
}

export class NamespaceController {
  readonly queue = new WorkQueue<string>();
  private readonly informer: Informer<NamespaceObject>;
  private readonly ownsInformer: boolean;
  private readonly log: Logger;
  private readonly syncer: NamespaceSync;
  private readonly workers: number;

  constructor(options: NamespaceControllerOptions) {
    const desc = findKind('', 'v1', 'Namespace');
    if (!desc) throw new Error('Namespace missing from the resource table');
    this.log = options.log ?? createLogger('namespace-controller');
    this.workers = options.workers ?? 5;
    this.ownsInformer = !options.informer;
    this.informer = options.informer ?? new Informer<NamespaceObject>(options.client, desc, { log: this.log });
    const enqueue = (ns: NamespaceObject): void => {
      if (ns.metadata.deletionTimestamp && ns.metadata.name) this.queue.add(ns.metadata.name);
    };
    this.informer.addHandlers({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
    this.syncer = new NamespaceSync({ client: options.client, lister: this.informer.lister(), log: this.log, namespacesDescriptor: desc });
  }

  async start(signal: AbortSignal): Promise<void> {
    const running = this.ownsInformer ? this.informer.start(signal) : Promise.resolve();
    if (await this.informer.waitForSync(signal)) {
      await runWorkers(
        this.queue,
        this.workers,
        async (name) => {
          const result = await this.syncer.sync(name);
          if (result.requeueAfterMs !== undefined) this.queue.addAfter(name, result.requeueAfterMs);
        },
        signal,
        this.log,
      );
    }
    this.queue.shutDown();
    await running;
  }
}
