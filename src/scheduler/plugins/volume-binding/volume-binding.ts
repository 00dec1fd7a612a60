// VolumeBinding: a pod's PersistentVolumeClaims decide where it can run. PreFilter sorts the claims
// (an unbound Immediate claim keeps the pod Pending: the PV controller binds it); Filter checks
// bound volumes' node affinity and, for each claim waiting for its first consumer, finds a free
// static volume on the node or else makes sure a volume can be provisioned there (the class names a
// provisioner and its allowedTopologies admit the node); Reserve assumes those decisions in memory;
// PreBind writes them (the volume's claimRef; the claim's selected-node annotation, which hands it
// to its provisioner) and then waits until the PV controller has bound every such claim, so the
// pod is bound only with its volumes. As kube-scheduler's volumebinding plugin, without storage
// capacity tracking or scoring.
import {
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  claimClass,
  claimKey,
  claimReference,
  findMatchingVolume,
  isVolumeBoundToClaim,
  requestedStorage,
  volumeClass,
  volumeNodeAffinityMatches,
  type ClaimLike,
  type StorageClassInfo,
  type VolumeLike,
} from '../../../machinery/volumes/claim-matching.js';
import { compareQuantities } from '../../../machinery/validation/quantity.js';
import type { CycleState, StateData } from '../../framework/cycle-state.js';
import { errorStatus, SKIP, unresolvable, type FilterPlugin, type FrameworkHandle, type PreBindPlugin, type PreFilterPlugin, type ReservePlugin, type Status } from '../../framework/interfaces.js';
import type { Node, Pod } from '../../framework/types.js';
import { AssumedClaims, AssumedVolumes, type VolumeSource } from './assumed-volumes.js';
import { checkBindings, REAL_CLOCK, waitForBindings, type BindingPlan, type StaticBinding, type WaitClock } from './check-bindings.js';
import { podClaims, podHasClaims, type ClaimSource } from './pod-claims.js';
import { canProvisionOn } from './provisioning.js';

export type { BindingPlan, StaticBinding, WaitClock } from './check-bindings.js';

export const VOLUME_BINDING = 'VolumeBinding';

export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

/** Kubernetes' default for VolumeBindingArgs.bindTimeoutSeconds. */
export const DEFAULT_BIND_TIMEOUT_SECONDS = 600;
/** How often PreBind looks at the informers' caches while it waits. */
const POLL_MS = 100;

const STATE_KEY = 'PreFilter' + VOLUME_BINDING;

/** Pods, as the scheduler's pod informer has them: PreBind stops waiting for a deleted pod. */
export interface PodSource {
  pod(namespace: string, name: string): Pod | undefined;
}

/** Claims, volumes, classes and pods as the scheduler's informers have them. */
export type VolumeListers = ClaimSource & VolumeSource & PodSource;

/** The API writes of PreBind; each resolves to the object the API server returned. */
export interface VolumeWrites {
  /** Replaces the volume (PUT); its resourceVersion turns a concurrent change into a Conflict. */
  updateVolume(volume: VolumeLike, signal: AbortSignal): Promise<VolumeLike>;
  /** Sets the claim's selected-node annotation (merge patch of metadata.annotations). */
  setSelectedNode(claim: ClaimLike, nodeName: string, signal: AbortSignal): Promise<ClaimLike>;
}

export interface VolumeBindingDeps {
  listers: VolumeListers;
  writes: VolumeWrites;
  /** PreBind's clock while it waits for bindings; tests pass a fake one. */
  clock?: WaitClock;
}

/** The plugin's arguments (VolumeBindingArgs), validated by the configuration. */
export interface VolumeBindingArgs {
  /** How long PreBind waits for the PV controller and provisioners to bind the pod's claims. */
  bindTimeoutSeconds?: number;
}

/** Written in PreFilter for pods with claims; Reserve adds the chosen node's plan. */
class VolumeBindingState implements StateData {
  plan: BindingPlan | undefined;

  constructor(
    readonly bound: readonly ClaimLike[],
    /** Smallest request first, so each claim gets the smallest volume that fits. */
    readonly toBind: readonly ClaimLike[],
    /** The volumes of each class the claims to bind use. */
    readonly candidates: ReadonlyMap<string, readonly VolumeLike[]>,
    /** The classes of the claims to bind, by name, as PreFilter found them. */
    readonly classes: ReadonlyMap<string, StorageClassInfo>,
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

/** The claim as PreBind asks for it to be provisioned: with the chosen node (a copy when it changes). */
function withSelectedNode(claim: ClaimLike, nodeName: string): ClaimLike {
  if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName) return claim;
  const next = structuredClone(claim) as ClaimLike;
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_SELECTED_NODE]: nodeName };
  return next;
}

interface NodeCheck {
  reasons: string[];
  /** Claims to bind that found a free static volume, with it. */
  matches: Array<{ claim: ClaimLike; volume: VolumeLike }>;
  /** Claims to bind that a provisioner is to create a volume for on this node. */
  provisions: ClaimLike[];
}

/**
 * FindPodVolumes for one node: bound volumes' node affinity; then, for the claims to bind, a
 * claim already given a node (selected-node) fits only that node and is provisioned there; the
 * others get a distinct free static volume on the node, or else provisioning if their class allows
 * it on the node.
 */
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
  const matches: NodeCheck['matches'] = [];
  const provisions: ClaimLike[] = [];
  if (state.toBind.length > 0) {
    const toMatch: ClaimLike[] = [];
    for (const claim of state.toBind) {
      const selected = claim.metadata.annotations?.[ANN_SELECTED_NODE];
      if (selected === undefined) toMatch.push(claim);
      else if (selected === node.metadata.name) provisions.push(claim);
      else {
        // Being provisioned for another node.
        bindConflict = true;
        break;
      }
    }
    if (!bindConflict) {
      const excluded = new Set<string>();
      for (const claim of toMatch) {
        const volume = findMatchingVolume(claim, state.candidates.get(claimClass(claim)) ?? [], { node, delayBinding: true, excluded });
        if (!volume) {
          provisions.push(claim);
          continue;
        }
        excluded.add(volume.metadata.name ?? '');
        matches.push({ claim, volume });
      }
      for (const claim of provisions) {
        const storageClass = state.classes.get(claimClass(claim));
        if (!storageClass || !canProvisionOn(storageClass, node)) {
          bindConflict = true;
          break;
        }
      }
    }
  }
  const reasons: string[] = [];
  if (nodeConflict) reasons.push(ERR_REASON_NODE_CONFLICT);
  if (bindConflict) reasons.push(ERR_REASON_BIND_CONFLICT);
  if (missing) reasons.push(ERR_REASON_PV_NOT_EXIST);
  return { reasons, matches, provisions };
}

export type VolumeBindingPlugin = PreFilterPlugin &
  FilterPlugin &
  ReservePlugin &
  PreBindPlugin & {
    readonly assumed: AssumedVolumes;
    readonly assumedClaims: AssumedClaims;
  };

export function newVolumeBinding(deps: VolumeBindingDeps, handle: Pick<FrameworkHandle, 'snapshot'>, args: VolumeBindingArgs = {}): VolumeBindingPlugin {
  const { listers, writes } = deps;
  const clock = deps.clock ?? REAL_CLOCK;
  const timeoutMs = (args.bindTimeoutSeconds ?? DEFAULT_BIND_TIMEOUT_SECONDS) * 1000;
  const assumed = new AssumedVolumes(listers);
  const assumedClaims = new AssumedClaims(listers);
  // What later pods' cycles see: claims with the selected node Reserve assumed for them.
  const claimView: ClaimSource = { claim: (namespace, name) => assumedClaims.claim(namespace, name), storageClass: (name) => listers.storageClass(name) };
  const stateOf = (state: CycleState): VolumeBindingState | undefined => state.read<VolumeBindingState>(STATE_KEY);
  return {
    name: VOLUME_BINDING,
    assumed,
    assumedClaims,
    preFilter(state, pod) {
      const volumes = pod.spec?.volumes;
      if (volumes === undefined || !podHasClaims(volumes)) return SKIPPED;
      const claims = podClaims(pod, claimView);
      if ('rejection' in claims) return { status: unresolvable(claims.rejection) };
      if (claims.unboundImmediate.length > 0) return { status: unresolvable(ERR_REASON_UNBOUND_IMMEDIATE) };
      const toBind = [...claims.toBind].sort(compareClaimsBySize);
      const candidates = new Map<string, VolumeLike[]>();
      const classes = new Map<string, StorageClassInfo>();
      if (toBind.length > 0) {
        for (const claim of toBind) {
          const name = claimClass(claim);
          candidates.set(name, []);
          const storageClass = listers.storageClass(name);
          if (storageClass) classes.set(name, storageClass);
        }
        for (const volume of assumed.list()) candidates.get(volumeClass(volume))?.push(volume);
      }
      state.write(STATE_KEY, new VolumeBindingState(claims.bound, toBind, candidates, classes));
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
      s.plan = undefined;
      if (s.toBind.length === 0) return undefined;
      const node = handle.snapshot().get(nodeName)?.node;
      if (!node) return errorStatus(`node "${nodeName}" not found`);
      const { reasons, matches, provisions } = checkNode(s, node, assumed);
      if (reasons.length > 0) return errorStatus(`no pod volumes found for node "${nodeName}"`);
      const bindings = matches.map((m) => {
        const binding = bindVolumeToClaim(m.volume, m.claim);
        if (binding.dirty) assumed.assume(binding.volume);
        return binding;
      });
      const toProvision = provisions.map((claim) => {
        const next = withSelectedNode(claim, nodeName);
        if (next !== claim) assumedClaims.assume(next);
        return next;
      });
      s.plan = { bindings, provisions: toProvision };
      return undefined;
    },
    unreserve(state) {
      const s = stateOf(state);
      if (!s?.plan) return;
      for (const b of s.plan.bindings) if (b.dirty) assumed.restore(b.volume.metadata.name ?? '');
      for (const claim of s.plan.provisions) assumedClaims.restore(claimKey(claim));
      s.plan = undefined;
    },
    async preBind(state, pod, nodeName, signal) {
      // Pods without claims, or whose claims are all bound, have no plan: nothing to write or wait for.
      const plan = stateOf(state)?.plan;
      if (!plan) return undefined;
      const written: BindingPlan = { bindings: [], provisions: [] };
      try {
        // Volumes first, as Kubernetes does: once a volume names the claim, no other claim takes it.
        for (const b of plan.bindings) written.bindings.push(b.dirty ? { ...b, volume: await writes.updateVolume(b.volume, signal) } : b);
        // Then the claims to provision: the selected node hands them to their provisioner.
        for (const claim of plan.provisions) {
          const current = listers.claim(claim.metadata.namespace ?? '', claim.metadata.name ?? '');
          const done = current !== undefined && current.metadata.uid === claim.metadata.uid && current.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName;
          written.provisions.push(done ? current : await writes.setSelectedNode(claim, nodeName, signal));
        }
      } catch (err) {
        return errorStatus(err instanceof Error ? err.message : String(err));
      }
      const failure = await waitForBindings(() => checkBindings({ pod, nodeName, node: handle.snapshot().get(nodeName)?.node, written, source: listers }), {
        timeoutMs,
        pollMs: POLL_MS,
        clock,
        signal,
      });
      return failure === undefined ? undefined : errorStatus(`binding volumes: ${failure}`);
    },
  };
}
