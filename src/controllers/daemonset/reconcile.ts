// Pure DaemonSet logic: one pod per eligible node, pinned there by node affinity; rolling update
// within maxUnavailable; status counts.
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import { computeTemplateHash } from '../deployment/hash.js';
import { scaledValue, type IntOrString } from '../deployment/rolling.js';
import { isPodAvailable, isPodReady, timeMs, type Pod, type PodTemplateSpec } from '../common/pods.js';
import { pinToNode, shouldRunOnNode, targetNodeOf, type NodeObject } from './eligibility.js';

export interface DaemonSet extends KubeObject {
  spec?: {
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    minReadySeconds?: number;
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
}

export const DS_REVISION_LABEL = 'controller-revision-hash';

export interface DaemonSetPlan {
  updateHash: string;
  create: Pod[];
  delete: Pod[];
  status: DaemonSetStatus;
  requeueAfterMs?: number;
}

export function daemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const template = ds.spec?.template ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [DS_REVISION_LABEL]: hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name ?? '', uid: ds.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: pinToNode(template.spec ?? {}, nodeName),
  };
  if (template.metadata?.annotations) pod.metadata.annotations = { ...template.metadata.annotations };
  return pod;
}

export function reconcileDaemonSet(input: { ds: DaemonSet; nodes: NodeObject[]; pods: Pod[]; now: Date }): DaemonSetPlan {
  const { ds, now } = input;
  const hash = computeTemplateHash(ds.spec?.template, ds.status?.collisionCount);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const plan: DaemonSetPlan = { updateHash: hash, create: [], delete: [], status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 } };
  const byNode = new Map<string, Pod[]>();
  for (const pod of input.pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const node = targetNodeOf(pod.spec);
    if (!node) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  const nodeNames = new Set(input.nodes.map((n) => n.metadata.name));
  // Pods for nodes that no longer exist go away.
  for (const [node, pods] of byNode) if (!nodeNames.has(node)) plan.delete.push(...pods);

  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  const oldPods: Array<{ pod: Pod; available: boolean }> = [];
  let unavailableNodes = 0;
  for (const node of input.nodes) {
    const name = node.metadata.name ?? '';
    const pods = (byNode.get(name) ?? []).sort((a, b) => timeMs(a.metadata.creationTimestamp) - timeMs(b.metadata.creationTimestamp));
    const shouldRun = shouldRunOnNode(ds.spec?.template?.spec ?? {}, node);
    if (!shouldRun) {
      if (pods.length) misscheduled++;
      plan.delete.push(...pods);
      continue;
    }
    desired++;
    const failed = pods.filter((p) => p.status?.phase === 'Failed');
    plan.delete.push(...failed);
    const running = pods.filter((p) => p.status?.phase !== 'Failed');
    if (running.length === 0) {
      plan.create.push(daemonPod(ds, name, hash));
      unavailableNodes++;
      if (pods.length) current++;
      continue;
    }
    current++;
    // Keep the oldest; extras are deleted.
    const [keep, ...extra] = running;
    plan.delete.push(...extra);
    const isAvailable = isPodAvailable(keep!, minReady, now);
    if (isPodReady(keep!)) ready++;
    if (isAvailable) available++;
    else unavailableNodes++;
    if (keep!.metadata.labels?.[DS_REVISION_LABEL] === hash) updated++;
    else oldPods.push({ pod: keep!, available: isAvailable });
  }

  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && oldPods.length) {
    const maxUnavailable = Math.max(1, scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true));
    // Unavailable old pods cost nothing to replace; available ones only within the budget.
    let budget = maxUnavailable - unavailableNodes;
    for (const { pod, available: isAvailable } of oldPods) {
      if (!isAvailable) plan.delete.push(pod);
    }
    for (const { pod, available: isAvailable } of oldPods) {
      if (!isAvailable || budget <= 0) continue;
      plan.delete.push(pod);
      budget--;
    }
  }

  plan.status = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: Math.max(0, desired - available),
  };
  if (ds.status?.collisionCount !== undefined) plan.status.collisionCount = ds.status.collisionCount;
  return plan;
}
