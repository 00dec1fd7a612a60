// The EndpointSlice controller: Service, pod and EndpointSlice events feed Service keys to a work
// queue; each sync brings the Service's managed slices in line with the pods it selects.
import { objectKey } from '../../api/meta.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { createLogger, type Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { WorkQueue } from '../../client/work-queue.js';
import { servicesSelecting } from '../endpoints/pods.js';
import { KINDS, type Pod, type Service } from '../endpoints/types.js';
import { runControllerWorkers } from '../common/workers.js';
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
    const serviceInformer = this.informers.informerFor<Service>(KINDS.service);
    const podInformer = this.informers.informerFor<Pod>(KINDS.pod);
    const sliceInformer = this.informers.informerFor<EndpointSlice>(KINDS.endpointSlice);
    const services = serviceInformer.lister();
    const enqueue = (svc: Service): void => this.queue.add(objectKey(svc));
    serviceInformer.addHandlers({ onAdd: enqueue, onUpdate: (_old, svc) => enqueue(svc), onDelete: enqueue });
    const forPod = (pod: Pod): void => {
      for (const key of servicesSelecting(services.list(pod.metadata.namespace), pod)) this.queue.add(key);
    };
    podInformer.addHandlers({
      onAdd: forPod,
      onUpdate: (oldPod, pod) => {
        forPod(oldPod);
        forPod(pod);
      },
      onDelete: forPod,
    });
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
      pods: podInformer.lister(),
      slices: sliceInformer.lister(),
      log: this.log,
      maxEndpointsPerSlice: options.maxEndpointsPerSlice,
    });
  }

  /** Runs until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.ownsInformers) this.informers.start(signal);
    try {
      if (await this.informers.waitForSync(signal)) {
        await runControllerWorkers({ queue: this.queue, workers: this.options.workers ?? 5, signal, log: this.log, sync: (key) => this.syncer.sync(key) });
      }
    } finally {
      this.queue.shutDown();
      if (this.ownsInformers) await this.informers.stopped();
    }
  }
}
