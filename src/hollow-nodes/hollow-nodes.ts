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
import { decidePod, dueLeaseRenewals, hollowNode, hollowView } from './status.js';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const LEASE_NAMESPACE = 'kube-node-lease';
/** The heartbeat wakes at most this often (thousands of nodes renew a few at a time). */
const HEARTBEAT_TICK_MS = 50;

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

  /** Registers every node (or refreshes an existing one's status) with its Lease. */
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
      // A registered node has its Lease, as a kubelet creates it at start.
      await this.renewLease(name, true);
    });
    this.log.info('hollow nodes registered', { count: this.names.length });
  }

  /** Renews the node's Lease, creating it when missing (`createFirst`: at registration). */
  private async renewLease(name: string, createFirst = false): Promise<void> {
    const { client } = this.options;
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro() };
    const create = () => client.createDiscardingResult(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: LEASE_NAMESPACE }, spec });
    if (createFirst) {
      try {
        await create();
        return;
      } catch (err) {
        if (!isApiError(err, 'AlreadyExists')) throw err;
      }
    }
    try {
      await client.patchDiscardingResult(LEASES, LEASE_NAMESPACE, name, PatchTypes.merge, { spec });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      await create();
    }
  }

  /** Renews every node's Lease after registration, each at its own point of the interval. */
  private async heartbeat(signal: AbortSignal): Promise<void> {
    const interval = this.options.leaseIntervalMs ?? 10_000;
    const registered = Date.now();
    let next = 0;
    while (!signal.aborted) {
      const step = dueLeaseRenewals(next, Date.now() - registered, interval, this.names.length, HEARTBEAT_TICK_MS);
      next = step.next;
      await inBatches(step.nodes, this.options.concurrency ?? 16, async (index) => {
        if (signal.aborted) return;
        const name = this.names[index]!;
        await this.renewLease(name).catch((err: unknown) => this.log.warn('lease renewal failed', { node: name, err }));
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, step.waitMs);
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
    const pods = new Informer<KubeObject>(this.options.client, PODS, { fieldSelector: 'spec.nodeName!=', transform: hollowView });
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
