// I/O of the node lifecycle controller: one node sync (health check, conditions through
// nodes/status, taints, pods marked not ready) and one pod sync (taint-based eviction).
import { isApiError } from '../../api/errors.js';
import { cloneObject, rfc3339 } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import { NODE_NAME_INDEX } from '../../client/object-cache.js';
import { PatchTypes, type RestClient } from '../../client/rest-client.js';
import { evictionDecision } from './eviction.js';
import { findCondition, reconcileNode } from './reconcile.js';
import { KINDS, NODE_LEASE_NAMESPACE, type Lease, type Node, type Pod, type PodCondition } from './types.js';

export interface NodeLifecycleSyncOptions {
  client: RestClient;
  nodes: Lister<Node>;
  leases: Lister<Lease>;
  pods: Lister<Pod>;
  recorder: EventRecorder;
  log: Logger;
  gracePeriodMs: number;
  now: () => Date;
}

export interface SyncResult {
  requeueAfterMs?: number;
}

function ignoreGone(err: unknown): void {
  if (isApiError(err, 'NotFound')) return;
  throw err;
}

export class NodeLifecycleSync {
  /** When a NoExecute taint without timeAdded was first seen, keyed `node\0key`. */
  private readonly taintFirstSeen = new Map<string, Date>();

  constructor(private readonly o: NodeLifecycleSyncOptions) {}

  async syncNode(name: string): Promise<SyncResult> {
    const { client, nodes, leases, log } = this.o;
    const node = nodes.get(undefined, name);
    if (!node) return {};
    const now = this.o.now();
    const plan = reconcileNode({ node, lease: leases.get(NODE_LEASE_NAMESPACE, name), now, gracePeriodMs: this.o.gracePeriodMs });
    const wasReady = findCondition(node, 'Ready')?.status;
    if (plan.conditions) {
      await client.patch(KINDS.node, undefined, name, PatchTypes.merge, { status: { conditions: plan.conditions } }, { subresource: 'status' }).catch(ignoreGone);
      if (wasReady === 'True' && plan.ready !== 'True') {
        log.info('node stopped posting status', { node: name, ready: plan.ready });
        this.o.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    if (plan.taints) {
      const updated = cloneObject(node);
      updated.spec = { ...(updated.spec ?? {}), taints: plan.taints };
      // A plain update carries the cached resourceVersion: a concurrent change makes it fail and requeue.
      await client.update(KINDS.node, updated).catch(ignoreGone);
      log.info('node taints updated', { node: name, taints: plan.taints.map((t) => `${t.key}:${t.effect}`) });
    }
    if (plan.markPodsNotReady) await this.markPodsNotReady(name, now);
    return { requeueAfterMs: plan.recheckAfterMs };
  }

  /** Pods on an unreachable node stop being Ready, so Services stop sending them traffic. */
  private async markPodsNotReady(nodeName: string, now: Date): Promise<void> {
    for (const pod of this.o.pods.byIndex(NODE_NAME_INDEX, nodeName)) {
      const conditions = pod.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False' || pod.metadata.deletionTimestamp) continue;
      const next: PodCondition[] = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : { ...c }));
      await this.o.client.patch(KINDS.pod, pod.metadata.namespace, pod.metadata.name ?? '', PatchTypes.merge, { status: { conditions: next } }, { subresource: 'status' }).catch(ignoreGone);
    }
  }

  async syncPod(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.o.pods.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || pod.metadata.deletionTimestamp) return {};
    const node = this.o.nodes.get(undefined, nodeName);
    if (!node) return {};
    const now = this.o.now();
    const taints = node.spec?.taints ?? [];
    let firstSeen = now;
    for (const t of taints) {
      if (t.effect !== 'NoExecute' || t.timeAdded) continue;
      const id = `${nodeName}\u0000${t.key}`;
      const seen = this.taintFirstSeen.get(id) ?? now;
      this.taintFirstSeen.set(id, seen);
      if (seen < firstSeen) firstSeen = seen;
    }
    const decision = evictionDecision(taints, pod.spec?.tolerations, now, firstSeen);
    if (decision.type === 'keep') return {};
    if (decision.type === 'delete-at') return { requeueAfterMs: decision.at.getTime() - now.getTime() };
    await this.evict(pod, decision.reason, now);
    return {};
  }

  private async evict(pod: Pod, reason: string, now: Date): Promise<void> {
    const { client, recorder, log } = this.o;
    const namespace = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    log.info('evicting pod from tainted node', { object: `${namespace}/${name}`, node: pod.spec?.nodeName, reason });
    recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    // Tell whoever reads the pod why it goes (Kubernetes' DisruptionTarget condition); best effort.
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget').map((c) => ({ ...c }));
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: rfc3339(now) });
    await client.patch(KINDS.pod, namespace, name, PatchTypes.merge, { status: { conditions } }, { subresource: 'status' }).catch((err: unknown) => {
      if (!isApiError(err, 'NotFound')) log.debug('could not add DisruptionTarget condition', { object: `${namespace}/${name}`, err });
    });
    await client.delete(KINDS.pod, namespace, name, { preconditions: { uid: pod.metadata.uid } }).catch((err: unknown) => {
      // Gone already, or replaced by a new pod of the same name.
      if (isApiError(err, 'NotFound') || isApiError(err, 'Conflict')) return;
      throw err;
    });
  }
}
