// Namespaces, ConfigMaps, Secrets, ServiceAccounts, ResourceQuotas, and the generic
// Name / Created At table Kubernetes uses for kinds without a printer of their own.

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { age, ageColumn, arr, column, createdAt, nameColumn, nameOf, obj, status, str } from './columns.js';

export const namespacePrinter: TablePrinter = {
  columns: [nameColumn(), column('Status', 'string', 'The lifecycle phase of the namespace (Active or Terminating).'), ageColumn()],
  cells(ns: KubeObject, now: Date): unknown[] {
    return [nameOf(ns), str(status(ns).phase), age(ns, now)];
  },
};

export const configMapPrinter: TablePrinter = {
  columns: [nameColumn(), column('Data', 'string', 'Number of keys in data and binaryData.'), ageColumn()],
  cells(cm: KubeObject, now: Date): unknown[] {
    return [nameOf(cm), Object.keys(obj(cm.data)).length + Object.keys(obj(cm.binaryData)).length, age(cm, now)];
  },
};

export const secretPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'The secret type, which says what keys its data is expected to hold.'),
    column('Data', 'string', 'Number of keys in data.'),
    ageColumn(),
  ],
  cells(secret: KubeObject, now: Date): unknown[] {
    return [nameOf(secret), str(secret.type), Object.keys(obj(secret.data)).length, age(secret, now)];
  },
};

export const serviceAccountPrinter: TablePrinter = {
  columns: [nameColumn(), column('Secrets', 'string', 'Number of secrets listed on the service account.'), ageColumn()],
  cells(sa: KubeObject, now: Date): unknown[] {
    return [nameOf(sa), arr(sa.secrets).length, age(sa, now)];
  },
};

/** `requests.cpu: 500m/1, pods: 3/10`: limits.* resources go to the Limit column. */
export function quotaCells(quota: KubeObject): [string, string] {
  const hard = obj(status(quota).hard);
  const used = obj(status(quota).used);
  const requests: string[] = [];
  const limits: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const usedText = used[resource] === undefined ? '0' : String(used[resource]);
    const entry = `${resource}: ${usedText}/${String(hard[resource])}`;
    const pieces = resource.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(entry);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourceQuotaPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Request', 'string', 'Used and hard amounts of the non-limit resources the quota tracks.'),
    column('Limit', 'string', 'Used and hard amounts of the limits.* resources the quota tracks.'),
    ageColumn(),
  ],
  cells(quota: KubeObject, now: Date): unknown[] {
    const [request, limit] = quotaCells(quota);
    return [nameOf(quota), request, limit, age(quota, now)];
  },
};

/** What Kubernetes prints for kinds that register no printer (roles, limit ranges). */
export const createdAtPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    { name: 'Created At', type: 'date', format: '', description: 'When the object was created (metadata.creationTimestamp).', priority: 0 },
  ],
  cells(o: KubeObject): unknown[] {
    return [nameOf(o), createdAt(o)];
  },
};
