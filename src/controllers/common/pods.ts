// Pod facts every workload controller needs: minimal typings, activity, readiness, availability,
// owner references and the slow-start batching of creations. Pure, shared by the workload controllers.
import { controllerOf, type KubeObject, type LabelSelector, type ObjectMeta, type OwnerReference } from '../../api/meta.js';
import type { Toleration } from '../../machinery/tolerations.js';

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { terminated?: { exitCode?: number; reason?: string; finishedAt?: string }; running?: unknown; waiting?: unknown };
}

export interface PodSpec {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  restartPolicy?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Record<string, unknown>;
  containers?: Array<{ name: string; env?: Array<{ name: string; value?: string; valueFrom?: unknown }>; [k: string]: unknown }>;
  initContainers?: Array<{ name: string; env?: Array<{ name: string; value?: string; valueFrom?: unknown }>; [k: string]: unknown }>;
  volumes?: Array<{ name: string; [k: string]: unknown }>;
  [field: string]: unknown;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    startTime?: string;
    reason?: string;
  };
}

export const POD_READY = 'Ready';

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Counts toward replicas: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === POD_READY);
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds at `now`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadyCondition(pod)?.lastTransitionTime;
  if (!since) return false;
  return Date.parse(since) + minReadySeconds * 1000 <= now.getTime();
}

/** Milliseconds until a ready pod becomes available; undefined when it is not ready or already is. */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: Date): number | undefined {
  if (!isPodReady(pod) || !minReadySeconds) return undefined;
  const since = podReadyCondition(pod)?.lastTransitionTime;
  if (!since) return undefined;
  const left = Date.parse(since) + minReadySeconds * 1000 - now.getTime();
  return left > 0 ? left : undefined;
}

export function restartCount(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
}

export function controllerRefFor(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

export function timeMs(value: string | undefined): number {
  return value ? Date.parse(value) : 0;
}

export type ClaimDecision = 'own' | 'adopt' | 'release' | 'ignore';

/**
 * Whether a controller with `selector` and uid `ownerUid` should keep, adopt or release `obj`
 * (like Kubernetes' ControllerRefManager). A deleting owner adopts nothing.
 */
export function claimDecision(obj: KubeObject, ownerUid: string, matches: boolean, ownerDeleting: boolean): ClaimDecision {
  const ref = controllerOf(obj);
  if (ref) {
    if (ref.uid !== ownerUid) return 'ignore';
    if (matches) return 'own';
    return obj.metadata.deletionTimestamp || ownerDeleting ? 'own' : 'release';
  }
  if (!matches || ownerDeleting || obj.metadata.deletionTimestamp) return 'ignore';
  return 'adopt';
}

/** An empty selector would select every pod of the namespace; Kubernetes refuses to act on one. */
export function selectsNothing(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions?.length ?? 0) === 0);
}

/**
 * Runs `count` calls in batches of 1, 2, 4, ... stopping after the first batch with a failure, so a
 * quota or admission error costs one request rather than hundreds. Returns successes and the first error.
 */
export async function slowStartBatch(count: number, initialBatch: number, fn: (index: number) => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  let index = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}

/** Strategic-merge-free way to set one controller reference: a JSON patch guarded by uid. */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): unknown[] {
  const ops: unknown[] = [{ op: 'test', path: '/metadata/uid', value: obj.metadata.uid }];
  if (obj.metadata.ownerReferences?.length) ops.push({ op: 'add', path: '/metadata/ownerReferences/-', value: ref });
  else ops.push({ op: 'add', path: '/metadata/ownerReferences', value: [ref] });
  return ops;
}

export function releasePatch(obj: KubeObject, ownerUid: string): unknown[] {
  const kept = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  return [
    { op: 'test', path: '/metadata/uid', value: obj.metadata.uid },
    kept.length ? { op: 'replace', path: '/metadata/ownerReferences', value: kept } : { op: 'remove', path: '/metadata/ownerReferences' },
  ];
}
