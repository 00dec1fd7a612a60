// Pod admission, as the kubelet's: before a pod's first container starts, the node checks that the
// pod fits beside the pods it already runs (pod count, cpu, memory, ephemeral storage and other
// resources by requests), that its node selector and required node affinity match this node, and
// that its host ports are free. The scheduler checks the same, but a pod bound by hand
// (spec.nodeName) or by another scheduler never went through it, and the node's view is the one
// that counts. A rejected pod never runs: phase Failed with the first reason, as the kubelet sets it.
import type { KubeObject } from '../../api/meta.js';
import { hostPortsClash, podHostPorts } from '../../machinery/host-ports.js';
import { matchesNodeSelectorAndAffinity, type NodeConstraints } from '../../machinery/node-affinity.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, nodeAllocatable, podRequests, Resource, type ResourceList } from '../../machinery/resources.js';

export interface Rejection {
  reason: string;
  message: string;
}

export interface AdmissionNode {
  metadata: { name?: string; labels?: Record<string, string> };
  status?: { allocatable?: ResourceList; capacity?: ResourceList };
}

interface AdmissionContainer {
  resources?: { requests?: ResourceList };
  restartPolicy?: string;
  ports?: Array<{ hostPort?: number; hostIP?: string; protocol?: string }>;
}

export type AdmissionPod = KubeObject & {
  spec?: NodeConstraints & { nodeName?: string; containers?: AdmissionContainer[]; initContainers?: AdmissionContainer[]; overhead?: ResourceList };
};

function outOf(resource: string, requested: number, used: number, capacity: number): Rejection {
  return { reason: `OutOf${resource}`, message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}` };
}

function predicateFailed(name: string): Rejection {
  return { reason: name, message: `Predicate ${name} failed` };
}

/** Extended resources (a domain-qualified name outside kubernetes.io) that the node does not list are not the node's to check. */
function checkedHere(name: string, allocatable: Resource): boolean {
  const extended = name.includes('/') && !name.startsWith('kubernetes.io/') && !name.includes('.kubernetes.io/');
  return !extended || allocatable.scalar?.has(name) === true;
}

/** The first reason `pod` may not run on `node` beside `admitted` (the node's other active pods), or undefined. */
export function admissionRejection(pod: AdmissionPod, admitted: readonly AdmissionPod[], node: AdmissionNode): Rejection | undefined {
  const { resources: allocatable, allowedPods } = nodeAllocatable(node);
  if (admitted.length + 1 > allowedPods) return outOf('pods', 1, admitted.length, allowedPods);
  const wanted = podRequests(pod).requests;
  if (!wanted.isZero()) {
    const used = new Resource();
    for (const other of admitted) used.add(podRequests(other).requests);
    for (const name of [CPU, MEMORY, EPHEMERAL_STORAGE, ...(wanted.scalar?.keys() ?? [])]) {
      const amount = wanted.get(name);
      if (amount <= 0 || !checkedHere(name, allocatable)) continue;
      if (amount > allocatable.get(name) - used.get(name)) return outOf(name, amount, used.get(name), allocatable.get(name));
    }
  }
  if (!matchesNodeSelectorAndAffinity(pod.spec, node)) return predicateFailed('NodeAffinity');
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata.name) return predicateFailed('NodeName');
  const ports = podHostPorts(pod);
  if (ports.length > 0) {
    const taken = admitted.flatMap((other) => podHostPorts(other));
    if (ports.some((use) => taken.some((other) => hostPortsClash(use, other)))) return predicateFailed('NodePorts');
  }
  return undefined;
}
