// Pure decisions of the pvc-protection and pv-protection controllers: a terminating claim keeps its
// finalizer while a scheduled, not yet finished pod mounts it; a terminating volume keeps its
// finalizer while it is bound to a claim.
import type { KubeObject } from '../../api/meta.js';

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

export interface PodLike extends KubeObject {
  spec?: { nodeName?: string; volumes?: { name?: string; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown }[] };
  status?: { phase?: string };
}

/** The claim names a pod mounts: persistentVolumeClaim volumes and its generic ephemeral volumes' `<pod>-<volume>`. */
export function claimNamesOf(pod: PodLike): string[] {
  const names: string[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.persistentVolumeClaim?.claimName) names.push(volume.persistentVolumeClaim.claimName);
    else if (volume.ephemeral !== undefined && volume.name) names.push(`${pod.metadata.name ?? ''}-${volume.name}`);
  }
  return names;
}

/**
 * Whether `pod` keeps `claimName` in use: only scheduled pods count (the kubelet refuses to start a
 * pod whose claim is being deleted), and a pod that has finished does not.
 */
export function podUsesClaim(pod: PodLike, claimName: string): boolean {
  if (!pod.spec?.nodeName) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return claimNamesOf(pod).includes(claimName);
}

/** The object without `finalizer` when it is terminating, holds it, and nothing uses it; else undefined. */
export function releasedFinalizers(obj: KubeObject, finalizer: string, inUse: boolean): string[] | undefined {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!obj.metadata.deletionTimestamp || !finalizers.includes(finalizer) || inUse) return undefined;
  return finalizers.filter((f) => f !== finalizer);
}

/** A volume is in use while bound to a claim. */
export function volumeInUse(volume: KubeObject): boolean {
  return (volume.status as { phase?: string } | undefined)?.phase === 'Bound';
}
