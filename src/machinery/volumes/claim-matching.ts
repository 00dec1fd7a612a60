// Which PersistentVolume a PersistentVolumeClaim may bind to, as Kubernetes' volume binder decides:
// pure, so the PV controller (binding Immediate claims) and the scheduler (claims that wait for
// their first consumer, and bound volumes' node affinity) decide the same way.

import type { ObjectReference, LabelSelector } from '../../api/meta.js';
import { fromLabelSelector, matches } from '../labels/selector.js';
import { nodeSelectorTermsMatch, type NodeSelectorTerm, type SelectableNode } from '../node-affinity.js';
import { compareQuantities, isValidQuantity } from '../validation/quantity.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** The node the scheduler picked for a claim that waits for its first consumer. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** The storage class in its pre-1.6 annotation form; wins over spec.storageClassName when set. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';


export interface ClaimLike {
  metadata: { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string>; deletionTimestamp?: string; resourceVersion?: string };
  spec?: {
    accessModes?: string[];
    selector?: LabelSelector | null;
    resources?: { requests?: Record<string, string> };
    volumeName?: string;
    storageClassName?: string | null;
    volumeMode?: string;
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string> };
}

export interface VolumeLike {
  metadata: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string; resourceVersion?: string };
  spec?: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    claimRef?: ObjectReference | null;
    storageClassName?: string;
    volumeMode?: string;
    persistentVolumeReclaimPolicy?: string;
    nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
  };
  status?: { phase?: string; message?: string; reason?: string };
}

/** The claim's class: the beta annotation, else spec.storageClassName, else "" (no class). */
export function claimClass(claim: ClaimLike): string {
  const annotated = claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (annotated !== undefined) return annotated;
  return claim.spec?.storageClassName ?? '';
}

export function volumeClass(volume: VolumeLike): string {
  const annotated = volume.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (annotated !== undefined) return annotated;
  return volume.spec?.storageClassName ?? '';
}

/** The reference a volume's spec.claimRef holds for `claim` once bound to it. */
export function claimReference(claim: ClaimLike): ObjectReference {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    resourceVersion: claim.metadata.resourceVersion,
  };
}

/** The volume's claimRef names this claim (and, once the claim's uid is recorded, this very claim). */
export function isVolumeBoundToClaim(volume: VolumeLike, claim: ClaimLike): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || (ref.namespace ?? '') !== (claim.metadata.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** Both default to Filesystem; a Block claim binds only to a Block volume and the other way round. */
export function volumeModeMismatch(claim: ClaimLike, volume: VolumeLike): boolean {
  return (claim.spec?.volumeMode ?? 'Filesystem') !== (volume.spec?.volumeMode ?? 'Filesystem');
}

/** Every access mode the claim asks for is one the volume offers. */
export function accessModesSatisfied(claim: ClaimLike, volume: VolumeLike): boolean {
  const offered = volume.spec?.accessModes ?? [];
  return (claim.spec?.accessModes ?? []).every((mode) => offered.includes(mode));
}

/** The volume's required node affinity admits the node (a volume without one is reachable everywhere). */
export function volumeNodeAffinityMatches(volume: VolumeLike, node: SelectableNode): boolean {
  const terms = volume.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return nodeSelectorTermsMatch(terms, node);
}

function storageOf(resources: Record<string, string> | undefined): string {
  const value = resources?.storage;
  return value !== undefined && isValidQuantity(value) ? value : '0';
}

export function requestedStorage(claim: ClaimLike): string {
  return storageOf(claim.spec?.resources?.requests);
}

export function volumeStorage(volume: VolumeLike): string {
  return storageOf(volume.spec?.capacity);
}

export interface MatchOptions {
  /** The scheduler's question: may the claim bind on this node (node affinity, access modes)? */
  node?: SelectableNode;
  /** The claim waits for its first consumer: without a node, only a volume pre-bound to it matches. */
  delayBinding?: boolean;
  /** Volume names already promised to other claims in the same decision. */
  excluded?: ReadonlySet<string>;
}

/**
 * The volume the claim should bind to: one already bound (pre-bound) to it wins; otherwise the
 * smallest Available volume of the claim's class whose capacity, access modes, volume mode and
 * labels (the claim's selector) fit, as Kubernetes' FindMatchingVolume picks. Undefined when none.
 */
export function findMatchingVolume(claim: ClaimLike, volumes: readonly VolumeLike[], options: MatchOptions = {}): VolumeLike | undefined {
  const requested = requestedStorage(claim);
  const wantedClass = claimClass(claim);
  const selector = claim.spec?.selector ? fromLabelSelector(claim.spec.selector) : undefined;
  let smallest: VolumeLike | undefined;
  for (const volume of volumes) {
    if (options.excluded?.has(volume.metadata.name ?? '')) continue;
    const boundToThis = isVolumeBoundToClaim(volume, claim);
    if (volume.spec?.claimRef && !boundToThis) continue;
    if (compareQuantities(volumeStorage(volume), requested) < 0) continue;
    if (volumeModeMismatch(claim, volume)) continue;
    if (volume.metadata.deletionTimestamp) continue;
    const nodeAffinityOk = options.node === undefined || volumeNodeAffinityMatches(volume, options.node);
    if (boundToThis) return nodeAffinityOk ? volume : undefined;
    if (options.node === undefined && options.delayBinding) continue;
    if (volume.status?.phase !== 'Available') continue;
    if (selector && !matches(selector, volume.metadata.labels)) continue;
    if (volumeClass(volume) !== wantedClass) continue;
    if (!nodeAffinityOk) continue;
    if (!accessModesSatisfied(claim, volume)) continue;
    if (!smallest || compareQuantities(volumeStorage(smallest), volumeStorage(volume)) > 0) smallest = volume;
  }
  return smallest;
}

/** Marks a StorageClass as the one claims without a class get (and its pre-GA spelling). */
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
/** Which provisioner is to create a claim's volume (set by the PV controller; GA and beta spellings). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** The provisioner that made a volume. */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** A class whose volumes nobody provisions (static local volumes). */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** One term of a class's allowedTopologies: every expression's label has one of its values. */
export interface TopologySelectorTerm {
  matchLabelExpressions?: Array<{ key: string; values?: string[] }>;
}

/** The parts of a StorageClass the binder, the scheduler, admission and provisioners read. */
export interface StorageClassInfo {
  metadata: { name?: string; annotations?: Record<string, string>; creationTimestamp?: string };
  provisioner?: string;
  /** Immediate (the API server's default) or WaitForFirstConsumer. */
  volumeBindingMode?: string;
  reclaimPolicy?: string;
  /** Where its provisioner may create volumes, as node label terms; none means anywhere. */
  allowedTopologies?: TopologySelectorTerm[];
}

/** The class's provisioner, unless it has none (absent, or the no-provisioner of static local volumes). */
export function provisionerOf(storageClass: StorageClassInfo | undefined): string | undefined {
  const provisioner = storageClass?.provisioner;
  return provisioner && provisioner !== NO_PROVISIONER ? provisioner : undefined;
}

/** The claim's class exists and says WaitForFirstConsumer; a missing class (or none) means Immediate. */
export function isDelayBinding(claim: ClaimLike, classNamed: (name: string) => StorageClassInfo | undefined): boolean {
  const name = claimClass(claim);
  return name !== '' && classNamed(name)?.volumeBindingMode === 'WaitForFirstConsumer';
}

/** Fully bound as the binder means it: a named volume and the PV controller's bind-completed mark. */
export function isClaimFullyBound(claim: ClaimLike): boolean {
  return !!claim.spec?.volumeName && claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}

/** A claim's cache and queue key: `namespace/name`. */
export function claimKey(claim: ClaimLike): string {
  return `${claim.metadata.namespace ?? ''}/${claim.metadata.name ?? ''}`;
}

/**
 * The class a claim without one gets (the DefaultStorageClass admission plugin): among classes
 * marked default, the newest (then by name), as Kubernetes picks since 1.26.
 */
export function defaultStorageClass<T extends StorageClassInfo>(classes: Iterable<T>): T | undefined {
  let chosen: T | undefined;
  for (const c of classes) {
    const annotations = c.metadata.annotations ?? {};
    if (annotations[ANN_DEFAULT_CLASS] !== 'true' && annotations[ANN_BETA_DEFAULT_CLASS] !== 'true') continue;
    if (!chosen) chosen = c;
    else {
      const a = c.metadata.creationTimestamp ?? '';
      const b = chosen.metadata.creationTimestamp ?? '';
      if (a > b || (a === b && (c.metadata.name ?? '') < (chosen.metadata.name ?? ''))) chosen = c;
    }
  }
  return chosen;
}

/** The node annotation where a node agent says where its local-path volumes live. */
export const ANN_LOCAL_PATH_DIR = 'storage.kijabi.io/local-path-dir';
