// The node lifecycle controller: every monitor period each node is health-checked (Lease and
// heartbeats against the grace period) and tainted accordingly; pods on nodes with NoExecute taints
// are evicted when their tolerations run out (taint-based eviction).
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { createLogger, type Logger } from '../../client/log.js';
import { NODE_NAME_INDEX } from '../../client/object-cache.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Taint } from '../../machinery/tolerations.js';
import { WorkQueue } from '../../client/work-queue.js';
import { runControllerWorkers } from '../common/workers.js';
import { sameTaints } from './reconcile.js';
import { NodeLifecycleSync } from './sync.js';
import { KINDS, NODE_LEASE_NAMESPACE, type Lease, type Node, type Pod } from './types.js';

export interface NodeLifecycleControllerOptions {
  client: RestClient;
  /** Shared informers; when absent the controller runs its own. */
  informers?: InformerFactory;
  log?: Logger;
  /** --node-monitor-grace-period: silence after which a node is Unknown. Default 40 s. */
  nodeMonitorGracePeriodMs?: number;
  /** --node-monitor-period: how often every node is checked. Default 5 s. */
  monitorPeriodMs?: number;
  workers?: number;
  recorder?: EventRecorder;
  now?: () => Date;
}

function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

export class NodeLifecycleController {
  readonly nodeQueue = new WorkQueue<string>();
  readonly podQueue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly informers: InformerFactory;
  private readonly ownsInformers: boolean;
  private readonly syncer: NodeLifecycleSync;
  private readonly monitorPeriodMs: number;
  private readonly nodeNames: () => string[];

  constructor(private readonly options: NodeLifecycleControllerOptions) {
    this.log = options.log ?? createLogger('node-lifecycle-controller');
    this.ownsInformers = !options.informers;
    this.informers = options.informers ?? new InformerFactory(options.client, { log: this.log });
    this.monitorPeriodMs = options.monitorPeriodMs ?? 5_000;
    const nodeInformer = this.informers.informerFor<Node>(KINDS.node);
    const leaseInformer = this.informers.informerFor<Lease>(KINDS.lease, { namespace: NODE_LEASE_NAMESPACE });
    const podInformer = this.informers.informerFor<Pod>(KINDS.pod);
    const nodes = nodeInformer.lister();
    this.nodeNames = () => nodeInformer.list().map((n) => n.metadata.name ?? '').filter(Boolean);

    const enqueuePodsOn = (nodeName: string | undefined): void => {
      if (!nodeName) return;
      for (const pod of podInformer.byIndex(NODE_NAME_INDEX, nodeName)) this.podQueue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
    };
    nodeInformer.addHandlers({
      onAdd: (node) => {
        this.nodeQueue.add(node.metadata.name ?? '');
        if (noExecuteTaints(node).length) enqueuePodsOn(node.metadata.name);
      },
      onUpdate: (oldNode, node) => {
        this.nodeQueue.add(node.metadata.name ?? '');
        if (!sameTaints(noExecuteTaints(oldNode), noExecuteTaints(node))) enqueuePodsOn(node.metadata.name);
      },
    });
    const onPod = (pod: Pod): void => {
      const nodeName = pod.spec?.nodeName;
      if (nodeName && noExecuteTaints(nodes.get(undefined, nodeName)).length) this.podQueue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
    };
    podInformer.addHandlers({ onAdd: onPod, onUpdate: (_old, pod) => onPod(pod) });

    const recorder = options.recorder ?? new EventRecorder({ client: options.client, component: 'node-controller', log: this.log });
    this.syncer = new NodeLifecycleSync({
      client: options.client,
      nodes,
      leases: leaseInformer.lister(),
      pods: podInformer.lister(),
      recorder,
      log: this.log,
      gracePeriodMs: options.nodeMonitorGracePeriodMs ?? 40_000,
      now: options.now ?? (() => new Date()),
    });
  }

  /** Runs until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.ownsInformers) this.informers.start(signal);
    try {
      if (!(await this.informers.waitForSync(signal))) return;
      const timer = setInterval(() => {
        for (const name of this.nodeNames()) this.nodeQueue.add(name);
      }, this.monitorPeriodMs);
      signal.addEventListener('abort', () => clearInterval(timer), { once: true });
      const workers = this.options.workers ?? 3;
      await Promise.all([
        runControllerWorkers({
          queue: this.nodeQueue,
          workers,
          signal,
          log: this.log,
          sync: async (name) => {
            const result = await this.syncer.syncNode(name);
            // Only schedule a precise re-check when it comes before the next monitor pass.
            return result.requeueAfterMs !== undefined && result.requeueAfterMs < this.monitorPeriodMs ? result : {};
          },
        }),
        runControllerWorkers({
          queue: this.podQueue,
          workers,
          signal,
          log: this.log,
          sync: async (key) => {
            const result = await this.syncer.syncPod(key);
            return result.requeueAfterMs === undefined ? {} : { requeueAfterMs: result.requeueAfterMs + 10 };
          },
        }),
      ]);
    } finally {
      this.nodeQueue.shutDown();
      this.podQueue.shutDown();
      if (this.ownsInformers) await this.informers.stopped();
    }
  }
}
