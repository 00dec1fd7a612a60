// The root CA publisher: every active namespace gets a kube-root-ca.crt ConfigMap holding the
// cluster CA, recreated when deleted and restored when edited (Kubernetes' rootcacertpublisher).
import type { KubeObject } from '../../api/meta.js';
import { findKind } from '../../api/resources.js';
import { createLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runControllerWorkers, type WorkloadControllerOptions } from '../common/workers.js';
import { KINDS } from '../common/kinds.js';
import { ROOT_CA_CONFIGMAP } from './reconcile.js';
import { RootCaSync } from './sync.js';

export class RootCaPublisher {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly syncer: RootCaSync;

  constructor(private readonly options: WorkloadControllerOptions & { caPem: string }) {
    this.log = options.log ?? createLogger('root-ca-cert-publisher');
    const nsInformer = options.informers.informerFor<KubeObject>(KINDS.namespace);
    // Only the one ConfigMap per namespace matters: a field-selected informer keeps the cache small.
    const cmInformer = options.informers.informerFor<KubeObject>(findKind('', 'v1', 'ConfigMap')!, { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
    const enqueueNamespace = (ns: KubeObject): void => {
      if (ns.metadata.name) this.queue.add(ns.metadata.name);
    };
    const enqueueConfigMap = (cm: KubeObject): void => {
      if (cm.metadata.namespace && cm.metadata.name === ROOT_CA_CONFIGMAP) this.queue.add(cm.metadata.namespace);
    };
    nsInformer.addHandlers({ onAdd: enqueueNamespace, onUpdate: (_o, ns) => enqueueNamespace(ns) });
    cmInformer.addHandlers({ onUpdate: (_o, cm) => enqueueConfigMap(cm) });
    cmInformer.onDelete(enqueueConfigMap);
    this.syncer = new RootCaSync({ client: options.client, namespaces: nsInformer.lister(), configMaps: cmInformer.lister(), caPem: options.caPem, log: this.log });
  }

  async start(signal: AbortSignal): Promise<void> {
    if (await this.options.informers.waitForSync(signal)) await runControllerWorkers({ queue: this.queue, workers: this.options.workers ?? 2, signal, log: this.log, sync: (ns) => this.syncer.sync(ns) });
    this.queue.shutDown();
  }
}
