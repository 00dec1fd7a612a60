// Defaulting for pod specs and their containers, probes and volumes, following Kubernetes'
// core/v1 defaulting (pkg/apis/core/v1/defaults.go). Objects are plain JSON, mutated in place.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

function setIfMissing(obj: Json, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

/** The tag of an image reference, ignoring registry ports; '' when there is none. */
export function imageTag(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) : '';
}

/** Always for `:latest` or untagged images (unless pinned by digest), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image === '' || image.includes('@')) return 'IfNotPresent';
  const tag = imageTag(image);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHttpGet(action: unknown): void {
  if (!isObject(action)) return;
  setIfMissing(action, 'path', '/');
  setIfMissing(action, 'scheme', 'HTTP');
}

function defaultLifecycleHandler(handler: unknown): void {
  if (isObject(handler)) defaultHttpGet(handler.httpGet);
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  setIfMissing(probe, 'timeoutSeconds', 1);
  setIfMissing(probe, 'periodSeconds', 10);
  setIfMissing(probe, 'successThreshold', 1);
  setIfMissing(probe, 'failureThreshold', 3);
  defaultHttpGet(probe.httpGet);
  if (isObject(probe.grpc) && probe.grpc.service === undefined) probe.grpc.service = '';
}

function defaultEnv(env: unknown): void {
  for (const item of objects(env)) {
    const from = item.valueFrom;
    if (isObject(from) && isObject(from.fieldRef)) setIfMissing(from.fieldRef, 'apiVersion', 'v1');
  }
}

export function defaultContainer(container: Json): void {
  // Kubernetes defaults the policy even for a missing image (which validation then rejects).
  setIfMissing(container, 'imagePullPolicy', defaultPullPolicy(typeof container.image === 'string' ? container.image : ''));
  setIfMissing(container, 'terminationMessagePath', '/dev/termination-log');
  setIfMissing(container, 'terminationMessagePolicy', 'File');
  for (const port of objects(container.ports)) setIfMissing(port, 'protocol', 'TCP');
  defaultEnv(container.env);
  defaultProbe(container.livenessProbe);
  defaultProbe(container.readinessProbe);
  defaultProbe(container.startupProbe);
  if (isObject(container.lifecycle)) {
    defaultLifecycleHandler(container.lifecycle.postStart);
    defaultLifecycleHandler(container.lifecycle.preStop);
  }
}

const DEFAULT_MODE = 0o644;

function defaultDownwardApiItems(items: unknown): void {
  for (const item of objects(items)) if (isObject(item.fieldRef)) setIfMissing(item.fieldRef, 'apiVersion', 'v1');
}

export function defaultVolume(volume: Json): void {
  const sources = Object.keys(volume).filter((k) => k !== 'name' && volume[k] !== undefined && volume[k] !== null);
  if (sources.length === 0) volume.emptyDir = {};
  if (isObject(volume.secret)) setIfMissing(volume.secret, 'defaultMode', DEFAULT_MODE);
  if (isObject(volume.configMap)) setIfMissing(volume.configMap, 'defaultMode', DEFAULT_MODE);
  if (isObject(volume.downwardAPI)) {
    setIfMissing(volume.downwardAPI, 'defaultMode', DEFAULT_MODE);
    defaultDownwardApiItems(volume.downwardAPI.items);
  }
  if (isObject(volume.hostPath) && volume.hostPath.type === undefined) volume.hostPath.type = '';
  if (isObject(volume.projected)) {
    setIfMissing(volume.projected, 'defaultMode', DEFAULT_MODE);
    for (const source of objects(volume.projected.sources)) {
      if (isObject(source.serviceAccountToken)) setIfMissing(source.serviceAccountToken, 'expirationSeconds', 3600);
      if (isObject(source.downwardAPI)) defaultDownwardApiItems(source.downwardAPI.items);
    }
  }
}

/** Container ports of host-network pods publish on the same host port. */
function defaultHostNetworkPorts(containers: Json[]): void {
  for (const container of containers) {
    for (const port of objects(container.ports)) setIfMissing(port, 'hostPort', port.containerPort);
  }
}

/** PodSpec defaults shared by pods and pod templates. */
export function defaultPodSpec(spec: Json): void {
  setIfMissing(spec, 'dnsPolicy', 'ClusterFirst');
  setIfMissing(spec, 'restartPolicy', 'Always');
  if (spec.securityContext === undefined || spec.securityContext === null) spec.securityContext = {};
  setIfMissing(spec, 'terminationGracePeriodSeconds', 30);
  setIfMissing(spec, 'schedulerName', 'default-scheduler');
  const containers = objects(spec.containers);
  const initContainers = objects(spec.initContainers);
  if (spec.hostNetwork === true) {
    defaultHostNetworkPorts(containers);
    defaultHostNetworkPorts(initContainers);
  }
  for (const c of [...containers, ...initContainers, ...objects(spec.ephemeralContainers)]) defaultContainer(c);
  for (const v of objects(spec.volumes)) defaultVolume(v);
}

/** Requests default to limits, for each resource that has a limit and no request. */
export function defaultRequestsFromLimits(container: Json): void {
  const resources = container.resources;
  if (!isObject(resources) || !isObject(resources.limits)) return;
  const requests = isObject(resources.requests) ? resources.requests : {};
  for (const [name, limit] of Object.entries(resources.limits)) if (requests[name] === undefined) requests[name] = limit;
  if (Object.keys(requests).length > 0) resources.requests = requests;
}

/** Defaults only Pods get (not templates): service links on, requests from limits. */
export function defaultPodOnlyFields(spec: Json): void {
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) defaultRequestsFromLimits(c);
}
