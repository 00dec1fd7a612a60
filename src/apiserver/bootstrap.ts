// Objects every cluster starts with: the system namespaces, the `kubernetes` Service, the system
// priority classes and (as k3s ships it) the default `local-path` StorageClass.

import { isApiError } from '../api/errors.js';
import type { KubeObject } from '../api/meta.js';
import { defaultContext } from './registry/context.js';
import type { ResourceRegistry } from './registry/registry.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The two priority classes Kubernetes ships for its own critical pods. */
const SYSTEM_PRIORITY_CLASSES: [string, number, string][] = [
  ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
  ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
];

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

/** The default StorageClass: node-local directories, created where the first pod using a claim runs. */
export const LOCAL_PATH_CLASS: KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'kijabi.io/local-path',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
};

export async function bootstrapCluster(lookup: (group: string, resource: string) => ResourceRegistry | undefined, options: { kubernetesServiceIp: string; apiPort: number; localPathStorage?: boolean }): Promise<void> {
  const namespaces = lookup('', 'namespaces');
  const services = lookup('', 'services');
  if (!namespaces || !services) return;
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const priorityClasses = lookup('scheduling.k8s.io', 'priorityclasses');
  if (priorityClasses) {
    for (const [name, value, description] of SYSTEM_PRIORITY_CLASSES) {
      await ensure(priorityClasses, undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description });
    }
  }
  const storageClasses = lookup('storage.k8s.io', 'storageclasses');
  if (storageClasses && options.localPathStorage !== false) await ensure(storageClasses, undefined, structuredClone(LOCAL_PATH_CLASS));
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
