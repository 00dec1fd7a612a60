// persistentVolumeClaim volumes: claim -> bound PersistentVolume -> a path on this node.

import type { KubeObject } from '../../api/meta.js';
import type { ObjectSource } from './object-source.js';
import { checkHostPathType } from './host-path.js';

type Obj = Record<string, unknown>;

/** The host directory backing `claimName` (hostPath or local PVs only). Throws with the kubelet's wording. */
export async function resolveClaimPath(source: ObjectSource, namespace: string, claimName: string): Promise<string> {
  if (!source.getPersistentVolumeClaim || !source.getPersistentVolume) {
    throw new Error(`persistentvolumeclaim "${claimName}" cannot be read by this node agent`);
  }
  const claim = await source.getPersistentVolumeClaim(namespace, claimName);
  if (!claim) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
  const volumeName = ((claim.spec ?? {}) as Obj).volumeName as string | undefined;
  const phase = ((claim.status ?? {}) as Obj).phase as string | undefined;
  if (!volumeName || phase !== 'Bound') throw new Error(`persistentvolumeclaim "${claimName}" is not bound`);
  const volume = await source.getPersistentVolume(volumeName);
  if (!volume) throw new Error(`persistentvolume "${volumeName}" not found`);
  return persistentVolumePath(volume);
}

async function persistentVolumePath(volume: KubeObject): Promise<string> {
  const spec = (volume.spec ?? {}) as Obj;
  const hostPath = spec.hostPath as Obj | undefined;
  if (hostPath) {
    const path = String(hostPath.path ?? '');
    await checkHostPathType(path, hostPath.type as string | undefined);
    return path;
  }
  const local = spec.local as Obj | undefined;
  if (local) {
    const path = String(local.path ?? '');
    await checkHostPathType(path, 'Directory').catch(() => {
      throw new Error(`path "${path}" does not exist`);
    });
    return path;
  }
  throw new Error(`persistentvolume "${volume.metadata.name}" has a volume source this node cannot mount (only hostPath and local)`);
}
