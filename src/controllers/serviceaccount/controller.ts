// The service account controller: every namespace gets a "default" ServiceAccount, recreated if deleted.
import type { KubeObject } from '../../api/meta.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runControllerWorkers, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import { MANAGED_SERVICE_ACCOUNTS, type NamespaceLike } from './reconcile.js';
import { ServiceAccountSync } from './sync.js';

export class ServiceAccountController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: ServiceAccountSync;

  constructor(private readonly options: WorkloadControllerOptions) {
    this.log = options.log ?? createLogger('serviceaccount-controller');
    const nsInformer = options.informers.informerFor<NamespaceLike>(KINDS.namespace);
    const saInformer = options.informers.informerFor<KubeObject>(KINDS.serviceAccount);
    const enqueue = (ns: NamespaceLike): void => {
      if (ns.metadata.name) this.queue.add(ns.metadata.name);
    };
    nsInformer.addHandlers({ onAdd: enqueue, onUpdate: (_o, ns) => enqueue(ns) });
    saInformer.onDelete((sa) => {
      if (sa.metadata.namespace && (MANAGED_SERVICE_ACCOUNTS as readonly string[]).includes(sa.metadata.name ?? '')) this.queue.add(sa.metadata.namespace);
    });
    this.syncer = new ServiceAccountSync({ client: options.client, namespaces: nsInformer.lister(), serviceAccounts: saInformer.lister(), log: this.log });
  }

  async start(signal: AbortSignal): Promise<void> {
    if (await this.options.informers.waitForSync(signal)) await runControllerWorkers({ queue: this.queue, workers: this.options.workers ?? 2, signal, log: this.log, sync: (ns) => this.syncer.sync(ns) });
    this.queue.shutDown();
  }
}
