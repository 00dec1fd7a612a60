// The EndpointSlice controller: Service, pod and EndpointSlice events feed Service keys to a work
// queue; each sync brings the Service's managed slices in line with the pods it selects.
import { InformerFactory } from '../../client/informer-factory.js';
import { createLogger, type Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { WorkQueue } from '../../client/work-queue.js';
import { queueServicesAndTheirPods } from '../endpoints/triggers.js';
import { KINDS } from '../endpoints/types.js';
import { runWhenSynced } from '../common/workers.js';
import { CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, type EndpointSlice } from './reconcile.js';
import { EndpointSliceSync } from './sync.js';

export interface EndpointSliceControllerOptions {
  client: RestClient;
  /** Shared informers; when absent the controller runs its own. */
  informers?: InformerFactory;
  log?: Logger;
  workers?: number;
  /** --max-endpoints-per-slice; default 100. */
  maxEndpointsPerSlice?: number;
}

export class EndpointSliceController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly informers: InformerFactory;
  private readonly ownsInformers: boolean;
  private readonly syncer: EndpointSliceSync;

  constructor(private readonly options: EndpointSliceControllerOptions) {
    this.log = options.log ?? createLogger('endpointslice-controller');
    this.ownsInformers = !options.informers;
    this.informers = options.informers ?? new InformerFactory(options.client, { log: this.log });
    const { services, pods } = queueServicesAndTheirPods(this.informers, this.queue);
    const sliceInformer = this.informers.informerFor<EndpointSlice>(KINDS.endpointSlice);
    // A managed slice changed or vanished behind our back: re-sync its Service.
    const forSlice = (slice: EndpointSlice): void => {
      const labels = slice.metadata.labels ?? {};
      const serviceName = labels[LABEL_SERVICE_NAME];
      if (serviceName && labels[LABEL_MANAGED_BY] === CONTROLLER_NAME) this.queue.add(`${slice.metadata.namespace}/${serviceName}`);
    };
    sliceInformer.addHandlers({ onUpdate: (_old, slice) => forSlice(slice), onDelete: forSlice });
    this.syncer = new EndpointSliceSync({
      client: options.client,
      services,
      pods,
      slices: sliceInformer.lister(),
      log: this.log,
      maxEndpointsPerSlice: options.maxEndpointsPerSlice,
    });
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
