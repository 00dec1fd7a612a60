// The scheduler component: informers for pods and nodes feed the cache and the queue, those for
// PersistentVolumeClaims, PersistentVolumes and StorageClasses feed VolumeBinding; one loop pops
// pods and runs ScheduleOne; volume and pod bindings, status updates, victim deletions and events
// go through the API like any other client.
import { isApiError } from '../api/errors.js';
import { rfc3339, type KubeObject } from '../api/meta.js';
import { findKind, type ResourceDescriptor } from '../api/resources.js';
import { EventRecorder } from '../client/event-recorder.js';
import type { Informer } from '../client/informer.js';
import { InformerFactory } from '../client/informer-factory.js';
import { createLogger, type Logger } from '../client/log.js';
import { PatchTypes, type RestClient } from '../client/rest-client.js';
import { ANN_SELECTED_NODE, type ClaimLike, type StorageClassInfo, type VolumeLike } from '../machinery/volumes/claim-matching.js';
import { isTerminal, SchedulerCache } from './cache.js';
import { defaultSchedulerConfig, type SchedulerConfig } from './config.js';
import { Framework } from './framework/runtime.js';
import type { Node, Pod, PodCondition } from './framework/types.js';
import { newRegistry } from './plugins/registry.js';
import { VOLUME_BINDING, type VolumeBindingDeps } from './plugins/volume-binding/volume-binding.js';
import { SchedulingQueue, type EventAudience } from './queue/scheduling-queue.js';
import { ScheduleOne, schedulerNameOf, type SchedulerActions } from './schedule-one.js';

export interface SchedulerOptions {
  client: RestClient;
  config?: SchedulerConfig;
  log?: Logger;
}

function descriptor(kind: string, group = ''): ResourceDescriptor {
  const desc = findKind(group, 'v1', kind);
  if (!desc) throw new Error(`${group || 'core'}/v1 ${kind} missing from the resource table`);
  return desc;
}

// Which rejections an event may undo (a coarse form of Kubernetes' queueing hints).
const ASSIGNED_POD_ADDED: EventAudience = new Set(['InterPodAffinity', 'PodTopologySpread']);
const ASSIGNED_POD_UPDATED: EventAudience = new Set(['InterPodAffinity', 'PodTopologySpread', 'NodeResourcesFit']);
const NODE_UPDATED: EventAudience = new Set(['NodeUnschedulable', 'NodeAffinity', 'TaintToleration', 'NodeResourcesFit', 'NodePorts', 'PodTopologySpread', 'InterPodAffinity', 'DefaultPreemption', VOLUME_BINDING]);
/** A claim, volume or class added or changed (Kubernetes registers no deletions for these). */
const VOLUME_CHANGED: EventAudience = new Set([VOLUME_BINDING]);

/** Only scheduling-relevant node changes move pods; heartbeats do not. */
function nodeChangeMatters(oldNode: Node, newNode: Node): boolean {
  const o = oldNode;
  const n = newNode;
  return (
    JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels) ||
    JSON.stringify(o.spec) !== JSON.stringify(n.spec) ||
    JSON.stringify(o.status?.allocatable) !== JSON.stringify(n.status?.allocatable) ||
    JSON.stringify(o.status?.images) !== JSON.stringify(n.status?.images)
  );
}

export class Scheduler {
  private readonly client: RestClient;
  private readonly config: SchedulerConfig;
  private readonly log: Logger;
  private readonly pods = descriptor('Pod');
  private readonly nodes = descriptor('Node');
  private readonly claims = descriptor('PersistentVolumeClaim');
  private readonly volumes = descriptor('PersistentVolume');
  private readonly storageClasses = descriptor('StorageClass', 'storage.k8s.io');

  private readonly informers: InformerFactory;

  /** `informers`: share the watch caches of other components in the same thread (one parse per event). */
  constructor(options: { client: RestClient; config?: SchedulerConfig; log?: Logger; informers?: InformerFactory }) {
    this.client = options.client;
    this.informers = options.informers ?? new InformerFactory(options.client, { log: options.log });
    this.config = options.config ?? defaultSchedulerConfig();
    this.log = options.log ?? createLogger('scheduler');
  }

  async start(signal: AbortSignal): Promise<void> {
    const { client, log } = this;
    const cache = new SchedulerCache();
    const queue = new SchedulingQueue({ initialBackoffMs: this.config.podInitialBackoffSeconds * 1000, maxBackoffMs: this.config.podMaxBackoffSeconds * 1000 });
    const claimInformer = this.informers.informerFor(this.claims);
    const volumeInformer = this.informers.informerFor(this.volumes);
    const classInformer = this.informers.informerFor(this.storageClasses);
    const podInformer = this.informers.informerFor<Pod>(this.pods);
    const nodeInformer = this.informers.informerFor<Node>(this.nodes);
    const registry = newRegistry({
      bind: async (pod, nodeName, sig) => {
        await client.bind(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', nodeName, { signal: sig });
      },
      volumes: this.volumeBindingDeps(claimInformer, volumeInformer, classInformer, podInformer),
    });
    const frameworks = new Map<string, Framework>();
    for (const profile of this.config.profiles) frameworks.set(profile.schedulerName, new Framework(profile, registry, () => cache.snapshot));
    const recorder = new EventRecorder({ client, component: 'default-scheduler', log });
    const runner = new ScheduleOne({ cache, queue, frameworks, actions: this.actions(recorder), log, signal });

    const responsible = (pod: Pod): boolean =>
      frameworks.has(schedulerNameOf(pod)) && !isTerminal(pod) && !pod.metadata.deletionTimestamp && (pod.spec?.schedulingGates?.length ?? 0) === 0;
    podInformer.addHandlers({
      onAdd: (pod) => {
        if (pod.spec?.nodeName) {
          cache.upsertPod(pod);
          queue.moveOnEvent(ASSIGNED_POD_ADDED);
        } else if (responsible(pod)) queue.add(pod);
      },
      onUpdate: (oldPod, pod) => {
        if (pod.spec?.nodeName) {
          if (!oldPod.spec?.nodeName) queue.delete(pod);
          cache.upsertPod(pod);
          queue.moveOnEvent(isTerminal(pod) ? 'all' : ASSIGNED_POD_UPDATED);
        } else if (responsible(pod)) {
          if (!cache.isAssumed(pod)) queue.update(pod);
        } else queue.delete(pod);
      },
      onDelete: (pod) => {
        if (pod.spec?.nodeName) {
          cache.removePod(pod);
          queue.moveOnEvent('all');
        } else {
          queue.delete(pod);
          if (cache.isAssumed(pod)) {
            cache.forget(pod);
            queue.moveOnEvent('all');
          }
        }
      },
    });
    nodeInformer.addHandlers({
      onAdd: (node) => {
        cache.setNode(node);
        queue.moveOnEvent('all');
      },
      onUpdate: (oldNode, node) => {
        cache.setNode(node);
        if (nodeChangeMatters(oldNode, node)) queue.moveOnEvent(NODE_UPDATED);
      },
      onDelete: (node) => cache.removeNode(node.metadata.name ?? ''),
    });
    const volumeChanged = (): void => {
      queue.moveOnEvent(VOLUME_CHANGED);
    };
    for (const informer of [claimInformer, volumeInformer, classInformer]) informer.addHandlers({ onAdd: volumeChanged, onUpdate: volumeChanged });

    this.informers.start(signal);
    const timers = [
      setInterval(() => queue.flushBackoffCompleted(), 1000),
      setInterval(() => queue.flushUnschedulableLeftover(), 30_000),
      setInterval(() => cache.cleanupExpired(), 5000),
    ];
    try {
      for (const informer of [nodeInformer, podInformer, claimInformer, volumeInformer, classInformer]) if (!(await informer.waitForSync(signal))) return;
      log.info('scheduler started', { profiles: [...frameworks.keys()], nodes: cache.snapshot.numNodes() });
      let lastYield = Date.now();
      for (let info = await queue.pop(signal); info; info = await queue.pop(signal)) {
        runner.run(info);
        // A long burst must not starve informer events and binding replies.
        if (Date.now() - lastYield > 20) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = Date.now();
        }
      }
    } finally {
      for (const t of timers) clearInterval(t);
      queue.close();
      await runner.idle();
      await recorder.flush();
      await this.informers.stopped();
    }
  }

  /** VolumeBinding reads the informers' caches and writes volumes and claims through the API. */
  private volumeBindingDeps(claims: Informer<KubeObject>, volumes: Informer<KubeObject>, classes: Informer<KubeObject>, pods: Informer<Pod>): VolumeBindingDeps {
    const { client } = this;
    return {
      listers: {
        claim: (namespace, name) => claims.getByKey(`${namespace}/${name}`) as ClaimLike | undefined,
        storageClass: (name) => classes.getByKey(name) as StorageClassInfo | undefined,
        volume: (name) => volumes.getByKey(name) as VolumeLike | undefined,
        volumes: () => volumes.list() as VolumeLike[],
        pod: (namespace, name) => pods.getByKey(`${namespace}/${name}`),
      },
      writes: {
        updateVolume: async (volume, signal) => {
          return (await client.update(this.volumes, { ...(volume as KubeObject), apiVersion: 'v1', kind: 'PersistentVolume' }, { signal })) as VolumeLike;
        },
        setSelectedNode: async (claim, nodeName, signal) => {
          const patch = { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } };
          return (await client.patch(this.claims, claim.metadata.namespace, claim.metadata.name ?? '', PatchTypes.merge, patch, { signal })) as ClaimLike;
        },
      },
    };
  }

  private actions(recorder: EventRecorder): SchedulerActions {
    const { client } = this;
    return {
      markUnschedulable: async (pod, reason, message, nominatedNodeName) => {
        const existing = pod.status?.conditions ?? [];
        const current = existing.find((c) => c.type === 'PodScheduled');
        const sameNomination = nominatedNodeName === undefined || pod.status?.nominatedNodeName === nominatedNodeName;
        if (current?.status === 'False' && current.reason === reason && current.message === message && sameNomination) return;
        const condition: PodCondition = {
          type: 'PodScheduled',
          status: 'False',
          reason,
          message,
          lastProbeTime: null,
          lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(),
        };
        const conditions = [...existing.filter((c) => c.type !== 'PodScheduled'), condition];
        const status: Record<string, unknown> = { conditions };
        if (nominatedNodeName !== undefined) status.nominatedNodeName = nominatedNodeName;
        try {
          await client.patch(this.pods, pod.metadata.namespace, pod.metadata.name ?? '', PatchTypes.merge, { status }, { subresource: 'status' });
        } catch (err) {
          if (!isApiError(err, 'NotFound')) throw err;
        }
      },
      deleteVictim: async (victim, preemptor, nodeName) => {
        recorder.event(asPodObject(victim), 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata.uid ?? preemptor.metadata.name} on node ${nodeName}`);
        try {
          await client.delete(this.pods, victim.metadata.namespace, victim.metadata.name ?? '', { preconditions: victim.metadata.uid ? { uid: victim.metadata.uid } : undefined });
        } catch (err) {
          if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
        }
      },
      event: (pod, type, reason, message) => recorder.event(asPodObject(pod), type, reason, message),
    };
  }
}

/** Informer list items may lack kind/apiVersion; events need them on the involved object. */
function asPodObject(pod: Pod): KubeObject {
  return { ...pod, apiVersion: 'v1', kind: 'Pod' };
}
