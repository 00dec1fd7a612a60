// A container's volumeMounts as OCI bind mounts (pure apart from creating missing subPath dirs).

import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import type { OciMount } from '../runtime/oci-spec.js';
import { ContainerConfigError } from './volume-errors.js';
import { expandVariables } from '../pods/env.js';

type Obj = Record<string, unknown>;

/** Volume kinds the kubelet always mounts read-only (API data volumes). */
const ALWAYS_READ_ONLY = ['configMap', 'secret', 'downwardAPI', 'projected'];

function volumeIsReadOnly(volume: Obj): boolean {
  if (ALWAYS_READ_ONLY.some((kind) => volume[kind] !== undefined)) return true;
  const pvc = volume.persistentVolumeClaim as Obj | undefined;
  return pvc?.readOnly === true;
}

/** The checks the kubelet applies to subPath before touching the filesystem. */
export function validateSubPath(subPath: string): void {
  if (isAbsolute(subPath)) throw new ContainerConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new ContainerConfigError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Resolves `volumeRoot/subPath` on the host, refusing symlinks that lead out of the volume. */
function resolveSubPath(volumeRoot: string, subPath: string, mountName: string, containerName: string): string {
  const rootReal = realpathSync(volumeRoot);
  const wanted = join(volumeRoot, subPath);
  let existing = wanted;
  while (!existsSync(existing)) existing = dirname(existing);
  const existingReal = realpathSync(existing);
  if (!within(rootReal, existingReal)) throw new ContainerConfigError(`subpath "${subPath}" not within volume path "${volumeRoot}"`);
  if (existing !== wanted) {
    try {
      const mode = statSync(volumeRoot).mode & 0o7777;
      mkdirSync(join(existingReal, relative(existing, wanted)), { recursive: true, mode });
    } catch {
      throw new ContainerConfigError(`failed to create subPath directory for volumeMount "${mountName}" of container "${containerName}"`);
    }
  }
  const real = realpathSync(wanted);
  if (!within(rootReal, real)) throw new ContainerConfigError(`subpath "${subPath}" not within volume path "${volumeRoot}"`);
  return real;
}

/**
 * OCI mounts for `container`'s volumeMounts. `volumePaths` comes from VolumeManager.setup(). `env`
 * (NAME=value) is only needed to expand subPathExpr. mountPropagation is ignored (always private).
 * Throws ContainerConfigError.
 */
export function containerMounts(pod: KubeObject, container: Obj, volumePaths: Map<string, string>, env: string[] = []): OciMount[] {
  const spec = (pod.spec ?? {}) as Obj;
  const volumes = new Map(((spec.volumes ?? []) as Obj[]).map((v) => [v.name as string, v]));
  const containerName = String(container.name ?? '');
  const envMap = new Map(env.map((e) => { const i = e.indexOf('='); return [e.slice(0, i), e.slice(i + 1)] as [string, string]; }));
  const mounts: OciMount[] = [];
  for (const mount of (container.volumeMounts ?? []) as Obj[]) {
    const name = String(mount.name ?? '');
    const hostPath = volumePaths.get(name);
    const volume = volumes.get(name);
    if (hostPath === undefined || !volume) throw new ContainerConfigError(`cannot find volume "${name}" to mount into container "${containerName}"`);
    let subPath = (mount.subPath as string | undefined) ?? '';
    const subPathExpr = mount.subPathExpr as string | undefined;
    if (subPathExpr) subPath = expandVariables(subPathExpr, (v) => envMap.get(v));
    let source = hostPath;
    if (subPath !== '') {
      validateSubPath(subPath);
      source = resolveSubPath(hostPath, subPath, name, containerName);
    }
    const readOnly = mount.readOnly === true || volumeIsReadOnly(volume);
    mounts.push({ destination: String(mount.mountPath), type: 'bind', source, options: ['rbind', 'rprivate', readOnly ? 'ro' : 'rw'] });
  }
  return mounts;
}
