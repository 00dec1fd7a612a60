// Pure: what the kube-root-ca.crt ConfigMap of one namespace needs, as Kubernetes'
// rootcacertpublisher decides it: created in every active namespace, data exactly {ca.crt: CA}.
import type { KubeObject } from '../../api/meta.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** Annotation Kubernetes puts on the ConfigMap to say what it is for. */
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export type RootCaAction = { type: 'none' } | { type: 'create'; configMap: KubeObject } | { type: 'update'; configMap: KubeObject };

interface NamespaceLike extends KubeObject {
  status?: { phase?: string };
}

export function rootCaConfigMap(namespace: string, caPem: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
    data: { 'ca.crt': caPem },
  };
}

export function reconcileRootCa(namespace: NamespaceLike | undefined, existing: KubeObject | undefined, caPem: string): RootCaAction {
  if (!namespace?.metadata.name || namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return { type: 'none' };
  const name = namespace.metadata.name;
  if (!existing) return { type: 'create', configMap: rootCaConfigMap(name, caPem) };
  const data = (existing.data ?? {}) as Record<string, string>;
  const annotations = existing.metadata.annotations ?? {};
  const dataCurrent = Object.keys(data).length === 1 && data['ca.crt'] === caPem && existing.binaryData === undefined;
  if (dataCurrent && annotations[DESCRIPTION_ANNOTATION] === DESCRIPTION) return { type: 'none' };
  const fixed = structuredClone(existing);
  fixed.data = { 'ca.crt': caPem };
  delete fixed.binaryData;
  fixed.metadata.annotations = { ...annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION };
  return { type: 'update', configMap: fixed };
}
