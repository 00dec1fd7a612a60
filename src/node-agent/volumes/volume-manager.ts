// Sets up a pod's volumes under <podsDir>/<uid>/volumes/<plugin>/<name>, keeps API data volumes
// (configMap, secret, downwardAPI, projected) current, and removes everything on teardown.

import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import type { Logger } from '../../client/log.js';
import type { OciMount } from '../runtime/oci-spec.js';
import { writeAtomic, type Payload } from './atomic-writer.js';
import { setupEmptyDir, unmount } from './empty-dir.js';
import { mountsUnder } from '../runtime/rootfs.js';
import { checkHostPathType } from './host-path.js';
import type { ObjectSource } from './object-source.js';
import { configMapPayload, DEFAULT_FILE_MODE, downwardApiPayload, mergePayloads, secretPayload } from './payloads.js';
import { resolveClaimPath } from './persistent-volume.js';
import { ServiceAccountTokenCache, type TokenSource } from './service-account-token.js';
import { podFsGroup, setVolumeOwnership } from './volume-ownership.js';
import { errorMessage, mountFailed, VolumeError } from './volume-errors.js';

export type { OciMount };
export { containerMounts } from './container-mounts.js';
export { VolumeError, ContainerConfigError } from './volume-errors.js';
export type { ObjectSource } from './object-source.js';

type Obj = Record<string, unknown>;

/** Directory names per volume plugin, as the kubelet lays them out. */
export const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

const API_DATA_KINDS = ['configMap', 'secret', 'downwardAPI', 'projected'] as const;
type ApiDataKind = (typeof API_DATA_KINDS)[number];

export interface VolumeManagerOptions {
  podsDir: string;
  /** configMap, secret, downwardAPI and projected volumes go here (the agent's tmpfs); podsDir when unset. */
  runPodsDir?: string;
  source: ObjectSource;
  log?: Logger;
  /** Node allocatable, for downwardAPI resourceFieldRef limits a container leaves unset. */
  allocatable?: Record<string, string>;
}

export class VolumeManager {
  private readonly podsDir: string;
  private readonly runPodsDir: string;
  private readonly source: ObjectSource;
  private readonly log?: Logger;
  private readonly allocatable: Record<string, string>;
  /** Per pod uid: the tail of its serialised volume operations. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly tokens: ServiceAccountTokenCache;

  constructor(options: VolumeManagerOptions) {
    this.podsDir = resolve(options.podsDir);
    this.runPodsDir = resolve(options.runPodsDir ?? options.podsDir);
    this.source = options.source;
    const source = options.source;
    this.tokens = new ServiceAccountTokenCache(source.requestServiceAccountToken ? { requestServiceAccountToken: (ns, sa, req) => source.requestServiceAccountToken!(ns, sa, req) } : undefined);
    this.log = options.log;
    this.allocatable = options.allocatable ?? {};
  }

  /** The pod's volumes dir on disk (emptyDir), or under `base` (the run dir, for the API data kinds). */
  volumesDir(podUid: string, base = this.podsDir): string {
    return join(base, podUid, 'volumes');
  }

  /** Volume name -> host path. Idempotent. Throws VolumeError (reason FailedMount). */
  setup(pod: KubeObject): Promise<Map<string, string>> {
    return this.serialised(podUidOf(pod), async () => {
      const paths = new Map<string, string>();
      for (const volume of podVolumes(pod)) {
        const name = String(volume.name ?? '');
        try {
          paths.set(name, await this.setupVolume(pod, volume));
        } catch (err) {
          if (err instanceof VolumeError) throw err;
          throw mountFailed(name, errorMessage(err));
        }
      }
      return paths;
    });
  }

  /** Rewrites API data volumes whose content changed; failures are logged and the old content kept. */
  refresh(pod: KubeObject): Promise<void> {
    return this.serialised(podUidOf(pod), async () => {
      for (const volume of podVolumes(pod)) {
        const kind = apiDataKind(volume);
        if (!kind) continue;
        try {
          const dir = this.pluginDir(pod, kind, volume);
          const changed = await writeAtomic(dir, await this.payloadFor(pod, kind, volume, false));
          if (changed) {
            await this.applyFsGroup(pod, dir, true);
            this.log?.debug('volume content updated', { object: objectKey(pod), volume: volume.name });
          }
        } catch (err) {
          this.log?.warn('volume refresh failed', { object: objectKey(pod), volume: volume.name, err: errorMessage(err) });
        }
      }
    });
  }

  /** Unmounts memory-backed emptyDirs and removes the pod's volumes dirs. Idempotent. */
  teardown(podUid: string): Promise<void> {
    return this.serialised(podUid, async () => {
      const root = this.volumesDir(podUid);
      for (const mountPoint of await mountsUnder(root)) await unmount(mountPoint);
      const left = await mountsUnder(root);
      if (left.length > 0) throw new Error(`cannot remove ${root}: still mounted: ${left.join(', ')}`);
      await rm(root, { recursive: true, force: true });
      await rm(this.volumesDir(podUid, this.runPodsDir), { recursive: true, force: true });
      this.tokens.forget(podUid);
    });
  }

  /** fsGroup ownership for the volume kinds that support it (emptyDir and the API data kinds). */
  private async applyFsGroup(pod: KubeObject, dir: string, readOnly: boolean): Promise<void> {
    const group = podFsGroup(pod);
    if (group) await setVolumeOwnership(dir, { fsGroup: group.fsGroup, readOnly, policy: group.policy });
  }

  /** emptyDir on disk under podsDir; the API data kinds, small and rewritten whole, on the run dir. */
  private pluginDir(pod: KubeObject, kind: keyof typeof PLUGIN_DIRS, volume: Obj): string {
    return join(this.volumesDir(podUidOf(pod), kind === 'emptyDir' ? this.podsDir : this.runPodsDir), PLUGIN_DIRS[kind], String(volume.name));
  }

  private async setupVolume(pod: KubeObject, volume: Obj): Promise<string> {
    if (volume.emptyDir !== undefined) {
      const dir = this.pluginDir(pod, 'emptyDir', volume);
      await setupEmptyDir(dir, (volume.emptyDir ?? {}) as Obj);
      await this.applyFsGroup(pod, dir, false);
      return dir;
    }
    if (volume.hostPath) {
      const hostPath = volume.hostPath as Obj;
      const path = String(hostPath.path ?? '');
      await checkHostPathType(path, hostPath.type as string | undefined);
      return path;
    }
    if (volume.persistentVolumeClaim) {
      const claim = volume.persistentVolumeClaim as Obj;
      return resolveClaimPath(this.source, pod.metadata.namespace ?? 'default', String(claim.claimName ?? ''));
    }
    const kind = apiDataKind(volume);
    if (kind) {
      const dir = this.pluginDir(pod, kind, volume);
      await writeAtomic(dir, await this.payloadFor(pod, kind, volume, true));
      // API data volumes are mounted read-only: group read, no group write.
      await this.applyFsGroup(pod, dir, true);
      return dir;
    }
    const type = Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
    throw new Error(`volume type ${type} is not supported by this node`);
  }

  private async payloadFor(pod: KubeObject, kind: ApiDataKind, volume: Obj, warn: boolean): Promise<Payload> {
    const source = (volume[kind] ?? {}) as Obj;
    const defaultMode = (source.defaultMode as number | undefined) ?? DEFAULT_FILE_MODE;
    switch (kind) {
      case 'configMap':
        return configMapPayload(await this.fetchConfigMap(pod, source), source, defaultMode);
      case 'secret':
        return secretPayload(await this.fetchSecret(pod, { ...source, name: source.secretName }), source, defaultMode);
      case 'downwardAPI':
        return downwardApiPayload(pod, (source.items ?? []) as never[], defaultMode, this.allocatable);
      case 'projected':
        return this.projectedPayload(pod, volume, source, defaultMode, warn);
    }
  }

  private async projectedPayload(pod: KubeObject, volume: Obj, projected: Obj, defaultMode: number, warn: boolean): Promise<Payload> {
    const parts: Payload[] = [];
    for (const entry of (projected.sources ?? []) as Obj[]) {
      if (entry.configMap) {
        const source = entry.configMap as Obj;
        parts.push(configMapPayload(await this.fetchConfigMap(pod, source), source, defaultMode));
      } else if (entry.secret) {
        const source = entry.secret as Obj;
        parts.push(secretPayload(await this.fetchSecret(pod, source), source, defaultMode));
      } else if (entry.downwardAPI) {
        parts.push(downwardApiPayload(pod, ((entry.downwardAPI as Obj).items ?? []) as never[], defaultMode, this.allocatable));
      } else if (entry.serviceAccountToken) {
        // Renewed by refresh() once 80% of its lifetime has passed; a failure fails the mount.
        const source = entry.serviceAccountToken as TokenSource;
        const token = await this.tokens.token(pod, source);
        // With fsGroup the kubelet keeps the token private to the owner (the group gets read below).
        const mode = podFsGroup(pod) ? 0o600 : defaultMode;
        parts.push(new Map([[source.path, { data: Buffer.from(token, 'utf8'), mode }]]));
      } else if (entry.clusterTrustBundle && warn) {
        this.log?.warn('projected volume source skipped: not supported by this node agent yet', { object: objectKey(pod), volume: volume.name, source: 'clusterTrustBundle' });
      }
    }
    return mergePayloads(parts);
  }

  /** The ConfigMap, or undefined when it is absent and optional; absent and required throws. */
  private async fetchConfigMap(pod: KubeObject, source: Obj): Promise<KubeObject | undefined> {
    const name = String(source.name ?? '');
    const found = await this.source.getConfigMap(pod.metadata.namespace ?? 'default', name);
    if (!found && source.optional !== true) throw new Error(`configmap "${name}" not found`);
    return found;
  }

  private async fetchSecret(pod: KubeObject, source: Obj): Promise<KubeObject | undefined> {
    const name = String(source.name ?? '');
    const found = await this.source.getSecret(pod.metadata.namespace ?? 'default', name);
    if (!found && source.optional !== true) throw new Error(`secret "${name}" not found`);
    return found;
  }

  private serialised<T>(podUid: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(podUid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    const tail = next.catch(() => undefined);
    this.locks.set(podUid, tail);
    void tail.then(() => {
      if (this.locks.get(podUid) === tail) this.locks.delete(podUid);
    });
    return next;
  }
}

function podUidOf(pod: KubeObject): string {
  const uid = pod.metadata.uid;
  if (!uid || uid.includes('/') || uid.startsWith('.')) throw new VolumeError(`pod ${objectKey(pod)} has no usable uid`);
  return uid;
}

function podVolumes(pod: KubeObject): Obj[] {
  return (((pod.spec ?? {}) as Obj).volumes ?? []) as Obj[];
}

function apiDataKind(volume: Obj): ApiDataKind | undefined {
  return API_DATA_KINDS.find((kind) => volume[kind] !== undefined && volume[kind] !== null);
}

function objectKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

