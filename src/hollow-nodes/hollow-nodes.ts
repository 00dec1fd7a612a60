// Hollow nodes, as Kubernetes' kubemark has them: N simulated nodes that register, renew their
// Leases, and report the pods bound to them Running and Ready without running containers. They
// let one machine test the scheduler and controllers against thousands of nodes.

import { isApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import { rfc3339Micro } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import { Informer } from '../client/informer.js';
import { createLogger, type Logger } from '../client/log.js';
import { PatchTypes, type RestClient } from '../client/rest-client.js';
import { runWorkers, WorkQueue } from '../client/work-queue.js';
import { decidePod, hollowNode } from './status.js';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const LEASE_NAMESPACE = 'kube-node-lease';

export interface HollowNodesOptions {
  client: RestClient;
  count: number;
  cpu: string;
  memory: string;
  pods: number;
  namePrefix: string;
  /** Lease renewal period (Kubernetes: 10 s). */
  leaseIntervalMs?: number;
  /** Parallel API requests for registration and leases. */
  concurrency?: number;
  /**
   * Parallel pod status reports. Real nodes report independently of each other, so this is
   * larger: with few workers the simulated nodes, not the cluster, would limit how fast pods show
   * Running.
   */
  statusConcurrency?: number;
  log?: Logger;
}

async function inBatches<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export class HollowNodes {
  private readonly options: HollowNodesOptions;
  private readonly log: Logger;
  private readonly names: string[];
  private readonly indexByName = new Map<string, number>();
  private podCounter = 0;

  constructor(options: HollowNodesOptions) {
    this.options = options;
    this.log = options.log ?? createLogger('hollow-nodes');
    this.names = Array.from({ length: options.count }, (_, i) => `${options.namePrefix}${i}`);
    this.names.forEach((name, i) => this.indexByName.set(name, i));
  }

  /** Registers every node (or refreshes an existing one's status). */
  async register(): Promise<void> {
    const { client } = this.options;
    await inBatches(this.names, this.options.concurrency ?? 16, async (name) => {
      const node = hollowNode({ name, cpu: this.options.cpu, memory: this.options.memory, pods: this.options.pods, index: this.indexByName.get(name)! }, new Date());
      try {
        await client.create(NODES, node);
      } catch (err) {
        if (!isApiError(err, 'AlreadyExists')) throw err;
      }
      await client.patchDiscardingResult(NODES, undefined, name, PatchTypes.merge, { status: node.status }, { subresource: 'status' });
    });
    this.log.info('hollow nodes registered', { count: this.names.length });
  }

  private async renewLease(name: string): Promise<void> {
    const { client } = this.options;
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro() };
    try {
      await client.patchDiscardingResult(LEASES, LEASE_NAMESPACE, name, PatchTypes.merge, { spec });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      await client.create(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: LEASE_NAMESPACE }, spec });
    }
  }

  private async heartbeat(signal: AbortSignal): Promise<void> {
    const interval = this.options.leaseIntervalMs ?? 10_000;
    while (!signal.aborted) {
      const started = Date.now();
      await inBatches(this.names, this.options.concurrency ?? 16, async (name) => {
        if (signal.aborted) return;
        await this.renewLease(name).catch((err: unknown) => this.log.warn('lease renewal failed', { node: name, err }));
      });
      const wait = Math.max(0, interval - (Date.now() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
    }
  }

  private async syncPod(pods: Informer<KubeObject>, key: string): Promise<void> {
    const pod = pods.getByKey(key);
    if (!pod) return;
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const index = nodeName === undefined ? undefined : this.indexByName.get(nodeName);
    if (index === undefined) return;
    const action = decidePod(pod as Parameters<typeof decidePod>[0], index, this.podCounter++, new Date());
    const { client } = this.options;
    const namespace = pod.metadata.namespace;
    const name = pod.metadata.name ?? '';
    try {
      if (action.type === 'report-running') {
        await client.patchDiscardingResult(PODS, namespace, name, PatchTypes.merge, { status: action.status }, { subresource: 'status' });
      } else if (action.type === 'finish-deletion') {
        await client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      }
    } catch (err) {
      if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return;
      throw err;
    }
  }

  async start(signal: AbortSignal): Promise<void> {
    await this.register();
    const heartbeat = this.heartbeat(signal);
    // One informer on all bound pods; handlers only queue keys, workers write status.
    const pods = new Informer<KubeObject>(this.options.client, PODS, { fieldSelector: 'spec.nodeName!=' });
    const queue = new WorkQueue<string>();
    const enqueue = (obj: KubeObject) => {
      const nodeName = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
      if (nodeName && this.indexByName.has(nodeName)) queue.add(`${obj.metadata.namespace}/${obj.metadata.name}`);
    };
    pods.addHandlers({ onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj) });
    const informer = pods.start(signal);
    await Promise.all([informer, heartbeat, runWorkers(queue, this.options.statusConcurrency ?? 64, (key) => this.syncPod(pods, key), signal, this.log)]);
  }
}
