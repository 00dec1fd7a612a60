// Pure StatefulSet logic: stable pod names and claims, ordered (or parallel) creation and
// deletion, rolling updates from the highest ordinal down to the partition, and status.
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import { computeTemplateHash } from '../deployment/hash.js';
import { isPodAvailable, isPodReady, type Pod, type PodTemplateSpec } from '../common/pods.js';

export interface StatefulSet extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    serviceName?: string;
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } };
    volumeClaimTemplates?: Array<{ metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> }>;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    ordinals?: { start?: number };
  };
  status?: StatefulSetStatus;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
}

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export interface StatefulSetPlan {
  /** The ControllerRevision for the current template, when it does not exist yet. */
  createRevision?: { name: string; template: PodTemplateSpec };
  createClaims: KubeObject[];
  createPods: Pod[];
  deletePods: Pod[];
  status: StatefulSetStatus;
}

export interface StatefulSetInput {
  sts: StatefulSet;
  /** Pods controlled by the set. */
  pods: Pod[];
  /** Names of the claims that exist in the namespace. */
  claims: Set<string>;
  /** Templates of the existing ControllerRevisions, by name. */
  revisions: Map<string, PodTemplateSpec>;
  now: Date;
}

export function ordinalOf(setName: string, pod: Pod): number | undefined {
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(`${setName}-`)) return undefined;
  const tail = name.slice(setName.length + 1);
  return /^\d+$/.test(tail) ? Number(tail) : undefined;
}

export function revisionName(sts: StatefulSet): string {
  return `${sts.metadata.name}-${computeTemplateHash(sts.spec?.template, sts.status?.collisionCount)}`;
}

export function claimName(template: string, setName: string, ordinal: number): string {
  return `${template}-${setName}-${ordinal}`;
}

const healthy = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p) && !p.metadata.deletionTimestamp;

export function statefulSetPod(sts: StatefulSet, ordinal: number, revision: string, template: PodTemplateSpec): Pod {
  const setName = sts.metadata.name ?? '';
  const name = `${setName}-${ordinal}`;
  const spec = structuredClone(template.spec ?? {});
  spec.hostname = name;
  if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
  const volumes = (spec.volumes ?? []).filter((v) => !(sts.spec?.volumeClaimTemplates ?? []).some((t) => t.metadata?.name === v.name));
  for (const t of sts.spec?.volumeClaimTemplates ?? []) {
    const tname = t.metadata?.name ?? '';
    volumes.push({ name: tname, persistentVolumeClaim: { claimName: claimName(tname, setName, ordinal) } });
  }
  if (volumes.length) spec.volumes = volumes;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: sts.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [REVISION_LABEL]: revision, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: setName, uid: sts.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
  if (template.metadata?.annotations) pod.metadata.annotations = { ...template.metadata.annotations };
  return pod;
}

function claimsFor(sts: StatefulSet, ordinal: number, existing: Set<string>): KubeObject[] {
  const setName = sts.metadata.name ?? '';
  return (sts.spec?.volumeClaimTemplates ?? [])
    .map((t) => ({ t, name: claimName(t.metadata?.name ?? '', setName, ordinal) }))
    .filter(({ name }) => !existing.has(name))
    .map(({ t, name }) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: sts.metadata.namespace, labels: { ...(sts.spec?.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) }, ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}) },
      spec: structuredClone(t.spec ?? {}),
    }));
}

export function reconcileStatefulSet(input: StatefulSetInput): StatefulSetPlan {
  const { sts, now } = input;
  const setName = sts.metadata.name ?? '';
  const replicas = sts.spec?.replicas ?? 1;
  const start = sts.spec?.ordinals?.start ?? 0;
  const parallel = sts.spec?.podManagementPolicy === 'Parallel';
  const updateRevision = revisionName(sts);
  const currentRevision = sts.status?.currentRevision && input.revisions.has(sts.status.currentRevision) ? sts.status.currentRevision : updateRevision;
  const plan: StatefulSetPlan = { createClaims: [], createPods: [], deletePods: [], status: { replicas: 0 } };
  if (!input.revisions.has(updateRevision)) plan.createRevision = { name: updateRevision, template: structuredClone(sts.spec?.template ?? {}) };
  const rollingUpdate = (sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = rollingUpdate ? (sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;

  const byOrdinal = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const pod of input.pods) {
    const ord = ordinalOf(setName, pod);
    if (ord === undefined) continue;
    if (ord >= start && ord < start + replicas) byOrdinal.set(ord, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => (ordinalOf(setName, b) ?? 0) - (ordinalOf(setName, a) ?? 0));

  // Status from what exists now.
  const revOf = (p: Pod): string | undefined => p.metadata.labels?.[REVISION_LABEL];
  const existing = [...byOrdinal.values()];
  plan.status = {
    observedGeneration: sts.metadata.generation,
    replicas: existing.length,
    readyReplicas: existing.filter(isPodReady).length,
    availableReplicas: existing.filter((p) => isPodAvailable(p, sts.spec?.minReadySeconds ?? 0, now)).length,
    currentReplicas: existing.filter((p) => revOf(p) === currentRevision).length,
    updatedReplicas: existing.filter((p) => revOf(p) === updateRevision).length,
    currentRevision,
    updateRevision,
  };
  if (sts.status?.collisionCount !== undefined) plan.status.collisionCount = sts.status.collisionCount;
  const s = plan.status;
  if (rollingUpdate && s.updatedReplicas === replicas && s.readyReplicas === replicas && s.replicas === replicas) {
    s.currentRevision = updateRevision;
    s.currentReplicas = s.updatedReplicas;
  }

  const templateFor = (ordinal: number): { revision: string; template: PodTemplateSpec } => {
    if (currentRevision !== updateRevision && ordinal < partition) return { revision: currentRevision, template: input.revisions.get(currentRevision) ?? sts.spec?.template ?? {} };
    return { revision: updateRevision, template: sts.spec?.template ?? {} };
  };

  // Create missing pods and replace failed ones, lowest ordinal first.
  for (let ord = start; ord < start + replicas; ord++) {
    const pod = byOrdinal.get(ord);
    if (pod?.status?.phase === 'Failed' && !pod.metadata.deletionTimestamp) {
      plan.deletePods.push(pod);
      if (!parallel) return plan;
      continue;
    }
    if (!pod) {
      plan.createClaims.push(...claimsFor(sts, ord, input.claims));
      const { revision, template } = templateFor(ord);
      plan.createPods.push(statefulSetPod(sts, ord, revision, template));
      if (!parallel) return plan;
      continue;
    }
    if (!parallel && !healthy(pod)) return plan;
  }
  if (plan.createPods.length || plan.deletePods.length) return plan;

  // Scale down: highest ordinal first; OrderedReady only when everything else is healthy.
  if (condemned.length) {
    if (parallel) plan.deletePods.push(...condemned.filter((p) => !p.metadata.deletionTimestamp));
    else {
      const first = condemned[0]!;
      if (!first.metadata.deletionTimestamp && existing.every(healthy)) plan.deletePods.push(first);
    }
    return plan;
  }

  // Rolling update: replace the highest out-of-date pod at or above the partition, one at a time.
  if (rollingUpdate) {
    if (!existing.every(healthy)) return plan;
    for (let ord = start + replicas - 1; ord >= Math.max(start, partition); ord--) {
      const pod = byOrdinal.get(ord);
      if (pod && revOf(pod) !== updateRevision) {
        plan.deletePods.push(pod);
        break;
      }
    }
  }
  return plan;
}
