// The resources the API server serves: one descriptor each. Discovery, routing, the registry,
// the OpenAPI documents and the client's REST paths are all derived from this table.

export type Subresource = 'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy' | 'ephemeralcontainers' | 'token';

export interface ResourceDescriptor {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in URLs. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  subresources?: readonly Subresource[];
  /** Verbs served on the main resource; defaults to all eight. */
  verbs?: readonly string[];
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

const core = (kind: string, resource: string, namespaced: boolean, extra: Partial<ResourceDescriptor> = {}): ResourceDescriptor => ({
  group: '',
  version: 'v1',
  kind,
  resource,
  singular: kind.toLowerCase(),
  namespaced,
  ...extra,
});

const grouped = (group: string, version: string, kind: string, resource: string, namespaced: boolean, extra: Partial<ResourceDescriptor> = {}): ResourceDescriptor => ({
  group,
  version,
  kind,
  resource,
  singular: kind.toLowerCase(),
  namespaced,
  ...extra,
});

export const RESOURCES: readonly ResourceDescriptor[] = [
  core('Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  core('Pod', 'pods', true, { shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers'] }),
  core('Service', 'services', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }),
  core('Endpoints', 'endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  core('ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  core('Secret', 'secrets', true),
  core('Node', 'nodes', false, { shortNames: ['no'], subresources: ['status'] }),
  core('Event', 'events', true, { shortNames: ['ev'] }),
  core('ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'], subresources: ['token'] }),
  core('PersistentVolume', 'persistentvolumes', false, { shortNames: ['pv'], subresources: ['status'] }),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], subresources: ['status'] }),
  core('LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  core('ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], subresources: ['status'] }),
  grouped('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  grouped('apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  grouped('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  grouped('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  grouped('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  grouped('batch', 'v1', 'Job', 'jobs', true, { categories: ['all'], subresources: ['status'] }),
  grouped('batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  grouped('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  grouped('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  grouped('events.k8s.io', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  grouped('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  grouped('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], subresources: ['status'] }),
  // autoscaling/v2 first: the first version listed for a group is the preferred one.
  grouped('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  grouped('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  grouped('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
  grouped('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  grouped('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  grouped('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, { verbs: ['create'] }),
  grouped('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
  grouped('authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews', false, { verbs: ['create'] }),
];

export function apiVersionOf(desc: { group: string; version: string }): string {
  return desc.group ? `${desc.group}/${desc.version}` : desc.version;
}

/** Splits `apps/v1` into group and version; `v1` is the core group. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function findResource(group: string, version: string, resource: string): ResourceDescriptor | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findKind(group: string, version: string, kind: string): ResourceDescriptor | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind);
}

/** The storage key prefix of a resource: every version of a group-resource shares one. */
export function storagePrefix(desc: { group: string; resource: string }): string {
  return desc.group ? `/registry/${desc.group}/${desc.resource}/` : `/registry/core/${desc.resource}/`;
}

/**
 * The key of one object. Keys of namespaced objects carry the namespace so that a namespace's
 * objects are one prefix range.
 */
export function storageKey(desc: { group: string; resource: string; namespaced: boolean }, namespace: string | undefined, name: string): string {
  return desc.namespaced ? `${storagePrefix(desc)}${namespace}/${name}` : `${storagePrefix(desc)}${name}`;
}

export const VERSIONS_BY_GROUP: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const r of RESOURCES) {
    const versions = map.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    map.set(r.group, versions);
  }
  return map;
})();
