// PreBind's wait (kube-scheduler's BindPodVolumes): once the scheduler has written its part of a
// pod's volume bindings (static volumes' claimRefs, claims' selected node), the PV controller and
// the provisioners do the rest, and the pod is bound only when every claim it bound or asked to be
// provisioned is fully bound. checkBindings reads the informers' caches (pure over what it is
// given); waitForBindings polls it until done, failed, timed out or aborted. Messages are
// Kubernetes' (checkBindings in the volumebinding plugin's binder.go).
import { setTimeout as sleep } from 'node:timers/promises';
import type { SelectableNode } from '../../../machinery/node-affinity.js';
import { ANN_SELECTED_NODE, isClaimFullyBound, isVolumeBoundToClaim, volumeNodeAffinityMatches, type ClaimLike, type VolumeLike } from '../../../machinery/volumes/claim-matching.js';
import type { Pod } from '../../framework/types.js';

/** One claim and the volume chosen for it; `dirty` when the volume's claimRef must be written. */
export interface StaticBinding {
  claim: ClaimLike;
  volume: VolumeLike;
  dirty: boolean;
}

/** What Reserve decided for the pod's unbound claims on the chosen node. */
export interface BindingPlan {
  /** Claims given a free static volume. */
  bindings: StaticBinding[];
  /** Claims a provisioner is to create a volume for: with the selected-node annotation. */
  provisions: ClaimLike[];
}

/** The current API objects, as the scheduler's informers have them. */
export interface BindingSource {
  claim(namespace: string, name: string): ClaimLike | undefined;
  volume(name: string): VolumeLike | undefined;
  pod(namespace: string, name: string): Pod | undefined;
}

export interface BindingCheck {
  pod: Pod;
  nodeName: string;
  /** The node as the scheduler knows it; undefined when gone. */
  node: SelectableNode | undefined;
  /** The plan with the objects as PreBind wrote (or found) them: informer versions older than these are stale. */
  written: BindingPlan;
  source: BindingSource;
}

/** Informer objects older than our own write are not the answer yet (numeric resourceVersions). */
function olderThan(api: { metadata: { resourceVersion?: string } }, written: { metadata: { resourceVersion?: string } }): boolean {
  const a = api.metadata.resourceVersion ?? '';
  const w = written.metadata.resourceVersion ?? '';
  if (!/^\d+$/.test(a) || !/^\d+$/.test(w)) return false;
  return BigInt(a) < BigInt(w);
}

/** The claim is fully bound and its volume's claimRef names this very claim. */
function boundBothWays(claim: ClaimLike, source: BindingSource): boolean {
  if (!isClaimFullyBound(claim)) return false;
  const volume = source.volume(claim.spec?.volumeName ?? '');
  return volume !== undefined && isVolumeBoundToClaim(volume, claim) && volume.spec?.claimRef?.uid === claim.metadata.uid;
}

function nodeAffinityError(volume: VolumeLike, nodeName: string): string {
  return `pv "${volume.metadata.name ?? ''}" node affinity doesn't match node "${nodeName}": no matching NodeSelectorTerms`;
}

/** True when every claim of the plan is bound; false to keep waiting; a message when binding must be retried. */
export function checkBindings(c: BindingCheck): boolean | string {
  const { pod, nodeName, node, written, source } = c;
  if (!node) return `failed to get node "${nodeName}": node "${nodeName}" not found`;
  const namespace = pod.metadata.namespace ?? '';
  const current = source.pod(namespace, pod.metadata.name ?? '');
  if (!current || (pod.metadata.uid !== undefined && current.metadata.uid !== undefined && current.metadata.uid !== pod.metadata.uid)) {
    return `pod does not exist any more: pod "${pod.metadata.name ?? ''}" not found`;
  }
  for (const b of written.bindings) {
    const volumeName = b.volume.metadata.name ?? '';
    const volume = source.volume(volumeName);
    if (!volume) return `failed to check binding: could not find v1.PersistentVolume "${volumeName}"`;
    const claimName = b.claim.metadata.name ?? '';
    const claim = source.claim(namespace, claimName);
    if (!claim) return `failed to check binding: could not find v1.PersistentVolumeClaim "${namespace}/${claimName}"`;
    if (olderThan(volume, b.volume)) return false;
    if (!volumeNodeAffinityMatches(volume, node)) return nodeAffinityError(volume, nodeName);
    if (!volume.spec?.claimRef?.uid) return `ClaimRef got reset for pv "${volumeName}"`;
    if (!boundBothWays(claim, source)) return false;
  }
  for (const asked of written.provisions) {
    const claimName = asked.metadata.name ?? '';
    const claim = source.claim(namespace, claimName);
    if (!claim) return `failed to check provisioning pvc: could not find v1.PersistentVolumeClaim "${namespace}/${claimName}"`;
    if (olderThan(claim, asked)) return false;
    const annotations = claim.metadata.annotations;
    if (!annotations || Object.keys(annotations).length === 0) return `selectedNode annotation reset for PVC "${claimName}"`;
    // A provisioner that cannot provision removes (or changes) the annotation: schedule again.
    if (annotations[ANN_SELECTED_NODE] !== nodeName) return `provisioning failed for PVC "${claimName}"`;
    const volumeName = claim.spec?.volumeName;
    if (volumeName) {
      // Not in the cache yet: the informer will catch up.
      const volume = source.volume(volumeName);
      if (!volume) return false;
      if (!volumeNodeAffinityMatches(volume, node)) return nodeAffinityError(volume, nodeName);
    }
    if (!boundBothWays(claim, source)) return false;
  }
  return true;
}

/** Time for the wait; tests pass a fake one. */
export interface WaitClock {
  now(): number;
  /** Resolves after `ms`; rejects (or resolves early) once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const REAL_CLOCK: WaitClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await sleep(ms, undefined, { signal });
  },
};

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  clock: WaitClock;
  signal: AbortSignal;
}

/**
 * Runs `check` until it returns true (resolves undefined) or a message (resolves it), or until the
 * timeout passes or the signal aborts (resolves the error Kubernetes' context gives then).
 */
export async function waitForBindings(check: () => boolean | string, o: WaitOptions): Promise<string | undefined> {
  const deadline = o.clock.now() + o.timeoutMs;
  for (;;) {
    if (o.signal.aborted) return 'context canceled';
    const result = check();
    if (result === true) return undefined;
    if (typeof result === 'string') return result;
    const left = deadline - o.clock.now();
    if (left <= 0) return 'context deadline exceeded';
    try {
      await o.clock.sleep(Math.min(o.pollMs, left), o.signal);
    } catch (err) {
      if (!o.signal.aborted) throw err;
    }
  }
}
