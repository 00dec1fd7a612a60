// Pure: which service accounts a namespace is missing ("default" in every active namespace).
import type { KubeObject } from '../../api/meta.js';

export const MANAGED_SERVICE_ACCOUNTS = ['default'] as const;

export interface NamespaceLike extends KubeObject {
  status?: { phase?: string };
}

export function missingServiceAccounts(namespace: NamespaceLike | undefined, existing: string[]): string[] {
  if (!namespace || namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return [];
  return MANAGED_SERVICE_ACCOUNTS.filter((name) => !existing.includes(name));
}

export function serviceAccount(namespace: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } };
}
