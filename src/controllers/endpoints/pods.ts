// Pure rules shared by the Endpoints and EndpointSlice controllers: which pods a Service selects,
// which of them belong in its endpoints, whether they are ready, and which port each serves.
import type { ContainerPort, ObjectReference, Pod, Service, ServicePort } from './types.js';

/** The Service's selector, or undefined when it has none (such Services are managed by hand). */
export function serviceSelector(service: Service): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  return selector;
}

export function selectsPod(selector: Record<string, string>, pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Should the pod appear at all: it has an IP, has not finished for good, and (unless terminating
 * endpoints are wanted) is not being deleted. Like Kubernetes' ShouldPodBeInEndpoints.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** The pod's IPs, podIPs first (dual stack), else podIP. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
  if (ips.length) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/**
 * The pod port a Service port reaches: a number is taken as is, a name is looked up among the
 * containers' ports with the same protocol; undefined when the pod has no such named port.
 */
export function resolveTargetPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec?.containers ?? []) {
    const found = (container.ports ?? []).find((p: ContainerPort) => p.name === target && (p.protocol ?? 'TCP') === protocol);
    if (found) return found.containerPort;
  }
  return undefined;
}

export function podReference(pod: Pod): ObjectReference {
  return { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
}

/** A pod's DNS hostname under a headless Service: only when its subdomain names the Service. */
export function podHostname(pod: Pod, service: Service): string | undefined {
  const hostname = pod.spec?.hostname;
  return hostname && pod.spec?.subdomain === service.metadata.name ? hostname : undefined;
}

export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

/** Keys (`ns/name`) of the Services among `services` whose selector matches `pod`. */
export function servicesSelecting(services: readonly Service[], pod: Pod): string[] {
  const keys: string[] = [];
  for (const service of services) {
    const selector = serviceSelector(service);
    if (selector && service.metadata.namespace === pod.metadata.namespace && selectsPod(selector, pod)) keys.push(`${service.metadata.namespace}/${service.metadata.name}`);
  }
  return keys;
}
