// Pure decisions of the PersistentVolume binder (kube-controller-manager's persistentvolume-binder):
// which volume a claim binds to, and which writes make volume and claim agree. Bindings are made
// in Kubernetes' order (volume's claimRef first, so no other claim can take it; then the volume's
// phase; then the claim's volumeName; then its status), one write per sync: each write comes back
// through the informers and the next sync takes the next step.

import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  NO_PROVISIONER,
  claimClass,
  claimKey,
  claimReference,
  findMatchingVolume,
  isDelayBinding,
  isVolumeBoundToClaim,
  provisionerOf,
  volumeModeMismatch,
  type ClaimLike,
  type StorageClassInfo,
  type VolumeLike,
} from '../../machinery/volumes/claim-matching.js';

export type Claim = ClaimLike & { apiVersion?: string; kind?: string };
export type Volume = VolumeLike & { apiVersion?: string; kind?: string };

export interface BinderEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** One write; `object` is the whole desired object (spec writes) or the object with its desired status. */
export type BinderWrite =
  | { kind: 'volume'; object: Volume }
  | { kind: 'volumeStatus'; object: Volume }
  | { kind: 'claim'; object: Claim }
  | { kind: 'claimStatus'; object: Claim }
  | { kind: 'deleteVolume'; object: Volume };

export interface BinderPlan {
  /** The next write, if any (one per sync; see the file comment). */
  write?: BinderWrite;
  events: BinderEvent[];
  /** Also look at this claim (a volume sync found its claim not bound yet). */
  syncClaim?: string;
}


export const MESSAGES = {
  noClass: 'no persistent volumes available for this claim and no storage class is set',
  waitForConsumer: 'waiting for first consumer to be created before binding',
  lostReference: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
  lostVolume: 'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
  misbound: 'Two claims are bound to the same volume, this one is bound incorrectly',
  volumeModeMismatch: 'Cannot bind PersistentVolume to requested PersistentVolumeClaim due to incompatible volumeMode.',
} as const;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** What a claim needs next. `volumes`: every PersistentVolume; `classes`: StorageClasses by name. */
export function reconcileClaim(claim: Claim, volumes: readonly Volume[], classes: ReadonlyMap<string, StorageClassInfo>, now: string): BinderPlan {
  if (claim.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) return reconcileUnboundClaim(claim, volumes, classes, now);
  return reconcileBoundClaim(claim, volumes, now);
}

function reconcileUnboundClaim(claim: Claim, volumes: readonly Volume[], classes: ReadonlyMap<string, StorageClassInfo>, now: string): BinderPlan {
  const wantedName = claim.spec?.volumeName ?? '';
  if (!wantedName) {
    const delay = isDelayBinding(claim, (name) => classes.get(name));
    const volume = findMatchingVolume(claim, volumes, { delayBinding: delay });
    if (volume) return bind(volume, claim, now);
    const waiting = delay && claim.metadata.annotations?.[ANN_SELECTED_NODE] === undefined;
    const provisioner = waiting ? undefined : provisionerOf(classes.get(claimClass(claim)));
    // Hand the claim to its provisioner (Kubernetes' external provisioning): it watches for this mark.
    if (provisioner && claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== provisioner) {
      const next = clone(claim);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner };
      return { write: { kind: 'claim', object: next }, events: [] };
    }
    return { ...claimPhase(claim, 'Pending'), events: [waitingEvent(claim, classes, waiting)] };
  }
  // Pre-bound by the user to a named volume.
  const volume = volumes.find((v) => v.metadata.name === wantedName);
  if (!volume) return { ...claimPhase(claim, 'Pending'), events: [] };
  if (!volume.spec?.claimRef) {
    if (volumeModeMismatch(claim, volume)) return { ...claimPhase(claim, 'Pending'), events: [{ type: 'Warning', reason: 'VolumeMismatch', message: MESSAGES.volumeModeMismatch }] };
    return bind(volume, claim, now);
  }
  if (isVolumeBoundToClaim(volume, claim)) return bind(volume, claim, now);
  return { ...claimPhase(claim, 'Pending'), events: [{ type: 'Warning', reason: 'FailedBinding', message: `volume "${wantedName}" already bound to a different claim.` }] };
}

/** The event an unbound claim without a volume gets, as the binder words it. */
function waitingEvent(claim: ClaimLike, classes: ReadonlyMap<string, StorageClassInfo>, delay: boolean): BinderEvent {
  if (delay) return { type: 'Normal', reason: 'WaitForFirstConsumer', message: MESSAGES.waitForConsumer };
  const name = claimClass(claim);
  if (!name) return { type: 'Normal', reason: 'FailedBinding', message: MESSAGES.noClass };
  const storageClass = classes.get(name);
  if (!storageClass) return { type: 'Warning', reason: 'ProvisioningFailed', message: `storageclass.storage.k8s.io "${name}" not found` };
  // A static class (local volumes) with Immediate binding and no matching volume: Kubernetes finds no plugin for it.
  if (storageClass.provisioner === NO_PROVISIONER) return { type: 'Warning', reason: 'ProvisioningFailed', message: `no volume plugin matched name: ${NO_PROVISIONER}` };
  return {
    type: 'Normal',
    reason: 'ExternalProvisioning',
    message: `Waiting for a volume to be created either by the external provisioner '${storageClass.provisioner ?? ''}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
  };
}

function reconcileBoundClaim(claim: Claim, volumes: readonly Volume[], now: string): BinderPlan {
  const name = claim.spec?.volumeName ?? '';
  if (!name) return lost(claim, 'ClaimLost', MESSAGES.lostReference);
  const volume = volumes.find((v) => v.metadata.name === name);
  if (!volume) return lost(claim, 'ClaimLost', MESSAGES.lostVolume);
  if (!volume.spec?.claimRef) return bind(volume, claim, now);
  if (isVolumeBoundToClaim(volume, claim) && volume.spec.claimRef.uid === claim.metadata.uid) return bind(volume, claim, now);
  return lost(claim, 'ClaimMisbound', MESSAGES.misbound);
}

function lost(claim: Claim, reason: string, message: string): BinderPlan {
  const plan = claimPhase(claim, 'Lost');
  // The event belongs to the transition, not to every later sync of a lost claim.
  return { ...plan, events: plan.write ? [{ type: 'Warning', reason, message }] : [] };
}

function claimPhase(claim: Claim, phase: string): BinderPlan {
  if (claim.status?.phase === phase) return { events: [] };
  const next = clone(claim);
  next.status = { ...(next.status ?? {}), phase };
  return { write: { kind: 'claimStatus', object: next }, events: [] };
}

/**
 * The next write that binds `volume` and `claim` to each other; none once both agree. Idempotent:
 * each step is skipped when already done, so a sync after any partial binding takes up from there.
 */
export function bind(volume: Volume, claim: Claim, now: string): BinderPlan {
  const ref = volume.spec?.claimRef;
  if (!ref || !isVolumeBoundToClaim(volume, claim) || ref.uid !== claim.metadata.uid) {
    const next = clone(volume);
    next.spec = { ...(next.spec ?? {}) };
    next.spec.claimRef = claimReference(claim);
    // Marks a binding the controller made (not the user's pre-binding), so it may undo it.
    if (!isVolumeBoundToClaim(volume, claim)) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    return { write: { kind: 'volume', object: next }, events: [] };
  }
  if (volume.status?.phase !== 'Bound') return volumePhase(volume, 'Bound', now);
  const annotations = claim.metadata.annotations ?? {};
  if (claim.spec?.volumeName !== volume.metadata.name || annotations[ANN_BIND_COMPLETED] !== 'yes') {
    const next = clone(claim);
    const added: Record<string, string> = { [ANN_BIND_COMPLETED]: 'yes' };
    if (!claim.spec?.volumeName) added[ANN_BOUND_BY_CONTROLLER] = 'yes';
    next.metadata.annotations = { ...annotations, ...added };
    next.spec = { ...(next.spec ?? {}), volumeName: volume.metadata.name };
    return { write: { kind: 'claim', object: next }, events: [] };
  }
  const status = claim.status ?? {};
  const accessModes = volume.spec?.accessModes ?? [];
  const capacity = volume.spec?.capacity ?? {};
  if (status.phase !== 'Bound' || JSON.stringify(status.accessModes ?? []) !== JSON.stringify(accessModes) || JSON.stringify(status.capacity ?? {}) !== JSON.stringify(capacity)) {
    const next = clone(claim);
    next.status = { ...status, phase: 'Bound', accessModes: [...accessModes], capacity: { ...capacity } };
    return { write: { kind: 'claimStatus', object: next }, events: [] };
  }
  return { events: [] };
}

function volumePhase(volume: Volume, phase: string, now: string, detail: { reason?: string; message?: string } = {}): BinderPlan {
  const status = volume.status ?? {};
  if (status.phase === phase && status.message === detail.message && status.reason === detail.reason) return { events: [] };
  const next = clone(volume);
  const nextStatus: Record<string, unknown> = { phase };
  if (detail.reason) nextStatus.reason = detail.reason;
  if (detail.message) nextStatus.message = detail.message;
  nextStatus.lastPhaseTransitionTime = status.phase === phase ? (status as { lastPhaseTransitionTime?: string }).lastPhaseTransitionTime ?? now : now;
  next.status = nextStatus as Volume['status'];
  return { write: { kind: 'volumeStatus', object: next }, events: [] };
}

/**
 * What a volume needs next. `claim`: the claim its claimRef names, as found (undefined when that
 * claim does not exist; the caller makes sure with a live read before a volume is released).
 */
export function reconcileVolume(volume: Volume, claim: Claim | undefined, now: string): BinderPlan {
  const ref = volume.spec?.claimRef;
  if (!ref || !ref.uid) return volumePhase(volume, 'Available', now);
  if (!claim || claim.metadata.uid !== ref.uid) return releaseVolume(volume, now);
  if (!claim.spec?.volumeName) {
    // The claim's side of the binding is still to be written: the claim sync does it.
    return { events: [], syncClaim: claimKey(claim) };
  }
  if (claim.spec.volumeName === volume.metadata.name) return volumePhase(volume, 'Bound', now);
  // The claim went to another volume: undo a binding we made, or keep the user's pre-binding by name only.
  const next = clone(volume);
  next.spec = { ...(next.spec ?? {}) };
  if (volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
    next.spec.claimRef = null;
    const { [ANN_BOUND_BY_CONTROLLER]: _dropped, ...rest } = next.metadata.annotations ?? {};
    next.metadata.annotations = rest;
  } else {
    const { uid: _uid, resourceVersion: _rv, ...byName } = ref;
    next.spec.claimRef = byName;
  }
  return { write: { kind: 'volume', object: next }, events: [] };
}

/** The claim is gone: the volume is Released, then its reclaim policy runs. */
function releaseVolume(volume: Volume, now: string): BinderPlan {
  const phase = volume.status?.phase;
  if (phase !== 'Released' && phase !== 'Failed') return volumePhase(volume, 'Released', now);
  if (phase === 'Failed') return { events: [] };
  const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy === 'Retain') return { events: [] };
  if (policy === 'Delete') {
    if (volume.metadata.annotations?.[ANN_PROVISIONED_BY] !== undefined) return { write: { kind: 'deleteVolume', object: volume }, events: [] };
    const message = `error getting deleter volume plugin for volume "${volume.metadata.name ?? ''}": no deletable volume plugin matched`;
    return { ...volumePhase(volume, 'Failed', now, { message }), events: [{ type: 'Warning', reason: 'VolumeFailedDelete', message }] };
  }
  const message = 'No recycler plugin found for the volume!';
  return { ...volumePhase(volume, 'Failed', now, { message }), events: [{ type: 'Warning', reason: 'VolumeFailedRecycle', message }] };
}
