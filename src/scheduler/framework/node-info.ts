// One node with the pods on it (bound or assumed) and aggregates kept up to date on every add and
// remove, so that filters and scores are O(1) per node instead of walking the node's pods.
import { CPU, EPHEMERAL_STORAGE, MEMORY, nodeAllocatable, podRequests, Resource } from '../../machinery/resources.js';
import { ANY_IP, podHostPorts, type HostPortUse } from '../../machinery/host-ports.js';
import { podUid, type Node, type Pod, type Taint } from './types.js';

export interface PodInfo {
  pod: Pod;
  /** Parsed once: whether the pod has (anti-)affinity terms existing-pod checks care about. */
  hasAffinity: boolean;
  hasRequiredAntiAffinity: boolean;
}

export function makePodInfo(pod: Pod): PodInfo {
  const a = pod.spec?.affinity;
  const hasRequiredAntiAffinity = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  const hasAffinity = hasRequiredAntiAffinity || a?.podAffinity !== undefined || a?.podAntiAffinity !== undefined;
  return { pod, hasAffinity, hasRequiredAntiAffinity };
}

export class NodeInfo {
  node?: Node;
  readonly pods = new Map<string, PodInfo>();
  /** Pods with any pod (anti-)affinity, and those with required anti-affinity. */
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  readonly requested = new Resource();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  allocatable = new Resource();
  allowedPods = 0;
  /** ip -> "protocol/port" -> number of pods holding it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** Image names present on the node, with their sizes. */
  imageSizes = new Map<string, number>();
  /** Bumped on every change; lets callers cache per-node derived data. */
  generation = 0;
  /**
   * Flat copies of what the per-node filters read most (pod count, cpu/memory/ephemeral-storage
   * allocatable and requested, spec.unschedulable, spec.taints), so checking a node touches this
   * one object instead of four or five scattered ones. Kept in step by setNode and account.
   */
  podCount = 0;
  allocMilliCPU = 0;
  allocMemory = 0;
  allocEphemeralStorage = 0;
  usedMilliCPU = 0;
  usedMemory = 0;
  usedEphemeralStorage = 0;
  unschedulable = false;
  taints: Taint[] | undefined = undefined;

  constructor(node?: Node) {
    if (node) this.setNode(node);
  }

  get name(): string {
    return this.node?.metadata.name ?? '';
  }

  setNode(node: Node): void {
    this.node = node;
    const alloc = nodeAllocatable(node);
    this.allocatable = alloc.resources;
    this.allowedPods = alloc.allowedPods;
    this.allocMilliCPU = alloc.resources.milliCPU;
    this.allocMemory = alloc.resources.memory;
    this.allocEphemeralStorage = alloc.resources.ephemeralStorage;
    this.unschedulable = !!node.spec?.unschedulable;
    this.taints = node.spec?.taints;
    const images = new Map<string, number>();
    for (const image of node.status?.images ?? []) {
      for (const name of image.names ?? []) {
        images.set(name, image.sizeBytes ?? 0);
        images.set(normalizedImageName(name), image.sizeBytes ?? 0);
      }
    }
    this.imageSizes = images;
    this.generation++;
  }

  addPod(pod: Pod): void {
    const key = podUid(pod);
    if (this.pods.has(key)) this.removePod(pod);
    const info = makePodInfo(pod);
    this.pods.set(key, info);
    if (info.hasAffinity) this.podsWithAffinity.add(info);
    if (info.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.add(info);
    this.account(pod, 1);
  }

  /** Returns false when the pod was not on this node. */
  removePod(pod: Pod): boolean {
    const key = podUid(pod);
    const info = this.pods.get(key);
    if (!info) return false;
    this.pods.delete(key);
    this.podsWithAffinity.delete(info);
    this.podsWithRequiredAntiAffinity.delete(info);
    this.account(info.pod, -1);
    return true;
  }

  private account(pod: Pod, sign: 1 | -1): void {
    const r = podRequests(pod);
    this.requested.add(r.requests, sign);
    this.nonZeroMilliCPU += sign * r.nonZeroMilliCPU;
    this.nonZeroMemory += sign * r.nonZeroMemory;
    this.podCount = this.pods.size;
    this.usedMilliCPU = this.requested.milliCPU;
    this.usedMemory = this.requested.memory;
    this.usedEphemeralStorage = this.requested.ephemeralStorage;
    for (const use of podHostPorts(pod)) {
      let byIp = this.usedPorts.get(use.ip);
      if (!byIp) this.usedPorts.set(use.ip, (byIp = new Map()));
      const k = `${use.protocol}/${use.port}`;
      const n = (byIp.get(k) ?? 0) + sign;
      if (n <= 0) byIp.delete(k);
      else byIp.set(k, n);
      if (byIp.size === 0) this.usedPorts.delete(use.ip);
    }
    this.generation++;
  }

  /** Allocatable amount of `name`, from the flat copies for cpu, memory and ephemeral storage. */
  allocatableOf(name: string): number {
    switch (name) {
      case CPU:
        return this.allocMilliCPU;
      case MEMORY:
        return this.allocMemory;
      case EPHEMERAL_STORAGE:
        return this.allocEphemeralStorage;
      default:
        return this.allocatable.get(name);
    }
  }

  /** True when `use` collides with a port already held on the node. */
  portInUse(use: HostPortUse): boolean {
    const k = `${use.protocol}/${use.port}`;
    if (use.ip === ANY_IP) {
      for (const byIp of this.usedPorts.values()) if (byIp.has(k)) return true;
      return false;
    }
    return (this.usedPorts.get(use.ip)?.has(k) ?? false) || (this.usedPorts.get(ANY_IP)?.has(k) ?? false);
  }

  /** A deep-enough copy for what-if evaluation (preemption). */
  clone(): NodeInfo {
    const copy = new NodeInfo();
    if (this.node) copy.setNode(this.node);
    for (const info of this.pods.values()) copy.addPod(info.pod);
    return copy;
  }
}

/** `nginx` and `docker.io/library/nginx:latest` name the same image. */
export function normalizedImageName(name: string): string {
  let n = name;
  const lastSlash = n.lastIndexOf('/');
  if (!n.includes('@') && n.lastIndexOf(':') <= lastSlash) n += ':latest';
  const first = n.split('/')[0]!;
  const hasRegistry = n.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) n = n.includes('/') ? `docker.io/${n}` : `docker.io/library/${n}`;
  return n;
}
