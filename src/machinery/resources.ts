// Resource vectors (milli-cpu, bytes of memory and ephemeral storage, extended resources) and the
// effective requests of a pod: the larger of its init-container peak and its app containers' sum,
// plus sidecars and the pod overhead. The scheduler places pods by them and the node agent admits
// pods by them, so both account for a pod the same way.
import { quantityMilliValue, quantityValue } from './validation/quantity.js';

export interface ResourceList {
  [name: string]: string | undefined;
}

/** The parts of a container that its requests come from. */
interface Container {
  resources?: { requests?: ResourceList };
  restartPolicy?: string;
}

/** The parts of a pod that its requests come from. */
interface Pod {
  spec?: { containers?: Container[]; initContainers?: Container[]; overhead?: ResourceList };
}

interface Node {
  status?: { allocatable?: ResourceList; capacity?: ResourceList };
}

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** What scoring assumes for a container that requests no cpu or memory (Kubernetes' defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  /** Extended and hugepage resources by name; absent when none. */
  scalar?: Map<string, number>;

  static fromList(list: ResourceList | undefined): Resource {
    const r = new Resource();
    if (list) for (const [name, value] of Object.entries(list)) if (value !== undefined) r.addNamed(name, value);
    return r;
  }

  get(name: string): number {
    switch (name) {
      case CPU:
        return this.milliCPU;
      case MEMORY:
        return this.memory;
      case EPHEMERAL_STORAGE:
        return this.ephemeralStorage;
      default:
        return this.scalar?.get(name) ?? 0;
    }
  }

  set(name: string, value: number): void {
    switch (name) {
      case CPU:
        this.milliCPU = value;
        return;
      case MEMORY:
        this.memory = value;
        return;
      case EPHEMERAL_STORAGE:
        this.ephemeralStorage = value;
        return;
      default:
        (this.scalar ??= new Map()).set(name, value);
    }
  }

  private addNamed(name: string, quantity: string): void {
    if (name === PODS) return;
    let value: number;
    try {
      value = name === CPU ? quantityMilliValue(quantity) : quantityValue(quantity);
    } catch {
      return; // validation rejects malformed quantities; never let one crash a cycle
    }
    this.set(name, this.get(name) + value);
  }

  add(other: Resource, sign = 1): void {
    this.milliCPU += sign * other.milliCPU;
    this.memory += sign * other.memory;
    this.ephemeralStorage += sign * other.ephemeralStorage;
    if (other.scalar) for (const [k, v] of other.scalar) this.set(k, this.get(k) + sign * v);
  }

  /** Raises each dimension to at least `other`'s value. */
  maxWith(other: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, other.milliCPU);
    this.memory = Math.max(this.memory, other.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, other.ephemeralStorage);
    if (other.scalar) for (const [k, v] of other.scalar) this.set(k, Math.max(this.get(k), v));
  }

  clone(): Resource {
    const r = new Resource();
    r.add(this);
    return r;
  }

  isZero(): boolean {
    if (this.milliCPU !== 0 || this.memory !== 0 || this.ephemeralStorage !== 0) return false;
    if (this.scalar) for (const v of this.scalar.values()) if (v !== 0) return false;
    return true;
  }
}

export interface PodRequests {
  /** What the node must have free. */
  requests: Resource;
  /** cpu/memory with defaults for containers that request nothing: what scoring counts. */
  nonZeroMilliCPU: number;
  nonZeroMemory: number;
}

function containerRequests(c: Container): Resource {
  return Resource.fromList(c.resources?.requests);
}

function nonZero(c: Container): { cpu: number; mem: number } {
  const r = containerRequests(c);
  const req = c.resources?.requests;
  return {
    cpu: req?.[CPU] === undefined ? DEFAULT_MILLI_CPU_REQUEST : r.milliCPU,
    mem: req?.[MEMORY] === undefined ? DEFAULT_MEMORY_REQUEST : r.memory,
  };
}

const requestCache = new WeakMap<object, PodRequests>();

/** Effective requests of a pod; memoised per object (informer objects are immutable). */
export function podRequests(pod: Pod): PodRequests {
  const cached = requestCache.get(pod);
  if (cached) return cached;
  const spec = pod.spec ?? {};
  const requests = new Resource();
  let nonZeroMilliCPU = 0;
  let nonZeroMemory = 0;
  for (const c of spec.containers ?? []) {
    requests.add(containerRequests(c));
    const nz = nonZero(c);
    nonZeroMilliCPU += nz.cpu;
    nonZeroMemory += nz.mem;
  }
  // Sidecars (restartable init containers) run alongside everything started after them.
  const sidecars = new Resource();
  let sidecarCpu = 0;
  let sidecarMem = 0;
  const initPeak = new Resource();
  let initPeakCpu = 0;
  let initPeakMem = 0;
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c);
    const nz = nonZero(c);
    if (c.restartPolicy === 'Always') {
      requests.add(r);
      sidecars.add(r);
      nonZeroMilliCPU += nz.cpu;
      nonZeroMemory += nz.mem;
      sidecarCpu += nz.cpu;
      sidecarMem += nz.mem;
      initPeak.maxWith(sidecars);
    } else {
      const during = r.clone();
      during.add(sidecars);
      initPeak.maxWith(during);
      initPeakCpu = Math.max(initPeakCpu, nz.cpu + sidecarCpu);
      initPeakMem = Math.max(initPeakMem, nz.mem + sidecarMem);
    }
  }
  requests.maxWith(initPeak);
  nonZeroMilliCPU = Math.max(nonZeroMilliCPU, initPeakCpu);
  nonZeroMemory = Math.max(nonZeroMemory, initPeakMem);
  if (spec.overhead) {
    const overhead = Resource.fromList(spec.overhead);
    requests.add(overhead);
    nonZeroMilliCPU += overhead.milliCPU;
    nonZeroMemory += overhead.memory;
  }
  const result = { requests, nonZeroMilliCPU, nonZeroMemory };
  requestCache.set(pod, result);
  return result;
}

export interface NodeAllocatable {
  resources: Resource;
  allowedPods: number;
}

/** status.allocatable, falling back to capacity when a node reports no allocatable. */
export function nodeAllocatable(node: Node): NodeAllocatable {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  // Like Kubernetes: a node that reports no pod capacity takes no pods.
  let allowedPods = 0;
  const podsText = list[PODS];
  if (podsText !== undefined) {
    try {
      allowedPods = quantityValue(podsText);
    } catch {
      allowedPods = 0;
    }
  }
  return { resources: Resource.fromList(list), allowedPods };
}
