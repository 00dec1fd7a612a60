// VolumeBinding: a pod's PersistentVolumeClaims decide where it can run (static volumes only).
// PreFilter sorts the claims (an unbound Immediate claim keeps the pod Pending: the PV controller
// binds it); Filter checks bound volumes' node affinity and finds a free volume on the node for each
// claim waiting for its first consumer; Reserve assumes those bindings in memory; PreBind writes
// them (the volume's claimRef) before the pod is bound, and the PV controller completes them (the
// claim's side). The claim gets no selected-node annotation: Kubernetes sets it only for claims a
// provisioner is to create a volume for. As kube-scheduler's volumebinding plugin, without provisioning
// or capacity scoring.
import {
  ANN_BOUND_BY_CONTROLLER,
  claimClass,
  claimReference,
  findMatchingVolume,
  isVolumeBoundToClaim,
  requestedStorage,
  volumeClass,
  volumeNodeAffinityMatches,
  type ClaimLike,
  type VolumeLike,
} from '../../../machinery/volumes/claim-matching.js';
import { compareQuantities } from '../../../machinery/validation/quantity.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { errorStatus, SKIP, unresolvable, type FilterPlugin, type FrameworkHandle, type PreBindPlugin, type PreFilterPlugin, type ReservePlugin, type Status } from '../../framework/interfaces.js';
import type { Node, Pod } from '../../framework/types.js';
import { AssumedVolumes, type VolumeSource } from './assumed-volumes.js';
import { podClaims, podHasClaims, type ClaimSource } from './pod-claims.js';

export const VOLUME_BINDING = 'VolumeBinding';

export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

const STATE_KEY = 'PreFilter' + VOLUME_BINDING;

/** Claims, volumes and classes as the scheduler's informers have them. */
export type VolumeListers = ClaimSource & VolumeSource;

/** The API writes of PreBind. */
export interface VolumeWrites {
  /** Replaces the volume (PUT); its resourceVersion turns a concurrent change into a Conflict. */
  updateVolume(volume: VolumeLike, signal: AbortSignal): Promise<void>;
}

export interface VolumeBindingDeps {
  listers: VolumeListers;
  writes: VolumeWrites;
}

/** One claim and the volume chosen for it; `dirty` when the volume's claimRef must be written. */
export interface StaticBinding {
  claim: ClaimLike;
  volume: VolumeLike;
  dirty: boolean;
}

/** Written in PreFilter for pods with claims; Reserve adds the chosen node's bindings. */
class VolumeBindingState implements StateData {
  bindings: StaticBinding[] | undefined;

  constructor(
    readonly bound: readonly ClaimLike[],
    /** Smallest request first, so each claim gets the smallest volume that fits. */
    readonly toBind: readonly ClaimLike[],
    /** The volumes of each class the claims to bind use. */
    readonly candidates: ReadonlyMap<string, readonly VolumeLike[]>,
  ) {}

  /** Filter only reads it, and Reserve runs once per cycle: sharing it is a valid clone. */
  clone(): StateData {
    return this;
  }
}

function compareClaimsBySize(a: ClaimLike, b: ClaimLike): number {
  return compareQuantities(requestedStorage(a), requestedStorage(b));
}

const SKIPPED: { status: Status } = Object.freeze({ status: SKIP }) as { status: Status };

/**
 * The volume `claim` gets bound to: `volume` with the claim's reference (and the bound-by-controller
 * mark when the scheduler, not the user, chose it), as Kubernetes' GetBindVolumeToClaim builds it.
 */
export function bindVolumeToClaim(volume: VolumeLike, claim: ClaimLike): StaticBinding {
  const ref = volume.spec?.claimRef;
  const preBound = isVolumeBoundToClaim(volume, claim);
  const refCurrent = ref && ref.name === claim.metadata.name && (ref.namespace ?? '') === (claim.metadata.namespace ?? '') && ref.uid === claim.metadata.uid;
  const markMissing = !preBound && volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === undefined;
  if (refCurrent && !markMissing) return { claim, volume, dirty: false };
  const next = structuredClone(volume) as VolumeLike;
  next.spec = { ...(next.spec ?? {}) };
  if (!refCurrent) {
    next.spec.claimRef = claimReference(claim);
  }
  if (markMissing) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
  return { claim, volume: next, dirty: true };
}

interface NodeCheck {
  reasons: string[];
  /** For the claims to bind, in state.toBind order, when every one found a volume. */
  matches: VolumeLike[];
}

/** FindPodVolumes for one node: bound volumes' node affinity, then a distinct free volume per claim to bind. */
function checkNode(state: VolumeBindingState, node: Node, volumes: AssumedVolumes): NodeCheck {
  let nodeConflict = false;
  let missing = false;
  for (const claim of state.bound) {
    const volume = volumes.get(claim.spec?.volumeName ?? '');
    if (!volume) {
      missing = true;
      break;
    }
    if (!volumeNodeAffinityMatches(volume, node)) {
      nodeConflict = true;
      break;
    }
  }
  let bindConflict = false;
  const matches: VolumeLike[] = [];
  if (state.toBind.length > 0) {
    const excluded = new Set<string>();
    for (const claim of state.toBind) {
      const volume = findMatchingVolume(claim, state.candidates.get(claimClass(claim)) ?? [], { node, delayBinding: true, excluded });
      if (!volume) {
        bindConflict = true;
        continue;
      }
      excluded.add(volume.metadata.name ?? '');
      matches.push(volume);
    }
  }
  const reasons: string[] = [];
  if (nodeConflict) reasons.push(ERR_REASON_NODE_CONFLICT);
  if (bindConflict) reasons.push(ERR_REASON_BIND_CONFLICT);
  if (missing) reasons.push(ERR_REASON_PV_NOT_EXIST);
  return { reasons, matches };
}

export type VolumeBindingPlugin = PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin & { readonly assumed: AssumedVolumes };

/**
 * Its args (`bindTimeoutSeconds`: how long Kubernetes' PreBind waits for the PV controller to
 * finish) are validated by the configuration and not needed: PreBind writes and does not wait.
 */
export function newVolumeBinding(deps: VolumeBindingDeps, handle: Pick<FrameworkHandle, 'snapshot'>): VolumeBindingPlugin {
  const { listers, writes } = deps;
  const assumed = new AssumedVolumes(listers);
  const stateOf = (state: CycleState): VolumeBindingState | undefined => state.read<VolumeBindingState>(STATE_KEY);
  return {
    name: VOLUME_BINDING,
    assumed,
    preFilter(state, pod) {
      const volumes = pod.spec?.volumes;
      if (volumes === undefined || !podHasClaims(volumes)) return SKIPPED;
      const claims = podClaims(pod, listers);
      if ('rejection' in claims) return { status: unresolvable(claims.rejection) };
      if (claims.unboundImmediate.length > 0) return { status: unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
      const toBind = [...claims.toBind].sort(compareClaimsBySize);
      const candidates = new Map<string, VolumeLike[]>();
      if (toBind.length > 0) {
        for (const claim of toBind) candidates.set(claimClass(claim), []);
        for (const volume of assumed.list()) candidates.get(volumeClass(volume))?.push(volume);
      }
      state.write(STATE_KEY, new VolumeBindingState(claims.bound, toBind, candidates));
      return undefined;
    },
    filter(state, _pod, nodeInfo) {
      const s = stateOf(state);
      if (!s) return errorStatus(`reading "${STATE_KEY}" from cycle state: not found`);
      if (!nodeInfo.node) return errorStatus('node not found');
      const { reasons } = checkNode(s, nodeInfo.node, assumed);
      return reasons.length > 0 ? unresolvable(...reasons) : undefined;
    },
    reserve(state, _pod, nodeName) {
      const s = stateOf(state);
      if (!s) return undefined;
      s.bindings = undefined;
      if (s.toBind.length === 0) return undefined;
      const node = handle.snapshot().get(nodeName)?.node;
      if (!node) return errorStatus(`node "${nodeName}" not found`);
      const { reasons, matches } = checkNode(s, node, assumed);
      if (reasons.length > 0) return errorStatus(`no pod volumes found for node "${nodeName}"`);
      s.bindings = s.toBind.map((claim, i) => {
        const binding = bindVolumeToClaim(matches[i]!, claim);
        if (binding.dirty) assumed.assume(binding.volume);
        return binding;
      });
      return undefined;
    },
    unreserve(state) {
      const s = stateOf(state);
      if (!s?.bindings) return;
      for (const b of s.bindings) if (b.dirty) assumed.restore(b.volume.metadata.name ?? '');
      s.bindings = undefined;
    },
    async preBind(state, _pod, _nodeName, signal) {
      const bindings = stateOf(state)?.bindings;
      if (!bindings || bindings.length === 0) return undefined;
      try {
        // Volumes first, as Kubernetes does: once a volume names the claim, no other claim takes it.
        for (const b of bindings) if (b.dirty) await writes.updateVolume(b.volume, signal);
      } catch (err) {
        return errorStatus(err instanceof Error ? err.message : String(err));
      }
      return undefined;
    },
  };
}
