// Pure decisions of a hollow node: the Node it registers and the status it reports for a pod bound
// to it, shaped as a real kubelet would report them (so controllers and kubectl see nothing odd).

import type { KubeObject } from '../api/meta.js';
import { rfc3339 } from '../api/meta.js';

export interface HollowNodeShape {
  name: string;
  cpu: string;
  memory: string;
  pods: number;
  /** Index of the node, used for its fake address and pod CIDR. */
  index: number;
  labels?: Record<string, string>;
}

/** A fake, never-routed address for node `index` (documentation range 198.18.0.0/15). */
export function hollowNodeAddress(index: number): string {
  return `198.18.${Math.floor(index / 256) % 256}.${index % 256}`;
}

export function hollowPodCidr(index: number): string {
  return `10.${128 + Math.floor(index / 256) % 64}.${index % 256}.0/24`;
}

export function hollowNode(shape: HollowNodeShape, now: Date): KubeObject {
  const time = rfc3339(now);
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: time, lastTransitionTime: time, reason, message });
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods), 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: shape.name,
      labels: {
        'kubernetes.io/hostname': shape.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'hollow',
        ...(shape.labels ?? {}),
      },
      annotations: { 'kijabi.io/hollow': 'true' },
    },
    spec: { podCIDR: hollowPodCidr(shape.index), podCIDRs: [hollowPodCidr(shape.index)] },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: hollowNodeAddress(shape.index) },
        { type: 'Hostname', address: shape.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: shape.name,
        systemUUID: shape.name,
        bootID: shape.name,
        kernelVersion: 'hollow',
        osImage: 'Kijabi hollow node',
        containerRuntimeVersion: 'hollow://0.1.0',
        kubeletVersion: 'v1.32.4-kijabi-hollow',
        kubeProxyVersion: 'v1.32.4-kijabi-hollow',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

interface PodLike {
  metadata: KubeObject['metadata'];
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[]; initContainers?: { name: string; image?: string }[]; restartPolicy?: string };
  status?: { phase?: string; podIP?: string };
}

/**
 * The part of a pod a hollow node reads (decidePod and its queue): its informer keeps only this,
 * so 10,000 bound pods cost the process little memory and collection work.
 */
export function hollowView(pod: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, deletionTimestamp } = pod.metadata;
  const spec = (pod.spec ?? {}) as PodLike['spec'] & object;
  const images = (list: { name: string; image?: string }[] | undefined) => list?.map(({ name: n, image }) => ({ name: n, image }));
  const view: KubeObject = { metadata: { name, namespace, uid, resourceVersion, deletionTimestamp } };
  view.spec = { nodeName: spec.nodeName, containers: images(spec.containers), initContainers: images(spec.initContainers) };
  const phase = (pod.status as PodLike['status'])?.phase;
  if (phase !== undefined) view.status = { phase };
  return view;
}

/** What a hollow node does about a pod bound to it. */
export type HollowPodAction = { type: 'none' } | { type: 'report-running'; status: Record<string, unknown> } | { type: 'finish-deletion' };

export function decidePod(pod: PodLike, nodeIndex: number, podNumber: number, now: Date): HollowPodAction {
  if (pod.metadata.deletionTimestamp) return { type: 'finish-deletion' };
  const phase = pod.status?.phase;
  if (phase === 'Running' || phase === 'Succeeded' || phase === 'Failed') return { type: 'none' };
  const time = rfc3339(now);
  const podIp = hollowPodCidr(nodeIndex).replace(/0\/24$/, String(2 + (podNumber % 250)));
  const ready = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: time });
  const containerStatuses = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    ready: true,
    started: true,
    restartCount: 0,
    image: c.image ?? '',
    imageID: `hollow://${c.image ?? ''}`,
    containerID: `hollow://${pod.metadata.uid ?? ''}/${c.name}`,
    state: { running: { startedAt: time } },
  }));
  const initContainerStatuses = (pod.spec?.initContainers ?? []).map((c) => ({
    name: c.name,
    ready: true,
    restartCount: 0,
    image: c.image ?? '',
    imageID: `hollow://${c.image ?? ''}`,
    containerID: `hollow://${pod.metadata.uid ?? ''}/${c.name}`,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: time, finishedAt: time } },
  }));
  const status: Record<string, unknown> = {
    phase: 'Running',
    conditions: [ready('PodReadyToStartContainers'), ready('Initialized'), ready('Ready'), ready('ContainersReady'), ready('PodScheduled')],
    hostIP: hollowNodeAddress(nodeIndex),
    hostIPs: [{ ip: hollowNodeAddress(nodeIndex) }],
    podIP: podIp,
    podIPs: [{ ip: podIp }],
    startTime: time,
    containerStatuses,
  };
  if (initContainerStatuses.length) status.initContainerStatuses = initContainerStatuses;
  return { type: 'report-running', status };
}

/** What the lease heartbeat does next: renew `nodes` (indexes) now, then wait `waitMs`. */
export interface LeaseRenewalStep {
  nodes: number[];
  /** The number of the next renewal not yet started. */
  next: number;
  waitMs: number;
}

/**
 * Lease renewals spread evenly over each interval, as independent kubelets renew theirs (a
 * thousand nodes renewing at once would be a burst no real cluster sees): renewal k (k = 0, 1, ...)
 * is node k % count, due (k + 1) / count intervals after registration, so every node renews within
 * one interval of the last time. A heartbeat that fell behind renews each late node once, not once
 * per missed interval. `waitMs` is the time until the next renewal is due, at least `minWaitMs`.
 */
export function dueLeaseRenewals(next: number, elapsedMs: number, intervalMs: number, count: number, minWaitMs = 0): LeaseRenewalStep {
  const due = Math.floor((elapsedMs * count) / intervalMs);
  const from = Math.max(next, due - count);
  const nodes: number[] = [];
  for (let k = from; k < due; k++) nodes.push(k % count);
  const after = Math.max(next, due);
  const nextDueMs = ((after + 1) * intervalMs) / count;
  return { nodes, next: after, waitMs: Math.max(minWaitMs, Math.ceil(nextDueMs - elapsedMs)) };
}
