// Watches the pods bound to this node and syncs each pod serialized, when something happened to it
// (pod update, container exit seen in conmon's exit dir, probe result, back-off timer) plus one
// periodic resync per pod; see sync-scheduler.ts. Also re-adopts containers after an agent
// restart, cleans up pods that are gone, writes pods/status when it changed and sends the final
// DELETE once a terminating pod is torn down.

import { watch, type FSWatcher } from 'node:fs';
import { mkdirSync, readdirSync } from 'node:fs';
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
import { DEFAULT_MAX_CONCURRENT_SYNCS, DEFAULT_RESYNC_MS, SyncScheduler } from './sync-scheduler.js';

/** How often the exit dir is listed in case fs.watch missed an event. */
export const EXIT_DIR_POLL_MS = 3000;

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

export function podsDescriptor(): ResourceDescriptor {
  const desc = findKind('', 'v1', 'Pod');
  if (!desc) throw new Error('pods missing from the resource table');
  return desc;
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
  /** Periodic resync of each pod (default 10 s). */
  resyncMs?: number;
  /** Pod syncs running at once (default 8; deletions are not limited). */
  maxConcurrentSyncs?: number;
  log: Logger;
}

export class PodManager {
  readonly informer: Informer;
  private readonly options: PodManagerOptions;
  readonly scheduler: SyncScheduler;
  private readonly pods = new Map<string, KubeObject>();
  private readonly desc = podsDescriptor();
  private watcher?: FSWatcher;
  private stopped = false;
  /** Exit files already seen (the poll fallback triggers only on new ones). */
  private seenExits = new Set<string>();

  constructor(options: PodManagerOptions) {
    this.options = options;
    this.scheduler = new SyncScheduler({
      sync: (uid) => this.syncOnce(uid),
      keep: (uid) => this.pods.has(uid) || options.syncer.records.has(uid),
      bypassesCap: (uid) => {
        const pod = this.pods.get(uid);
        return !pod || pod.metadata.deletionTimestamp !== undefined;
      },
      onError: (uid, err) => options.log.error('pod sync failed', { uid, err }),
      maxConcurrent: options.maxConcurrentSyncs ?? DEFAULT_MAX_CONCURRENT_SYNCS,
      resyncMs: options.resyncMs ?? DEFAULT_RESYNC_MS,
    });
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
    const known = this.pods.get(uid);
    this.pods.set(uid, pod);
    // Our own status write coming back through the watch (writeStatus already keeps the written
    // object): nothing changed, so no sync; it would only occupy a slot new pods are waiting for.
    if (known?.metadata.resourceVersion === pod.metadata.resourceVersion) return;
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
    this.seenExits = new Set(this.listExitDir());
    try {
      this.watcher = watch(this.options.exitDir, (_event, file) => {
        if (file) this.onExitFile(String(file));
      });
      this.watcher.on('error', (err) => this.options.log.warn('exit dir watch failed; polling only', { err }));
    } catch (err) {
      this.options.log.warn('cannot watch the exit dir; polling only', { err });
    }
    const poll = setInterval(() => this.pollExitDir(), EXIT_DIR_POLL_MS);
    poll.unref();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.stopped = true;
    clearInterval(poll);
    this.watcher?.close();
    this.options.syncer.stopAll();
    await informerRun;
    // Let running syncs finish (they are short except terminations).
    await this.scheduler.stop(5000);
  }

  private listExitDir(): string[] {
    try {
      return readdirSync(this.options.exitDir);
    } catch {
      return [];
    }
  }

  /** Triggers the pod whose container (`<uid prefix>_<name>_<attempt>`) wrote an exit file. */
  private onExitFile(file: string): void {
    this.seenExits.add(file);
    const prefix = file.split('_')[0] ?? '';
    if (!prefix) return;
    for (const uid of this.options.syncer.records.keys()) if (uid.replace(/-/g, '').startsWith(prefix)) this.trigger(uid);
  }

  /** Fallback for missed fs.watch events: new exit files since the last look. */
  private pollExitDir(): void {
    if (this.stopped) return;
    const now = this.listExitDir();
    const seen = this.seenExits;
    this.seenExits = new Set();
    for (const file of now) {
      if (seen.has(file)) this.seenExits.add(file);
      else this.onExitFile(file);
    }
  }

  /** Containers in the runtime that belong to no pod we know: delete them. */
  private async cleanupStrayContainers(): Promise<void> {
    const runtime = this.options.runtime;
    const known = new Set([...this.options.syncer.records.keys(), ...this.pods.keys()].map((uid) => uid.replace(/-/g, '').slice(0, 16)));
    for (const id of await runtime.listIds()) {
      const prefix = id.split('_')[0] ?? '';
      if (!known.has(prefix)) {
        this.options.log.info('removing a container of no known pod', { container: id });
        await runtime.delete(id).catch(() => undefined);
      }
    }
    // Pod networks nobody owns any more.
    const network = this.options.network;
    for (const uid of network.podUids()) {
      if (!this.options.syncer.records.has(uid) && !this.pods.has(uid)) await network.teardownPod(uid).catch(() => undefined);
    }
  }

  /** Asks for a sync of the pod now (coalesced) or after `afterMs`. */
  trigger(uid: string, afterMs = 0): void {
    if (this.stopped) return;
    this.scheduler.trigger(uid, afterMs);
  }

  private async syncOnce(uid: string): Promise<number | undefined> {
    const pod = this.pods.get(uid);
    if (pod && !pod.metadata.deletionTimestamp) {
      const requeue = await this.options.syncer.sync(pod);
      await this.writeStatus(uid);
      return requeue;
    }
    // Its container removals use the helper processes' background lane (ContainerRuntime.delete).
    await this.teardown(uid, pod);
    return undefined;
  }

  /** A pod that is gone (remove what is left) or being deleted (stop, final status, remove, DELETE). */
  private async teardown(uid: string, pod: KubeObject | undefined): Promise<void> {
    const syncer = this.options.syncer;
    if (!pod) {
      if (syncer.records.has(uid)) {
        this.options.log.info('pod is gone; removing its containers', { uid });
        await syncer.cleanup(uid);
      }
      return;
    }
    await syncer.stopPod(pod);
    // Like the kubelet: the containers' final states (and the terminal phase) before the pod goes.
    await this.writeStatus(uid, true).catch((err: unknown) => this.options.log.warn('writing the final pod status failed', { uid, err }));
    await syncer.cleanup(uid);
    await this.finalDelete(pod);
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
