// Discovery documents, all derived from the resource table: /version, the legacy lists
// (/api, /apis, /api/v1, /apis/<g>/<v>) and the aggregated apidiscovery.k8s.io/v2 documents.

import { ALL_VERBS, RESOURCES, VERSIONS_BY_GROUP, type ResourceDescriptor, type Subresource } from '../../api/resources.js';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4+kijabi' };

export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_VERSION.major,
    minor: KUBERNETES_VERSION.minor,
    gitVersion: KUBERNETES_VERSION.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-29T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

interface SubresourceInfo {
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

function subresourceInfo(desc: ResourceDescriptor, sub: Subresource | 'finalize'): SubresourceInfo {
  switch (sub) {
    case 'status':
      return { group: desc.group, version: desc.version, kind: desc.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'log':
      return { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] };
    case 'exec':
      return { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'proxy':
      return { group: '', version: 'v1', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'ephemeralcontainers':
      return { group: '', version: 'v1', kind: 'Pod', verbs: ['get', 'patch', 'update'] };
    case 'finalize':
      return { group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] };
    case 'token':
      return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
  }
}

function subresourcesOf(desc: ResourceDescriptor): (Subresource | 'finalize')[] {
  const subs: (Subresource | 'finalize')[] = [...(desc.subresources ?? [])];
  if (desc.group === '' && desc.resource === 'namespaces') subs.push('finalize');
  return subs;
}

function resourcesOf(group: string, version: string): ResourceDescriptor[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** GET /api/v1 and /apis/<g>/<v>. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  const entries: Record<string, unknown>[] = [];
  for (const desc of resources) {
    const entry: Record<string, unknown> = {
      name: desc.resource,
      singularName: desc.singular,
      namespaced: desc.namespaced,
      kind: desc.kind,
      verbs: [...(desc.verbs ?? ALL_VERBS)],
    };
    if (desc.shortNames) entry.shortNames = [...desc.shortNames];
    if (desc.categories) entry.categories = [...desc.categories];
    entries.push(entry);
    for (const sub of subresourcesOf(desc)) {
      const info = subresourceInfo(desc, sub);
      const subEntry: Record<string, unknown> = { name: `${desc.resource}/${sub}`, singularName: '', namespaced: desc.namespaced, kind: info.kind, verbs: info.verbs };
      if (info.group !== desc.group || info.version !== desc.version) {
        subEntry.group = info.group;
        subEntry.version = info.version;
      }
      entries.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources: entries };
}

export function legacyApiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function legacyGroup(group: string): Record<string, unknown> {
  const versions = (VERSIONS_BY_GROUP.get(group) ?? []).map((v) => ({ groupVersion: groupVersion(group, v), version: v }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function legacyApiGroupList(): Record<string, unknown> {
  const groups = [...VERSIONS_BY_GROUP.keys()].filter((g) => g !== '').map(legacyGroup);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function legacyApiGroup(group: string): Record<string, unknown> | undefined {
  if (!group || !VERSIONS_BY_GROUP.has(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...legacyGroup(group) };
}

function aggregatedGroup(group: string): Record<string, unknown> {
  const versions = (VERSIONS_BY_GROUP.get(group) ?? []).map((version) => ({
    version,
    freshness: 'Current',
    resources: resourcesOf(group, version).map((desc) => {
      const resource: Record<string, unknown> = {
        resource: desc.resource,
        singularResource: desc.singular,
        scope: desc.namespaced ? 'Namespaced' : 'Cluster',
        responseKind: { group: desc.group, version: desc.version, kind: desc.kind },
        verbs: [...(desc.verbs ?? ALL_VERBS)],
      };
      if (desc.shortNames) resource.shortNames = [...desc.shortNames];
      if (desc.categories) resource.categories = [...desc.categories];
      const subs = subresourcesOf(desc);
      if (subs.length) {
        resource.subresources = subs.map((sub) => {
          const info = subresourceInfo(desc, sub);
          return { subresource: sub, responseKind: { group: info.group, version: info.version, kind: info.kind }, verbs: info.verbs };
        });
      }
      return resource;
    }),
  }));
  return { metadata: { name: group, creationTimestamp: null }, versions };
}

/** GET /api (core) or /apis (every named group) as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(core: boolean, version: string): Record<string, unknown> {
  const groups = core ? [''] : [...VERSIONS_BY_GROUP.keys()].filter((g) => g !== '');
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items: groups.map(aggregatedGroup) };
}
