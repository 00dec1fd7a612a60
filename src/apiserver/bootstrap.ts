// Objects every cluster starts with: the system namespaces and the `kubernetes` Service.

import { isApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import { defaultContext } from './registry/context.js';
import type { ResourceRegistry } from './registry/registry.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(registry: ResourceRegistry, namespace: string | undefined, obj: KubeObject): Promise<void> {
  try {
    await registry.get(namespace, obj.metadata.name ?? '');
    return;
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
  }
  try {
    await registry.create(namespace, obj, defaultContext({ fieldManager: 'kijabi-bootstrap' }));
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err;
  }
}

export async function bootstrapCluster(lookup: (group: string, resource: string) => ResourceRegistry | undefined, options: { kubernetesServiceIp: string; apiPort: number }): Promise<void> {
  const namespaces = lookup('', 'namespaces');
  const services = lookup('', 'services');
  if (!namespaces || !services) return;
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  await ensure(services, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: options.kubernetesServiceIp,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: options.apiPort }],
      sessionAffinity: 'None',
    },
  });
}
