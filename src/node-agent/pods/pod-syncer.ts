// One pod's reconcile step (level-triggered, called serialized per pod by the PodManager):
// sandbox, volumes, init containers in order, app containers with restart policy and back-off,
// probes, and graceful termination when the pod is being deleted.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Logger } from '../../client/log.js';
import { canonicalImage } from '../images/image-ref.js';
import type { ImageRecord, ImageStore } from '../images/image-store.js';
import type { PodNetwork } from '../network/pod-network.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { unmount, unmountAllUnder } from '../runtime/rootfs.js';
import { afterFailure, afterRetry, formatDuration, NO_BACKOFF, type BackoffPolicy } from './backoff.js';
import { logTail } from './container-logs.js';
import { ContainerConfigError, containerRunDir, createAndStartContainer, readTerminationMessage, removeContainer, type PodContext as StartContext, type StarterContext } from './container-starter.js';
import { ensureImage, ImagePullFailure } from './image-puller.js';
import type { Dialer } from '../probes/netns-dial.js';
import type { KubeletDeps, ObjectSource, ProbeTarget, ProbeWorkerLike, VolumeManagerLike } from './kubelet-deps.js';
import { hostPortMappings } from './host-ports.js';
import { ensureSandbox } from './pod-sandbox.js';
import { podSysctls } from './container-config.js';
import { forgetRecord, podDir, saveRecord, type ContainerRecord, type PodRecord } from './pod-record.js';
import { activeDeadlineLeftMs, podPhase, terminatedReason, type ContainerView, type PodView } from './pod-status.js';
import { admissionRejection, type AdmissionNode, type AdmissionPod, type Rejection } from './admission.js';

type Json = Record<string, unknown>;

export interface PodSyncerOptions {
  runtime: ContainerRuntime;
  network: PodNetwork;
  images: ImageStore;
  volumes: VolumeManagerLike;
  deps: KubeletDeps;
  source: ObjectSource;
  events: EventRecorder;
  starter: StarterContext;
  crashBackoff: BackoffPolicy;
  pullBackoff: BackoffPolicy;
  hostIp: string;
  /** How probes and httpGet hooks connect when the pods' network is not the agent's (--node-netns). */
  probeDialer?: Dialer;
  /** This node's object, for admission (undefined until known: admission waits). */
  ownNode?: () => AdmissionNode | undefined;
  /** The pods bound to this node as the agent's watch sees them (admission counts those already running). */
  nodePods?: () => KubeObject[];
  log: Logger;
  /** Asks for another sync of the pod (probe results, kills). */
  trigger: (uid: string) => void;
}

const specOf = (pod: KubeObject): Json => ((pod as unknown as { spec?: Json }).spec ?? {}) as Json;
const listOf = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const podRef = (pod: KubeObject): string => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A pod some container of which was created here (by this process or before an agent restart). */
const hasStartedContainers = (rec: PodRecord): boolean => Object.values(rec.containers).some((c) => c.containerId !== undefined);

/** configMap/secret/downwardAPI volumes are re-read this often (plus jitter), like the kubelet's sync period. */
export const VOLUME_REFRESH_MS = 10_000;
/** How long a failed pull shows ErrImagePull before the status turns to ImagePullBackOff. */
export const PULL_ERROR_SHOWN_MS = 1000;
const jittered = (ms: number): number => ms + Math.floor(Math.random() * ms * 0.5);

export class PodSyncer {
  readonly records = new Map<string, PodRecord>();
  private readonly probes = new Map<string, ProbeWorkerLike[]>();
  /** Containers being killed after a failed probe (probe results meanwhile are ignored). */
  private readonly killing = new Set<string>();
  /** Volume paths of pods whose volumes are set up (kept so a failing refresh never blocks restarts). */
  private readonly volumePaths = new Map<string, Map<string, string>>();
  private readonly nextVolumeRefresh = new Map<string, number>();
  /** Pods whose hostPort mappings are in place. */
  private readonly hostPortsApplied = new Set<string>();
  /** Pods whose dir on disk was claimed from the spares (or found) by this process. */
  private readonly podDirReady = new Set<string>();
  /** The text of each pod's record as last written to disk. */
  private readonly savedRecords = new Map<string, string>();
  /** Pods admitted to run here, by uid (the latest object of each): what admission counts as the node's pods. */
  private readonly admitted = new Map<string, KubeObject>();
  /** Background removals of exited attempts, per pod uid. */
  private readonly pendingRemovals = new Map<string, Set<Promise<void>>>();
  private readonly options: PodSyncerOptions;

  constructor(options: PodSyncerOptions) {
    this.options = options;
  }

  private record(pod: KubeObject): PodRecord {
    const uid = pod.metadata.uid!;
    let rec = this.records.get(uid);
    if (!rec || !rec.name) {
      rec = { uid, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', hostNetwork: specOf(pod).hostNetwork === true, containers: rec?.containers ?? {} };
      this.records.set(uid, rec);
    }
    return rec;
  }

  private containerRecord(rec: PodRecord, spec: Json, init: boolean): ContainerRecord {
    const name = String(spec.name);
    let c = rec.containers[name];
    if (!c) {
      c = { name, init, restartCount: 0, image: String(spec.image ?? ''), backoff: NO_BACKOFF, pullBackoff: NO_BACKOFF, ready: false, started: false };
      rec.containers[name] = c;
    }
    return c;
  }

  /** One reconcile pass; returns ms after which to sync again (back-off expiry), if any. */
  async sync(pod: KubeObject): Promise<number | undefined> {
    const rec = this.record(pod);
    if (pod.metadata.deletionTimestamp) {
      await this.terminate(pod);
      return undefined;
    }
    const spec = specOf(pod);
    rec.startTime ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (!this.podDirReady.has(rec.uid)) {
      // Before anything is written to the pod's dir on disk: take over a spare one if there is.
      await this.options.starter.spares?.claim(rec.uid);
      this.podDirReady.add(rec.uid);
    }
    try {
      await this.refreshContainers(pod, rec);
      const phase = (pod as unknown as { status?: { phase?: string } }).status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return undefined;
      // Admission, as the kubelet's (admission.ts, and sysctls outside the safe set): a pod that
      // does not fit never runs. A pod's spec cannot change what is checked, so it holds for life.
      let sysctls: Record<string, string> = {};
      if (!rec.failure) {
        let rejection: Rejection | undefined;
        try {
          sysctls = podSysctls(pod as unknown as Json);
        } catch (err) {
          rejection = { reason: 'SysctlForbidden', message: (err as Error).message };
        }
        if (!rejection && !this.admitted.has(rec.uid)) {
          const verdict = this.admit(pod, rec);
          if (verdict === 'node unknown') return 1000;
          rejection = verdict;
        }
        if (rejection) {
          rec.failure = { reason: rejection.reason, message: `Pod was rejected: ${rejection.message}` };
          this.options.events.event(pod, 'Warning', rejection.reason, rejection.message);
        } else this.admitted.set(rec.uid, pod);
      }
      const deadlineLeftMs = activeDeadlineLeftMs(spec, rec.startTime, Date.now());
      if (rec.failure || (deadlineLeftMs !== undefined && deadlineLeftMs <= 0)) {
        if (!rec.failure) {
          rec.failure = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
          this.options.events.event(pod, 'Warning', 'DeadlineExceeded', rec.failure.message);
        }
        // As the kubelet: its containers are stopped (grace period first), and the pod is Failed.
        await this.stopPod(pod);
        return undefined;
      }

      if (!rec.hostNetwork && !rec.netnsPath) {
        try {
          const attachment = await this.options.network.setupPod(rec.uid, rec.name);
          rec.netnsPath = attachment.netnsPath;
          rec.podIp = attachment.ip;
        } catch (err) {
          this.options.events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
          return 5000;
        }
      }
      if (!rec.hostNetwork && !this.hostPortsApplied.has(rec.uid)) {
        try {
          const mappings = hostPortMappings(spec);
          // One nft transaction at a time: the mapping table is rewritten as a whole.
          if (mappings.length > 0) await this.serialHostPorts(() => this.options.network.setPodHostPorts(rec.uid, mappings));
          this.hostPortsApplied.add(rec.uid);
        } catch (err) {
          this.options.events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to map hostPorts: ${(err as Error).message}`);
          return 5000;
        }
      }
      const volumePaths = await this.ensureVolumes(pod, rec.uid);
      if (!volumePaths) return 5000;
      const pc: StartContext = { pod, podIp: rec.podIp ?? this.options.hostIp, netnsPath: rec.netnsPath, volumePaths, sysctls };
      if (spec.shareProcessNamespace === true && spec.hostPID !== true) {
        try {
          const holder = await ensureSandbox(this.options.starter, pc);
          pc.pidNsPath = `/proc/${holder}/ns/pid`;
          // Its IPC namespace too, as the pause container's is every container's in Kubernetes.
          if (spec.hostIPC !== true) pc.ipcNsPath = `/proc/${holder}/ns/ipc`;
        } catch (err) {
          this.options.events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to start the pod's shared PID namespace: ${(err as Error).message}`);
          return 5000;
        }
      }
      const policy = typeof spec.restartPolicy === 'string' ? spec.restartPolicy : 'Always';

      // Once any app container has run, the pod is initialized: a restarting sidecar no longer blocks.
      const initialized = listOf(spec.containers).some((s) => rec.containers[String(s.name)]?.containerId !== undefined);
      let requeue: number | undefined;
      for (const initSpec of listOf(spec.initContainers)) {
        const c = this.containerRecord(rec, initSpec, true);
        const sidecar = initSpec.restartPolicy === 'Always';
        if (c.containerId && !c.terminated) {
          if (!sidecar) return undefined; // running: wait for it (its exit triggers a sync)
          this.ensureProbes(pod, rec, initSpec, c);
          if (c.started || initialized) continue;
          return undefined; // sidecar waiting for its startup probe
        }
        if (c.terminated && c.terminated.exitCode === 0 && !sidecar) continue;
        if (c.terminated && policy === 'Never' && !sidecar) return undefined; // pod fails
        const wait = await this.startOrBackoff(pc, initSpec, c, rec);
        if (sidecar && c.containerId && !c.terminated && c.started) continue;
        if (sidecar && initialized) {
          if (wait !== undefined) requeue = requeue === undefined ? wait : Math.min(requeue, wait);
          continue;
        }
        return wait;
      }

      for (const appSpec of listOf(spec.containers)) {
        const c = this.containerRecord(rec, appSpec, false);
        if (c.containerId && !c.terminated) {
          this.ensureProbes(pod, rec, appSpec, c);
          continue;
        }
        if (c.terminated) {
          const restart = policy === 'Always' || (policy === 'OnFailure' && c.terminated.exitCode !== 0);
          if (!restart) continue;
        }
        const wait = await this.startOrBackoff(pc, appSpec, c, rec);
        if (wait !== undefined) requeue = requeue === undefined ? wait : Math.min(requeue, wait);
      }
      // Ephemeral containers (kubectl debug) start once the pod's own have, and never restart.
      for (const ephemeralSpec of listOf(spec.ephemeralContainers)) {
        const c = this.containerRecord(rec, ephemeralSpec, false);
        if (c.containerId || c.terminated) continue;
        const target = rec.containers[String(ephemeralSpec.targetContainerName ?? '')];
        const targetPid = target?.containerId && !target.terminated ? this.options.runtime.containerPid(target.containerId) : undefined;
        const wait = await this.startOrBackoff({ ...pc, pidNsPath: targetPid ? `/proc/${targetPid}/ns/pid` : pc.pidNsPath }, ephemeralSpec, c, rec);
        if (wait !== undefined) requeue = requeue === undefined ? wait : Math.min(requeue, wait);
      }
      // Come back when the active deadline is due, to fail the pod on time.
      if (deadlineLeftMs !== undefined) requeue = requeue === undefined ? deadlineLeftMs : Math.min(requeue, deadlineLeftMs);
      return requeue;
    } finally {
      if (this.records.has(rec.uid)) this.saveIfChanged(rec);
    }
  }

  /**
   * Writes the pod's record when it differs from what was last written: most syncs (periodic
   * resyncs, the echo of our own status write) change nothing, and each write is a new file.
   */
  private saveIfChanged(rec: PodRecord): void {
    const text = JSON.stringify(rec);
    if (this.savedRecords.get(rec.uid) === text) return;
    saveRecord(this.options.starter.podsDir, rec, text);
    this.savedRecords.set(rec.uid, text);
  }

  private hostPortChain: Promise<unknown> = Promise.resolve();

  private serialHostPorts(work: () => Promise<void>): Promise<void> {
    const next = this.hostPortChain.then(work, work);
    this.hostPortChain = next.catch(() => undefined);
    return next;
  }

  /** Sets the volumes up once, then refreshes API-data volumes every VOLUME_REFRESH_MS (jittered). */
  private async ensureVolumes(pod: KubeObject, uid: string): Promise<Map<string, string> | undefined> {
    const known = this.volumePaths.get(uid);
    if (known) {
      if (Date.now() >= (this.nextVolumeRefresh.get(uid) ?? 0)) {
        this.nextVolumeRefresh.set(uid, Date.now() + jittered(VOLUME_REFRESH_MS));
        await this.options.volumes.refresh(pod).catch((err: unknown) => this.options.log.warn('volume refresh failed', { uid, err }));
      }
      return known;
    }
    try {
      const paths = await this.options.volumes.setup(pod);
      this.volumePaths.set(uid, paths);
      this.nextVolumeRefresh.set(uid, Date.now() + jittered(VOLUME_REFRESH_MS));
      return paths;
    } catch (err) {
      this.options.events.event(pod, 'Warning', 'FailedMount', (err as Error).message);
      return undefined;
    }
  }

  /** The next sync re-reads the pod's configMap/secret/downwardAPI volumes (pod labels or annotations changed). */
  requestVolumeRefresh(uid: string): void {
    if (this.volumePaths.has(uid)) this.nextVolumeRefresh.set(uid, 0);
  }

  /** Reads the runtime state of every current container; records exits once. */
  private async refreshContainers(pod: KubeObject, rec: PodRecord): Promise<void> {
    const spec = specOf(pod);
    const specs = [...listOf(spec.initContainers), ...listOf(spec.containers), ...listOf(spec.ephemeralContainers)];
    for (const c of Object.values(rec.containers)) {
      if (!c.containerId || c.terminated) continue;
      const status = await this.options.runtime.status(c.containerId);
      if (status.state === 'running' || status.state === 'created') continue;
      const exitCode = status.exitCode ?? 137;
      const containerSpec = specs.find((s) => s.name === c.name) ?? { name: c.name };
      const message = status.state === 'unknown' && status.exitCode === undefined
        ? 'The container could not be located when the pod was terminated'
        : await readTerminationMessage(this.options.starter, rec.uid, containerSpec, c.restartCount, exitCode, (p) => logTail(p));
      const finishedAt = status.finishedAt ?? new Date().toISOString();
      c.terminated = {
        exitCode,
        reason: status.state === 'unknown' && status.exitCode === undefined ? 'ContainerStatusUnknown' : terminatedReason(exitCode, status.oomKilled === true),
        message,
        startedAt: c.startedAt,
        finishedAt: finishedAt.replace(/\.\d+Z$/, 'Z'),
        containerID: c.containerId,
      };
      c.ready = false;
      c.started = false;
      this.stopProbes(rec.uid, c.name);
      const ranFor = c.startedAt ? Date.parse(finishedAt) - Date.parse(c.startedAt) : 0;
      c.backoff = afterFailure(c.backoff, this.options.crashBackoff, Date.parse(finishedAt), ranFor);
    }
  }

  /** Starts (or restarts) a container unless a back-off says to wait; returns the wait in ms. */
  private async startOrBackoff(pc: StartContext, spec: Json, c: ContainerRecord, rec: PodRecord): Promise<number | undefined> {
    const pod = pc.pod;
    const now = Date.now();
    const image = String(spec.image ?? '');
    if (c.terminated) {
      if (c.backoff.notBeforeMs > now) {
        const message = `back-off ${formatDuration(c.backoff.delayMs)} restarting failed container=${c.name} pod=${podRef(pod)}`;
        if (c.waiting?.reason !== 'CrashLoopBackOff' || c.waiting.message !== message) {
          this.options.events.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podRef(pod)}`);
        }
        c.waiting = { reason: 'CrashLoopBackOff', message };
        return c.backoff.notBeforeMs - now;
      }
    }
    if ((c.waiting?.reason === 'ErrImagePull' || c.waiting?.reason === 'ImagePullBackOff') && c.pullBackoff.notBeforeMs > now) {
      const detail = c.waiting.reason === 'ErrImagePull' ? c.waiting.message : c.waiting.message?.replace(/^Back-off pulling image "[^"]*": ErrImagePull: /, '');
      if (c.waiting.reason === 'ErrImagePull') this.options.events.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      c.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${detail ?? ''}` };
      return c.pullBackoff.notBeforeMs - now;
    }

    let imageRecord;
    try {
      imageRecord = await ensureImage({ images: this.options.images, source: this.options.source, events: this.options.events }, pod, spec);
      c.pullBackoff = NO_BACKOFF;
    } catch (err) {
      const failure = err instanceof ImagePullFailure ? err : new ImagePullFailure('ErrImagePull', (err as Error).message);
      c.pullBackoff = afterRetry(afterFailure(c.pullBackoff, this.options.pullBackoff, Date.now()), this.options.pullBackoff);
      c.pullBackoff = { delayMs: c.pullBackoff.delayMs, notBeforeMs: Date.now() + c.pullBackoff.delayMs };
      c.waiting = { reason: failure.reason, message: failure.message };
      // Sync again soon to report the back-off (ErrImagePull -> ImagePullBackOff, as the kubelet's
      // next sync does); that sync then waits out the rest of the delay.
      return Math.min(c.pullBackoff.delayMs, PULL_ERROR_SHOWN_MS);
    }

    // A restart replaces the exited container: its status becomes lastState. As in Kubernetes the
    // new attempt (its own id, rootfs, log and cgroup) starts first; the exited one is removed
    // afterwards in the background lane, and its log stays for `logs --previous`.
    let attempt = c.restartCount;
    let exited: { attempt: number; id: string } | undefined;
    if (c.terminated && c.containerId) {
      c.lastTerminated = c.terminated;
      exited = { attempt: c.restartCount, id: c.containerId };
      attempt = c.restartCount + 1;
      c.backoff = afterRetry(c.backoff, this.options.crashBackoff);
    }
    try {
      return await this.createContainer(pod, rec, pc, spec, c, image, imageRecord, attempt);
    } finally {
      if (exited) this.removeExitedInBackground(rec.uid, c.name, exited.attempt, exited.id);
    }
  }

  /** Removes an exited attempt off the start path; cleanup(uid) waits for it. */
  private removeExitedInBackground(uid: string, name: string, attempt: number, id: string): void {
    const pending = this.pendingRemovals.get(uid) ?? new Set<Promise<void>>();
    this.pendingRemovals.set(uid, pending);
    const removal: Promise<void> = removeContainer(this.options.starter, uid, name, attempt)
      .catch((err: unknown) => this.options.log.warn('removing old container failed', { container: id, err }))
      .finally(() => {
        pending.delete(removal);
        if (pending.size === 0 && this.pendingRemovals.get(uid) === pending) this.pendingRemovals.delete(uid);
      });
    pending.add(removal);
  }

  private async createContainer(pod: KubeObject, rec: PodRecord, pc: StartContext, spec: Json, c: ContainerRecord, image: string, imageRecord: ImageRecord, attempt: number): Promise<number | undefined> {
    try {
      const id = await createAndStartContainer(this.options.starter, pc, spec, imageRecord, attempt);
      c.restartCount = attempt;
      c.containerId = id;
      c.terminated = undefined;
      c.waiting = undefined;
      c.startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      // The runtime reports the image by its full name (docker.io/library/nginx:1.14.2), as containerd does.
      c.image = canonicalImage(image);
      c.imageID = imageRecord.repoDigests[0] ?? imageRecord.id;
      c.stopSignal = imageRecord.config.stopSignal;
      c.started = spec.startupProbe === undefined;
      c.ready = false;
      this.options.events.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
      this.options.events.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
      if (!c.init || spec.restartPolicy === 'Always') this.ensureProbes(pod, rec, spec, c);
      await this.postStart(pod, spec, c, rec);
      return undefined;
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof ContainerConfigError) {
        c.waiting = { reason: 'CreateContainerConfigError', message };
        this.options.events.event(pod, 'Warning', 'Failed', `Error: ${message}`);
        if (c.terminated) c.lastTerminated = c.terminated;
        return 5000;
      }
      this.options.log.warn('container start failed', { pod: podRef(pod), container: c.name, err });
      this.options.events.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      c.waiting = { reason: 'CreateContainerError', message };
      c.restartCount = attempt;
      c.containerId = undefined;
      c.terminated = undefined;
      await removeContainer(this.options.starter, rec.uid, c.name, attempt).catch(() => undefined);
      c.backoff = { delayMs: c.backoff.delayMs || this.options.crashBackoff.baseMs, notBeforeMs: Date.now() + (c.backoff.delayMs || this.options.crashBackoff.baseMs) };
      return c.backoff.notBeforeMs - Date.now();
    }
  }

  private probeTarget(rec: PodRecord, c: ContainerRecord, spec: Json): ProbeTarget {
    const runtime = this.options.runtime;
    return {
      podIp: rec.podIp ?? this.options.hostIp,
      exec: (cmd, timeoutMs) => execCollect(runtime, c.containerId!, cmd, timeoutMs),
      container: spec,
      dial: this.options.probeDialer,
    };
  }

  private async postStart(pod: KubeObject, spec: Json, c: ContainerRecord, rec: PodRecord): Promise<void> {
    const handler = ((spec.lifecycle as Json | undefined)?.postStart) as Json | undefined;
    if (!handler) return;
    const result = await this.options.deps.runHandler(handler, this.probeTarget(rec, c, spec), 30_000).catch((err: unknown) => ({ ok: false, output: (err as Error).message }));
    if (result.ok) return;
    this.options.events.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${result.output}`);
    await this.stopContainer(pod, spec, c, rec, 2, false);
  }

  private ensureProbes(pod: KubeObject, rec: PodRecord, spec: Json, c: ContainerRecord): void {
    const key = `${rec.uid}/${c.name}`;
    if (this.probes.has(key) || !c.containerId) return;
    const workers: ProbeWorkerLike[] = [];
    this.probes.set(key, workers);
    const id = c.containerId;
    const target = this.probeTarget(rec, c, spec);
    const make = (kind: 'liveness' | 'readiness' | 'startup', probe: Json, onChange: (healthy: boolean, output: string) => void): ProbeWorkerLike => {
      const timeoutMs = (typeof probe.timeoutSeconds === 'number' ? probe.timeoutSeconds : 1) * 1000;
      const worker = this.options.deps.createProbeWorker({
        kind,
        probe,
        run: () => this.options.deps.runProbe(probe, target, timeoutMs),
        onChange: (healthy, result) => {
          if (c.containerId !== id || c.terminated || this.killing.has(id)) return;
          onChange(healthy, result.output);
        },
      });
      workers.push(worker);
      worker.start();
      return worker;
    };
    const startMain = (): void => {
      if (spec.livenessProbe) {
        make('liveness', spec.livenessProbe as Json, (healthy, output) => {
          if (healthy) return;
          this.options.events.event(pod, 'Warning', 'Unhealthy', `Liveness probe failed: ${output.trim()}`);
          this.killFailed(pod, spec, c, rec, `Container ${c.name} failed liveness probe, will be restarted`);
        });
      }
      if (spec.readinessProbe) {
        make('readiness', spec.readinessProbe as Json, (healthy, output) => {
          if (!healthy) this.options.events.event(pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${output.trim()}`);
          c.ready = healthy;
          this.options.trigger(rec.uid);
        });
      } else {
        c.ready = c.started;
      }
    };
    if (spec.startupProbe && !c.started) {
      const startup = make('startup', spec.startupProbe as Json, (healthy, output) => {
        if (!healthy) {
          this.options.events.event(pod, 'Warning', 'Unhealthy', `Startup probe failed: ${output.trim()}`);
          this.killFailed(pod, spec, c, rec, `Container ${c.name} failed startup probe, will be restarted`);
          return;
        }
        c.started = true;
        startup.stop();
        startMain();
        this.options.trigger(rec.uid);
      });
    } else {
      c.started = true;
      startMain();
    }
  }

  private killFailed(pod: KubeObject, spec: Json, c: ContainerRecord, rec: PodRecord, reason: string): void {
    const id = c.containerId;
    if (!id || this.killing.has(id)) return;
    this.killing.add(id);
    c.killReason = reason;
    void this.stopContainer(pod, spec, c, rec, graceSeconds(pod), true).finally(() => {
      this.killing.delete(id);
      this.options.trigger(rec.uid);
    });
  }

  private stopProbes(uid: string, name?: string): void {
    for (const [key, workers] of this.probes) {
      if (key === `${uid}/${name}` || (name === undefined && key.startsWith(`${uid}/`))) {
        for (const w of workers) w.stop();
        this.probes.delete(key);
      }
    }
  }

  /** preStop, the stop signal, the grace period, then SIGKILL. */
  private async stopContainer(pod: KubeObject, spec: Json, c: ContainerRecord, rec: PodRecord, grace: number, runPreStop: boolean): Promise<void> {
    const id = c.containerId;
    if (!id) return;
    this.stopProbes(rec.uid, c.name);
    this.options.events.event(pod, 'Normal', 'Killing', c.killReason ?? `Stopping container ${c.name}`);
    c.killReason = undefined;
    const deadline = Date.now() + grace * 1000;
    const preStop = ((spec.lifecycle as Json | undefined)?.preStop) as Json | undefined;
    if (runPreStop && preStop) {
      const result = await this.options.deps.runHandler(preStop, this.probeTarget(rec, c, spec), Math.max(1000, grace * 1000)).catch((err: unknown) => ({ ok: false, output: (err as Error).message }));
      if (!result.ok) this.options.events.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${result.output}`);
    }
    const runtime = this.options.runtime;
    await runtime.kill(id, c.stopSignal ?? 'TERM').catch(() => undefined);
    let status = await runtime.waitForExit(id, Math.max(0, deadline - Date.now()));
    if (status.state === 'running' || status.state === 'created') {
      await runtime.kill(id, 'KILL').catch(() => undefined);
      status = await runtime.waitForExit(id, 10_000);
    }
  }

  /** Graceful termination of a pod being deleted, then teardown and the final DELETE (by the manager). */
  async terminate(pod: KubeObject): Promise<void> {
    await this.stopPod(pod);
    await this.cleanup(pod.metadata.uid!);
  }

  /**
   * Stops every running container of the pod (preStop, stop signal, grace period, SIGKILL) and
   * records how each ended, so the final status can show them terminated.
   */
  async stopPod(pod: KubeObject): Promise<void> {
    const rec = this.record(pod);
    const spec = specOf(pod);
    const grace = graceSeconds(pod);
    const specs = [...listOf(spec.initContainers), ...listOf(spec.containers)];
    this.stopProbes(rec.uid);
    const deadline = Date.now() + grace * 1000;
    const stop = (containers: ContainerRecord[], seconds: number) => Promise.all(containers.filter((c) => c.containerId && !c.terminated).map(async (c) => {
      const status = await this.options.runtime.status(c.containerId!);
      if (status.state !== 'running' && status.state !== 'created') return;
      await this.stopContainer(pod, specs.find((s) => s.name === c.name) ?? {}, c, rec, seconds, true);
    }));
    // Sidecars (restartable init containers) outlive the app containers, as in Kubernetes; they get
    // what is left of the grace period, at least 2 s.
    const sidecarNames = new Set(listOf(spec.initContainers).filter((s) => s.restartPolicy === 'Always').map((s) => String(s.name)));
    const all = Object.values(rec.containers);
    await stop(all.filter((c) => !sidecarNames.has(c.name)), grace);
    await stop(all.filter((c) => sidecarNames.has(c.name)), Math.max(2, Math.ceil((deadline - Date.now()) / 1000)));
    await this.refreshContainers(pod, rec).catch((err: unknown) => this.options.log.warn('reading final container states failed', { uid: rec.uid, err }));
  }

  /** Removes everything of a pod on this node: containers, rootfs mounts, volumes, netns, files. */
  async cleanup(uid: string): Promise<void> {
    this.stopProbes(uid);
    await Promise.all(this.pendingRemovals.get(uid) ?? []);
    const rec = this.records.get(uid);
    const prefix = uid.replace(/-/g, '').slice(0, 16) + '_';
    const runtime = this.options.runtime;
    for (const id of await runtime.listIds()) {
      if (id.startsWith(prefix)) await runtime.delete(id).catch((err: unknown) => this.options.log.warn('container delete failed', { container: id, err }));
    }
    const dir = podDir(this.options.starter.podsDir, uid);
    for (const c of Object.values(rec?.containers ?? {})) {
      for (let attempt = Math.max(0, c.restartCount - 1); attempt <= c.restartCount; attempt++) {
        await unmount(join(containerRunDir(this.options.starter, uid, c.name, attempt), 'merged')).catch(() => undefined);
      }
    }
    await this.options.volumes.teardown(uid).catch((err: unknown) => this.options.log.warn('volume teardown failed', { uid, err }));
    await this.options.network.teardownPod(uid).catch((err: unknown) => this.options.log.warn('network teardown failed', { uid, err }));
    await unmountAllUnder(dir);
    const recycled = await this.options.starter.spares?.recycle(uid).catch((err: unknown) => {
      this.options.log.warn('keeping the pod dir as a spare failed', { uid, err });
      return false;
    });
    if (!recycled) await rm(dir, { recursive: true, force: true });
    const runDir = this.options.starter.runPodsDir;
    if (runDir) {
      await unmountAllUnder(podDir(runDir, uid));
      await rm(podDir(runDir, uid), { recursive: true, force: true });
    }
    this.records.delete(uid);
    this.admitted.delete(uid);
    forgetRecord(this.options.starter.podsDir, uid);
    this.podDirReady.delete(uid);
    this.savedRecords.delete(uid);
    this.volumePaths.delete(uid);
    this.nextVolumeRefresh.delete(uid);
    this.hostPortsApplied.delete(uid);
  }

  /**
   * Checks a pod against this node and the pods already admitted that have not ended. A pod that
   * already has containers (adopted after an agent restart) was admitted before and stays, and
   * counts for the others even before its own first sync.
   * Synchronous between the check and the caller's record of the admission: two pods admitted
   * at once cannot both take the last room.
   */
  private admit(pod: KubeObject, rec: PodRecord): Rejection | undefined | 'node unknown' {
    if (hasStartedContainers(rec)) return undefined;
    if (!this.options.ownNode) return undefined;
    const node = this.options.ownNode();
    if (!node) return 'node unknown';
    const counted = new Map(this.admitted);
    // After an agent restart, pods whose containers run here count before their first sync.
    for (const other of this.options.nodePods?.() ?? []) {
      const uid = other.metadata.uid ?? '';
      const known = this.records.get(uid);
      if (!counted.has(uid) && known && hasStartedContainers(known)) counted.set(uid, other);
    }
    const others: AdmissionPod[] = [];
    for (const [uid, other] of counted) {
      if (uid === rec.uid) continue;
      const phase = podPhase(other as unknown as Json, this.view(other));
      if (phase !== 'Succeeded' && phase !== 'Failed') others.push(other as AdmissionPod);
    }
    return admissionRejection(pod as AdmissionPod, others, node);
  }

  /** What the status function needs, from the record. */
  view(pod: KubeObject): PodView {
    const rec = this.record(pod);
    const spec = specOf(pod);
    const toView = (s: Json, init: boolean): ContainerView | undefined => {
      const c = rec.containers[String(s.name)];
      if (!c) return undefined;
      let state: ContainerView['state'];
      if (c.waiting && !(c.containerId && !c.terminated)) state = { kind: 'waiting', reason: c.waiting.reason, message: c.waiting.message };
      else if (c.terminated) state = { kind: 'terminated', terminated: c.terminated };
      else if (c.containerId) state = { kind: 'running', startedAt: c.startedAt ?? '' };
      else state = { kind: 'waiting', reason: init ? 'PodInitializing' : 'ContainerCreating' };
      const running = state.kind === 'running';
      return {
        name: c.name,
        image: c.image || String(s.image ?? ''),
        imageID: c.imageID,
        containerID: c.terminated || !c.containerId ? c.terminated?.containerID : c.containerId,
        restartCount: c.restartCount,
        state,
        lastTerminated: c.lastTerminated,
        ready: running && c.ready && c.started,
        started: running && c.started,
      };
    };
    return {
      initContainers: listOf(spec.initContainers).map((s) => toView(s, true)).filter((v): v is ContainerView => v !== undefined),
      containers: listOf(spec.containers).map((s) => toView(s, false)).filter((v): v is ContainerView => v !== undefined),
      ephemeralContainers: listOf(spec.ephemeralContainers).map((s) => toView(s, false)).filter((v): v is ContainerView => v !== undefined),
      sandboxReady: rec.hostNetwork || rec.netnsPath !== undefined,
      podIp: rec.hostNetwork ? this.options.hostIp : rec.podIp,
      hostIp: this.options.hostIp,
      startTime: rec.startTime,
      failure: rec.failure,
    };
  }

  /** Stops every probe worker (agent shutdown; containers keep running). */
  stopAll(): void {
    for (const workers of this.probes.values()) for (const w of workers) w.stop();
    this.probes.clear();
  }
}

export function graceSeconds(pod: KubeObject): number {
  const fromMeta = pod.metadata.deletionGracePeriodSeconds;
  if (typeof fromMeta === 'number') return fromMeta;
  const fromSpec = specOf(pod).terminationGracePeriodSeconds;
  return typeof fromSpec === 'number' ? fromSpec : 30;
}

/** Runs a command in a container, collecting output, killed after `timeoutMs`. */
export async function execCollect(runtime: ContainerRuntime, id: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  const proc = runtime.exec(id, cmd, { tty: false, stdin: false });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve(-1);
    }, timeoutMs);
  });
  const exitCode = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (exitCode === -1) return { exitCode: 1, output: `command timed out after ${timeoutMs}ms` };
  await sleep(0);
  return { exitCode, output: output.slice(0, 10240) };
}
