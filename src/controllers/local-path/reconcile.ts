// Pure decisions of the local-path provisioner (the default `local-path` StorageClass, as k3s
// ships one): a claim handed to it, with the node the scheduler picked, gets a PersistentVolume
// that is a directory on that node, pre-bound to the claim; the PV controller binds them.
import type { KubeObject } from '../../api/meta.js';
import {
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimReference,
  requestedStorage,
  type ClaimLike,
  type StorageClassInfo,
} from '../../machinery/volumes/claim-matching.js';

export const LOCAL_PATH_PROVISIONER = 'kijabi.io/local-path';
export { ANN_LOCAL_PATH_DIR } from '../../machinery/volumes/claim-matching.js';
/** Where volumes go on a node that does not say (the default data dir's). */
export const DEFAULT_LOCAL_PATH_DIR = '/var/lib/kijabi/agent/storage';

/**
 * Why a directory on one node cannot serve the claim, if it cannot: it is reachable from that node
 * only (no ReadWriteMany/ReadOnlyMany), and it is a filesystem, not a block device.
 */
export function unsupportedClaim(claim: ClaimLike): string | undefined {
  const modes = claim.spec?.accessModes ?? [];
  if (modes.some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod')) return 'Only support ReadWriteOnce and ReadWriteOncePod access modes';
  if ((claim.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') return 'Only support Filesystem volume mode';
  return undefined;
}

/** The volume's name, as external provisioners name theirs: `pvc-<claim uid>`. */
export function volumeNameFor(claim: ClaimLike): string {
  return `pvc-${claim.metadata.uid ?? ''}`;
}

/** The node a claim waits to be provisioned on, when it is ours to provision and still unbound. */
export function nodeToProvisionOn(claim: ClaimLike): string | undefined {
  const annotations = claim.metadata.annotations ?? {};
  if (annotations[ANN_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER) return undefined;
  if (claim.spec?.volumeName || claim.metadata.deletionTimestamp) return undefined;
  return annotations[ANN_SELECTED_NODE];
}

/** The directory of one claim's volume: `<dir>/pvc-<uid>_<namespace>_<name>`, as k3s lays them out. */
export function volumePath(baseDir: string, claim: ClaimLike): string {
  return `${baseDir.replace(/\/+$/, '')}/${volumeNameFor(claim)}_${claim.metadata.namespace ?? ''}_${claim.metadata.name ?? ''}`;
}

export function provisionedVolume(claim: ClaimLike, storageClass: StorageClassInfo, node: string, baseDir: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: volumeNameFor(claim), annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: requestedStorage(claim) },
      accessModes: [...(claim.spec?.accessModes ?? ['ReadWriteOnce'])],
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      storageClassName: storageClass.metadata.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      claimRef: claimReference(claim),
      // The node agent creates the directory when a pod first mounts it.
      hostPath: { path: volumePath(baseDir, claim), type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
    },
  };
}
