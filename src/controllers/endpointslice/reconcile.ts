// Pure reconcile of discovery.k8s.io/v1 EndpointSlices for one Service: the endpoints its pods
// give (one per pod and address family, with ready/serving/terminating conditions), grouped by
// address type and port set, packed into at most `maxEndpointsPerSlice` per slice while touching
// as few existing slices as it can. Like Kubernetes' pkg/controller/endpointslice reconciler.
import type { KubeObject } from '../../api/meta.js';
import { endpointPortsFor } from '../endpoints/reconcile.js';
import { isHeadless, isIPv6, isPodReady, podHostname, podIPs, podReference, selectsPod, serviceSelector, shouldPodBeInEndpoints } from '../endpoints/pods.js';
import type { EndpointPort, ObjectReference, Pod, Service } from '../endpoints/types.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointSlice extends KubeObject {
  addressType: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: EndpointPort[] | null;
}

interface Group {
  addressType: string;
  ports: EndpointPort[];
  /** Desired endpoints by identity (pod uid + address). */
  endpoints: Map<string, SliceEndpoint>;
}

/** Canonical JSON (sorted keys, no undefined) so server-returned and computed objects compare equal. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined && x !== null) out[k] = sort(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

function normalizePorts(ports: readonly EndpointPort[] | null | undefined): EndpointPort[] {
  // The API server defaults an unnamed port's name to "", so compare with that default applied.
  return (ports ?? []).map((p) => ({ ...p, name: p.name ?? '', protocol: p.protocol ?? 'TCP' }));
}

function groupKey(addressType: string, ports: readonly EndpointPort[] | null | undefined): string {
  return `${addressType}|${canonical(normalizePorts(ports))}`;
}

function endpointId(ep: SliceEndpoint): string {
  return `${ep.targetRef?.uid ?? ''}|${ep.addresses[0] ?? ''}`;
}

function familyMatches(addressType: string, ip: string): boolean {
  return addressType === 'IPv6' ? isIPv6(ip) : addressType === 'IPv4' ? !isIPv6(ip) : false;
}

/** The Service's address types: its ipFamilies, IPv4 when unset. */
export function addressTypesOf(service: Service): string[] {
  const families = service.spec?.ipFamilies ?? [];
  return families.length ? [...families] : ['IPv4'];
}

export function desiredGroups(service: Service, pods: readonly Pod[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const selector = serviceSelector(service);
  if (!selector) return groups;
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  for (const pod of pods) {
    if (pod.metadata.namespace !== service.metadata.namespace || !selectsPod(selector, pod)) continue;
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPortsFor(pod, service);
    if (!ports) continue;
    const serving = isPodReady(pod);
    const terminating = Boolean(pod.metadata.deletionTimestamp);
    const conditions = { ready: publishNotReady || (serving && !terminating), serving, terminating };
    for (const addressType of addressTypesOf(service)) {
      const ip = podIPs(pod).find((candidate) => familyMatches(addressType, candidate));
      if (!ip) continue;
      const endpoint: SliceEndpoint = { addresses: [ip], conditions };
      const hostname = podHostname(pod, service);
      if (hostname) endpoint.hostname = hostname;
      if (pod.spec?.nodeName) endpoint.nodeName = pod.spec.nodeName;
      endpoint.targetRef = podReference(pod);
      const key = groupKey(addressType, ports);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { addressType, ports, endpoints: new Map() }));
      group.endpoints.set(endpointId(endpoint), endpoint);
    }
  }
  return groups;
}

export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
  labels[LABEL_SERVICE_NAME] = service.metadata.name ?? '';
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return labels;
}

/** A new slice; the API server completes the name `<service>-<5 random characters>`. */
export function newSlice(service: Service, addressType: string, ports: EndpointPort[], endpoints: SliceEndpoint[]): EndpointSlice {
  const prefix = `${service.metadata.name ?? ''}-`;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: prefix.length > 58 ? prefix.slice(0, 58) : prefix,
      namespace: service.metadata.namespace,
      labels: sliceLabels(service),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.metadata.name ?? '', uid: service.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints,
    ports,
  };
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  return canonical(a ?? {}) === canonical(b);
}

/**
 * `existing` are the slices this controller manages for the Service. Slices keep the endpoints that
 * are still wanted (refreshed), new endpoints fill slices being changed anyway before untouched ones,
 * and only then go to new slices. A Service without endpoints keeps one empty placeholder slice.
 */
export function reconcileSlices(input: { service: Service; pods: readonly Pod[]; existing: readonly EndpointSlice[]; maxEndpointsPerSlice?: number }): SlicePlan {
  const { service, existing } = input;
  const max = Math.max(1, input.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE);
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  if (!serviceSelector(service) || service.spec?.type === 'ExternalName') return plan;
  const labels = sliceLabels(service);
  const groups = desiredGroups(service, input.pods);
  const total = [...groups.values()].reduce((n, g) => n + g.endpoints.size, 0);

  if (total === 0) {
    // One placeholder (no ports, no endpoints) so watchers can tell "no endpoints" from "not yet synced".
    const addressType = addressTypesOf(service)[0]!;
    const keep = existing.find((s) => s.addressType === addressType && !(s.endpoints ?? []).length && !(s.ports ?? []).length);
    for (const slice of existing) if (slice !== keep) plan.delete.push(slice);
    if (!keep) plan.create.push(newSlice(service, addressType, [], []));
    else if (!sameLabels(keep.metadata.labels, labels)) plan.update.push({ ...keep, metadata: { ...keep.metadata, labels } });
    return plan;
  }

  const bySlicesGroup = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    const key = groupKey(slice.addressType, slice.ports);
    if (!groups.has(key)) {
      plan.delete.push(slice);
      continue;
    }
    const list = bySlicesGroup.get(key) ?? [];
    list.push(slice);
    bySlicesGroup.set(key, list);
  }

  for (const [key, group] of groups) {
    const remaining = new Map(group.endpoints);
    const work = (bySlicesGroup.get(key) ?? []).map((slice) => {
      const kept: SliceEndpoint[] = [];
      for (const ep of slice.endpoints ?? []) {
        const id = endpointId(ep);
        const want = remaining.get(id);
        if (!want || kept.length >= max) continue;
        kept.push(want);
        remaining.delete(id);
      }
      const changed = canonical(kept) !== canonical(slice.endpoints ?? []) || !sameLabels(slice.metadata.labels, labels);
      return { slice, endpoints: kept, changed };
    });
    const toPlace = [...remaining.values()].sort((a, b) => (a.addresses[0]! < b.addresses[0]! ? -1 : a.addresses[0]! > b.addresses[0]! ? 1 : 0));
    // Fill slices that change anyway first, then untouched ones, then new slices.
    const order = [...work.filter((w) => w.changed), ...work.filter((w) => !w.changed)];
    for (const w of order) {
      while (toPlace.length && w.endpoints.length < max) {
        w.endpoints.push(toPlace.shift()!);
        w.changed = true;
      }
    }
    for (const w of work) {
      if (w.endpoints.length === 0) plan.delete.push(w.slice);
      else if (w.changed) plan.update.push({ ...w.slice, metadata: { ...w.slice.metadata, labels }, endpoints: w.endpoints, ports: group.ports });
    }
    for (let i = 0; i < toPlace.length; i += max) plan.create.push(newSlice(service, group.addressType, group.ports, toPlace.slice(i, i + max)));
  }
  return plan;
}
