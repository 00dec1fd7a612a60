// The pod workers' collaborators written alongside them (volumes/, probes/, pods/env.ts), loaded
// by their agreed interfaces. Until a module exists a conservative stand-in is used, so the core
// path (pods with plain env and emptyDir volumes) keeps working on its own.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import type { Logger } from '../../client/log.js';
import type { OciMount } from '../runtime/oci-spec.js';
import type { ProbeResult, ProbeTarget } from '../probes/handlers.js';

type Json = Record<string, unknown>;

export type { ObjectSource } from '../volumes/object-source.js';
import type { ObjectSource } from '../volumes/object-source.js';

export interface VolumeManagerLike {
  setup(pod: KubeObject): Promise<Map<string, string>>;
  refresh(pod: KubeObject): Promise<void>;
  teardown(podUid: string): Promise<void>;
}

export type { ProbeResult, ProbeTarget };

export interface ProbeWorkerLike {
  start(): void;
  stop(): void;
  readonly healthy: boolean;
}

export interface ProbeWorkerOptions {
  kind: 'liveness' | 'readiness' | 'startup';
  probe: Json;
  run: () => Promise<ProbeResult>;
  onChange: (healthy: boolean, result: ProbeResult) => void;
}

export interface KubeletDeps {
  createVolumeManager(options: { podsDir: string; runPodsDir?: string; source: ObjectSource; log?: Logger }): VolumeManagerLike;
  containerMounts(pod: KubeObject, container: Json, volumePaths: Map<string, string>): OciMount[];
  resolveEnv(pod: KubeObject, container: Json, imageEnv: string[], source: ObjectSource, extra: { nodeName: string; podIp?: string; hostIp?: string; serviceEnv?: string[] }): Promise<string[]>;
  runProbe(probe: Json, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult>;
  runHandler(handler: Json, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult>;
  createProbeWorker(options: ProbeWorkerOptions): ProbeWorkerLike;
  /** Which modules are stand-ins (for the log). */
  standIns: string[];
}

async function tryImport(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await import(path)) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/** Stand-in volume manager: emptyDir (and other volumes) as plain directories in the pod dir. */
class DirectoryVolumes implements VolumeManagerLike {
  constructor(private readonly podsDir: string) {}

  async setup(pod: KubeObject): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const volumes = ((pod as unknown as { spec?: { volumes?: Json[] } }).spec?.volumes ?? []);
    for (const volume of volumes) {
      const dir = join(this.podsDir, pod.metadata.uid ?? 'unknown', 'volumes', String(volume.name));
      await mkdir(dir, { recursive: true });
      out.set(String(volume.name), dir);
    }
    return out;
  }

  async refresh(): Promise<void> {}

  async teardown(podUid: string): Promise<void> {
    await rm(join(this.podsDir, podUid, 'volumes'), { recursive: true, force: true });
  }
}

function simpleMounts(_pod: KubeObject, container: Json, volumePaths: Map<string, string>): OciMount[] {
  const mounts = Array.isArray(container.volumeMounts) ? (container.volumeMounts as Json[]) : [];
  return mounts.flatMap((m) => {
    const source = volumePaths.get(String(m.name));
    if (!source) return [];
    const path = typeof m.subPath === 'string' && m.subPath ? join(source, m.subPath) : source;
    return [{ destination: String(m.mountPath), type: 'bind', source: path, options: ['rbind', m.readOnly === true ? 'ro' : 'rw'] }];
  });
}

async function literalEnv(_pod: KubeObject, container: Json, imageEnv: string[]): Promise<string[]> {
  const byName = new Map<string, string>();
  for (const entry of imageEnv) byName.set(entry.split('=')[0]!, entry);
  for (const e of Array.isArray(container.env) ? (container.env as Json[]) : []) {
    if (typeof e.value === 'string' || e.valueFrom === undefined) byName.set(String(e.name), `${String(e.name)}=${String(e.value ?? '')}`);
  }
  return [...byName.values()];
}

/** Loads the real modules where present. */
export async function loadKubeletDeps(): Promise<KubeletDeps> {
  const standIns: string[] = [];
  const volumes = await tryImport('../volumes/volume-manager.js');
  const env = await tryImport('./env.js');
  const prober = await tryImport('../probes/prober.js');
  if (!volumes) standIns.push('volumes');
  if (!env) standIns.push('env');
  if (!prober) standIns.push('probes');

  const VolumeManager = volumes?.VolumeManager as (new (o: unknown) => VolumeManagerLike) | undefined;
  const ProbeWorker = prober?.ProbeWorker as (new (o: ProbeWorkerOptions) => ProbeWorkerLike) | undefined;
  const always: ProbeResult = { ok: true, output: '' };
  return {
    createVolumeManager: (o) => (VolumeManager ? new VolumeManager(o) : new DirectoryVolumes(o.podsDir)),
    containerMounts: (volumes?.containerMounts as KubeletDeps['containerMounts'] | undefined) ?? simpleMounts,
    resolveEnv: (env?.resolveEnv as KubeletDeps['resolveEnv'] | undefined) ?? literalEnv,
    runProbe: (prober?.runProbe as KubeletDeps['runProbe'] | undefined) ?? (async () => always),
    runHandler: (prober?.runHandler as KubeletDeps['runHandler'] | undefined) ?? (async () => always),
    createProbeWorker: (o) => {
      if (ProbeWorker) return new ProbeWorker(o);
      // Without probes/ every probe counts as passing.
      return { start: () => o.onChange(true, always), stop: () => undefined, healthy: true };
    },
    standIns,
  };
}
