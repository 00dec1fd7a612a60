// Watches the pods bound to this node and runs one serialized worker per pod uid: each trigger
// marks the pod dirty; a worker syncs until it is clean. Also re-adopts containers after an agent
// restart, cleans up pods that are gone, writes pods/status when it changed and sends the final
// DELETE once a terminating pod is torn down.

import { watch, type FSWatcher } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { isApiError } from '../../api/errors.js';
import { cloneObject, type KubeObject } from '../../api/meta.js';
import { findKind, type ResourceDescriptor } from '../../api/resources.js';
import { Informer } from '../../client/informer.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import type { PodNetwork } from '../network/pod-network.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { loadRecords } from './pod-record.js';
import { computePodStatus, sameStatus } from './pod-status.js';
import type { PodSyncer } from './pod-syncer.js';

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

export function podsDescriptor(): ResourceDescriptor {
  const desc = findKind('', 'v1', 'Pod');
  if (!desc) throw new Error('pods missing from the resource table');
  return desc;
}

interface WorkerState {
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
}

export interface PodManagerOptions {
  client: RestClient;
  nodeName: string;
  syncer: PodSyncer;
  runtime: ContainerRuntime;
  network: PodNetwork;
  podsDir: string;
  /** Directory conmon writes exit files to (watched to notice exits at once). */
  exitDir: string;
  resyncMs?: number;
  log: Logger;
}

export class PodManager {
  readonly informer: Informer;
  private readonly options: PodManagerOptions;
  private readonly workers = new Map<string, WorkerState>();
  private readonly pods = new Map<string, KubeObject>();
  private readonly desc = podsDescriptor();
  private watcher?: FSWatcher;
  private stopped = false;

  constructor(options: PodManagerOptions) {
    this.options = options;
    this.informer = new Informer(options.client, this.desc, { fieldSelector: `spec.nodeName=${options.nodeName}`, log: options.log });
    this.informer.addHandlers({
      onAdd: (pod) => this.observe(pod),
      onUpdate: (old, pod) => {
        // Labels and annotations feed downwardAPI volumes: re-read them on the next sync.
        if (!sameJson(old.metadata.labels, pod.metadata.labels) || !sameJson(old.metadata.annotations, pod.metadata.annotations)) {
          options.syncer.requestVolumeRefresh(pod.metadata.uid!);
        }
        this.observe(pod);
      },
      onDelete: (pod) => {
        const uid = pod.metadata.uid!;
        this.pods.delete(uid);
        this.trigger(uid);
      },
    });
  }

  private observe(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    this.pods.set(uid, pod);
    this.trigger(uid);
  }

  /** The pod object for a uid, if it is bound here and still exists. */
  podByUid(uid: string): KubeObject | undefined {
    return this.pods.get(uid);
  }

  podByName(namespace: string, name: string): KubeObject | undefined {
    return this.informer.getByKey(`${namespace}/${name}`);
  }

  async start(signal: AbortSignal): Promise<void> {
    // Records of earlier runs: containers keep running, we pick them up again.
    for (const rec of loadRecords(this.options.podsDir)) this.options.syncer.records.set(rec.uid, rec);
    const informerRun = this.informer.start(signal);
    if (!(await this.informer.waitForSync(signal))) return;
    // Pods we remember but that are no longer bound here: clean them up.
    for (const uid of this.options.syncer.records.keys()) if (!this.pods.has(uid)) this.trigger(uid);
    await this.cleanupStrayContainers();
    mkdirSync(this.options.exitDir, { recursive: true });
    try {
      this.watcher = watch(this.options.exitDir, (_event, file) => {
        if (!file) return;
        const prefix = String(file).split('_')[0];
        for (const [uid] of this.options.syncer.records) if (uid.replace(/-/g, '').startsWith(prefix)) this.trigger(uid);
      });
      this.watcher.on('error', () => undefined);
    } catch (err) {
      this.options.log.warn('cannot watch the exit dir; relying on resync', { err });
    }
    const resync = setInterval(() => {
      for (const uid of this.pods.keys()) this.trigger(uid);
    }, this.options.resyncMs ?? 5000);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.stopped = true;
    clearInterval(resync);
    this.watcher?.close();
    for (const w of this.workers.values()) clearTimeout(w.timer);
    this.options.syncer.stopAll();
    await informerRun;
    // Let running syncs finish (they are short except terminations).
    const deadline = Date.now() + 5000;
    while ([...this.workers.values()].some((w) => w.running) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  /** Containers in the runtime that belong to no pod we know: delete them. */
  private async cleanupStrayContainers(): Promise<void> {
    const runtime = this.options.runtime;
    const known = new Set([...this.options.syncer.records.keys(), ...this.pods.keys()].map((uid) => uid.replace(/-/g, '').slice(0, 16)));
    for (const status of await runtime.list()) {
      const prefix = status.id.split('_')[0] ?? '';
      if (!known.has(prefix)) {
        this.options.log.info('removing a container of no known pod', { container: status.id });
        await runtime.delete(status.id).catch(() => undefined);
      }
    }
    // Pod networks nobody owns any more.
    const network = this.options.network;
    for (const uid of network.podUids()) {
      if (!this.options.syncer.records.has(uid) && !this.pods.has(uid)) await network.teardownPod(uid).catch(() => undefined);
    }
  }

  trigger(uid: string, afterMs = 0): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, dirty: false };
      this.workers.set(uid, w);
    }
    if (afterMs > 0) {
      clearTimeout(w.timer);
      w.timer = setTimeout(() => this.trigger(uid), afterMs);
      return;
    }
    w.dirty = true;
    if (!w.running) void this.run(uid, w);
  }

  private async run(uid: string, w: WorkerState): Promise<void> {
    w.running = true;
    try {
      while (w.dirty && !this.stopped) {
        w.dirty = false;
        const requeue = await this.syncOnce(uid).catch((err: unknown) => {
          this.options.log.error('pod sync failed', { uid, err });
          return 2000;
        });
        if (requeue !== undefined && requeue >= 0) this.trigger(uid, Math.max(50, requeue));
      }
    } finally {
      w.running = false;
      if (!this.pods.has(uid) && !this.options.syncer.records.has(uid) && !w.dirty) {
        clearTimeout(w.timer);
        this.workers.delete(uid);
      }
    }
  }

  private async syncOnce(uid: string): Promise<number | undefined> {
    const pod = this.pods.get(uid);
    const syncer = this.options.syncer;
    if (!pod) {
      if (syncer.records.has(uid)) {
        this.options.log.info('pod is gone; removing its containers', { uid });
        await syncer.cleanup(uid);
      }
      return undefined;
    }
    if (pod.metadata.deletionTimestamp) {
      await syncer.stopPod(pod);
      // Like the kubelet: the containers' final states (and the terminal phase) before the pod goes.
      await this.writeStatus(uid, true).catch((err: unknown) => this.options.log.warn('writing the final pod status failed', { uid, err }));
      await syncer.cleanup(uid);
      await this.finalDelete(pod);
      return undefined;
    }
    const requeue = await syncer.sync(pod);
    await this.writeStatus(uid);
    return requeue;
  }

  /** The grace period is over and everything is gone: let the API server remove the pod. */
  private async finalDelete(pod: KubeObject): Promise<void> {
    try {
      await this.options.client.delete(this.desc, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isApiError(err) || (err.code !== 404 && err.code !== 409)) throw err;
    }
  }

  private async writeStatus(uid: string, terminating = false): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const pod = this.pods.get(uid);
      if (!pod || (pod.metadata.deletionTimestamp && !terminating)) return;
      const status = computePodStatus(pod as unknown as Record<string, unknown>, this.options.syncer.view(pod), new Date().toISOString().replace(/\.\d+Z$/, 'Z'), { terminating });
      if (sameStatus((pod as unknown as { status?: unknown }).status, status)) return;
      const updated = cloneObject(pod) as KubeObject & { status?: unknown };
      updated.status = status;
      try {
        const written = await this.options.client.updateStatus(this.desc, updated);
        // Keep our view current until the watch catches up, so the next sync compares against it.
        if (this.pods.get(uid)?.metadata.resourceVersion === pod.metadata.resourceVersion) this.pods.set(uid, written);
        return;
      } catch (err) {
        if (isApiError(err) && err.code === 404) return;
        if (!isApiError(err) || err.code !== 409) throw err;
        const fresh = await this.options.client.get(this.desc, pod.metadata.namespace, pod.metadata.name!).catch(() => undefined);
        if (!fresh || fresh.metadata.uid !== uid) return;
        this.pods.set(uid, fresh);
      }
    }
  }
}
