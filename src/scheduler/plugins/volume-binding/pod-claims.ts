// A pod's PersistentVolumeClaims sorted the way kube-scheduler's volume binder sorts them: bound
// (to check the volume's node affinity), waiting for their first consumer (to bind on the chosen
// node), or unbound with Immediate binding (the PV controller's job: the pod waits). Pure.
import { isClaimFullyBound, isDelayBinding, type ClaimLike, type StorageClassInfo } from '../../../machinery/volumes/claim-matching.js';
import type { Pod, PodVolume } from '../../framework/types.js';

/** Where claims and classes come from (the scheduler's informers; fakes in tests). */
export interface ClaimSource {
  claim(namespace: string, name: string): ClaimLike | undefined;
  storageClass(name: string): StorageClassInfo | undefined;
}

export interface PodClaims {
  /** Claims bound to a volume (spec.volumeName and the bind-completed annotation). */
  bound: ClaimLike[];
  /** Unbound claims whose class waits for the first consumer: the scheduler picks their volume. */
  toBind: ClaimLike[];
  /** Unbound claims the PV controller should have bound already (Immediate, no class, or pre-bound). */
  unboundImmediate: ClaimLike[];
}

/** The claim a volume names: its own claim, or `<pod>-<volume>` for a generic ephemeral volume. */
export function volumeClaimName(pod: Pod, volume: PodVolume): string | undefined {
  if (volume.persistentVolumeClaim) return volume.persistentVolumeClaim.claimName;
  if (volume.ephemeral) return `${pod.metadata.name ?? ''}-${volume.name}`;
  return undefined;
}

/** Whether any volume of the pod uses a claim; cheap, for PreFilter's early Skip. */
export function podHasClaims(volumes: readonly PodVolume[]): boolean {
  for (let i = 0; i < volumes.length; i++) {
    const v = volumes[i]!;
    if (v.persistentVolumeClaim !== undefined || v.ephemeral !== undefined) return true;
  }
  return false;
}

function controlledBy(claim: ClaimLike & { metadata: { ownerReferences?: Array<{ uid?: string; controller?: boolean }> } }, pod: Pod): boolean {
  return (claim.metadata.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid !== undefined && ref.uid === pod.metadata.uid);
}

/**
 * The pod's claims, or the reason the pod cannot be scheduled at all (a claim missing, lost, being
 * deleted, or an ephemeral claim the pod does not own), in Kubernetes' words. Volumes are checked
 * in order; the first problem wins.
 */
export function podClaims(pod: Pod, source: ClaimSource): PodClaims | { rejection: string } {
  const namespace = pod.metadata.namespace ?? '';
  const out: PodClaims = { bound: [], toBind: [], unboundImmediate: [] };
  for (const volume of pod.spec?.volumes ?? []) {
    const name = volumeClaimName(pod, volume);
    if (name === undefined) continue;
    const ephemeral = volume.persistentVolumeClaim === undefined;
    const claim = source.claim(namespace, name);
    if (!claim) {
      if (ephemeral) return { rejection: `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` };
      return { rejection: `persistentvolumeclaim "${name}" not found` };
    }
    if (claim.status?.phase === 'Lost') return { rejection: `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${claim.spec?.volumeName ?? ''}"` };
    if (claim.metadata.deletionTimestamp) return { rejection: `persistentvolumeclaim "${name}" is being deleted` };
    if (ephemeral && !controlledBy(claim, pod)) return { rejection: `PVC ${namespace}/${name} was not created for pod ${namespace}/${pod.metadata.name ?? ''} (pod is not owner)` };
    if (isClaimFullyBound(claim)) out.bound.push(claim);
    // A claim pre-bound to a named volume is the PV controller's to finish, whatever its class.
    else if (!claim.spec?.volumeName && isDelayBinding(claim, (n) => source.storageClass(n))) out.toBind.push(claim);
    else out.unboundImmediate.push(claim);
  }
  return out;
}
