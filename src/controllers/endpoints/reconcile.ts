// Pure reconcile of core/v1 Endpoints: from a Service and the pods of its namespace, the subsets it
// should have (ready pods in addresses, others in notReadyAddresses, grouped by the ports they
// serve), and whether the existing object needs creating or updating. Like Kubernetes'
// pkg/controller/endpoint syncService.
import { isHeadless, isIPv6, isPodReady, podHostname, podIPs, podReference, resolveTargetPort, selectsPod, serviceSelector, shouldPodBeInEndpoints } from './pods.js';
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset, Pod, Service } from './types.js';

/** Kubernetes caps an Endpoints object at 1000 addresses and marks it truncated. */
export const MAX_ENDPOINT_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function portKey(ports: readonly EndpointPort[]): string {
  return JSON.stringify(ports.map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']));
}

/** The IP a pod gets in Endpoints: one of the Service's primary IP family, or the pod's first IP. */
function addressFor(pod: Pod, service: Service): string | undefined {
  const ips = podIPs(pod);
  const family = service.spec?.ipFamilies?.[0];
  if (!family) return ips[0];
  return ips.find((ip) => (family === 'IPv6') === isIPv6(ip));
}

/** The ports `pod` serves for `service` (in Service port order); undefined when it serves none. */
export function endpointPortsFor(pod: Pod, service: Service): EndpointPort[] | undefined {
  const servicePorts = service.spec?.ports ?? [];
  // A headless Service may have no ports: its pods are listed without any.
  if (servicePorts.length === 0) return isHeadless(service) ? [] : undefined;
  const out: EndpointPort[] = [];
  for (const sp of servicePorts) {
    const port = resolveTargetPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out.length ? out : undefined;
}

export interface DesiredSubsets {
  subsets: EndpointSubset[];
  truncated: boolean;
}

export function desiredSubsets(service: Service, pods: readonly Pod[]): DesiredSubsets {
  const selector = serviceSelector(service);
  if (!selector) return { subsets: [], truncated: false };
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (pod.metadata.namespace !== service.metadata.namespace || !selectsPod(selector, pod)) continue;
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ip = addressFor(pod, service);
    const ports = endpointPortsFor(pod, service);
    if (!ip || !ports) continue;
    const address: EndpointAddress = { ip };
    const hostname = podHostname(pod, service);
    if (hostname) address.hostname = hostname;
    if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
    address.targetRef = podReference(pod);
    const key = portKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, ready: [], notReady: [] }));
    (publishNotReady || isPodReady(pod) ? group.ready : group.notReady).push(address);
  }
  const keys = [...groups.keys()].sort();
  let budget = MAX_ENDPOINT_ADDRESSES;
  let truncated = false;
  const take = (list: EndpointAddress[]): EndpointAddress[] => {
    list.sort(compareAddresses);
    if (list.length > budget) truncated = true;
    const kept = list.slice(0, Math.max(0, budget));
    budget -= kept.length;
    return kept;
  };
  // Ready addresses first, so truncation drops not-ready ones before ready ones.
  const ready = keys.map((k) => take(groups.get(k)!.ready));
  const notReady = keys.map((k) => take(groups.get(k)!.notReady));
  const subsets: EndpointSubset[] = [];
  keys.forEach((k, i) => {
    const subset: EndpointSubset = {};
    if (ready[i]!.length) subset.addresses = ready[i];
    if (notReady[i]!.length) subset.notReadyAddresses = notReady[i];
    if (!subset.addresses && !subset.notReadyAddresses) return;
    const ports = groups.get(k)!.ports;
    if (ports.length) subset.ports = ports;
    subsets.push(subset);
  });
  return { subsets, truncated };
}

function normalizeSubsets(subsets: readonly EndpointSubset[] | undefined): string {
  return JSON.stringify(
    (subsets ?? []).map((s) => ({
      addresses: s.addresses ?? [],
      notReadyAddresses: s.notReadyAddresses ?? [],
      ports: (s.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol ?? '' })),
    })),
  );
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {}).sort();
  const kb = Object.keys(b ?? {}).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a![k] === b![k]);
}

export type EndpointsAction = { type: 'none' } | { type: 'create'; endpoints: Endpoints } | { type: 'update'; endpoints: Endpoints };

/** What to do about the Endpoints of `service` given the pods of its namespace and the current object. */
export function reconcileEndpoints(input: { service: Service; pods: readonly Pod[]; existing?: Endpoints }): EndpointsAction {
  const { service, pods, existing } = input;
  if (!serviceSelector(service) || service.spec?.type === 'ExternalName') return { type: 'none' };
  const { subsets, truncated } = desiredSubsets(service, pods);
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  const annotations: Record<string, string> = { ...(existing?.metadata.annotations ?? {}) };
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];

  if (!existing) {
    const metadata: Endpoints['metadata'] = { name: service.metadata.name, namespace: service.metadata.namespace, labels };
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    return { type: 'create', endpoints: { apiVersion: 'v1', kind: 'Endpoints', metadata, subsets } };
  }
  const unchanged =
    normalizeSubsets(existing.subsets) === normalizeSubsets(subsets) && sameMap(existing.metadata.labels, labels) && sameMap(existing.metadata.annotations, annotations);
  if (unchanged) return { type: 'none' };
  const metadata: Endpoints['metadata'] = { ...existing.metadata, labels, annotations };
  return { type: 'update', endpoints: { ...existing, apiVersion: 'v1', kind: 'Endpoints', metadata, subsets } };
}
