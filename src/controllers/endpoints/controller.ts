// The Endpoints controller: Service, pod and Endpoints events feed Service keys to a work queue;
// each sync rewrites the Service's Endpoints from the pods it selects.
import { objectKey } from '../../api/meta.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { createLogger, type Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runWhenSynced } from '../common/workers.js';
import { queueServicesAndTheirPods } from './triggers.js';
import { EndpointsSync } from './sync.js';
import { KINDS, type Endpoints } from './types.js';

export interface EndpointsControllerOptions {
  client: RestClient;
  /** Shared informers; when absent the controller runs its own. */
  informers?: InformerFactory;
  log?: Logger;
  workers?: number;
}

export class EndpointsController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly informers: InformerFactory;
  private readonly ownsInformers: boolean;
  private readonly syncer: EndpointsSync;

  constructor(private readonly options: EndpointsControllerOptions) {
    this.log = options.log ?? createLogger('endpoints-controller');
    this.ownsInformers = !options.informers;
    this.informers = options.informers ?? new InformerFactory(options.client, { log: this.log });
    const { services, pods } = queueServicesAndTheirPods(this.informers, this.queue);
    const endpointsInformer = this.informers.informerFor<Endpoints>(KINDS.endpoints);
    // Someone else changed or deleted an Endpoints object: put it back if its Service still wants it.
    const forEndpoints = (ep: Endpoints): void => {
      if (services.get(ep.metadata.namespace, ep.metadata.name ?? '')) this.queue.add(objectKey(ep));
    };
    endpointsInformer.addHandlers({ onUpdate: (_old, ep) => forEndpoints(ep), onDelete: forEndpoints });
    this.syncer = new EndpointsSync({ client: options.client, services, pods, endpoints: endpointsInformer.lister(), log: this.log });
  }

  /** Runs until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.ownsInformers) this.informers.start(signal);
    try {
      await runWhenSynced(this.informers, { queue: this.queue, workers: this.options.workers ?? 5, signal, log: this.log, sync: (key) => this.syncer.sync(key) });
    } finally {
      if (this.ownsInformers) await this.informers.stopped();
    }
  }
}
