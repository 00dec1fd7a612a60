// `kubectl get nodes`: Ready/NotReady (plus SchedulingDisabled when cordoned) and roles taken
// from node-role.kubernetes.io/<role> and kubernetes.io/role labels.

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { age, ageColumn, arr, column, nameColumn, nameOf, obj, spec, status, str } from './columns.js';

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

export function nodeStatus(node: KubeObject): string {
  const parts: string[] = [];
  const ready = arr(status(node).conditions).map(obj).find((c) => c.type === 'Ready');
  if (ready) parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else parts.push('Unknown');
  if (spec(node).unschedulable === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

export function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(ROLE_LABEL_PREFIX)) {
      const role = key.slice(ROLE_LABEL_PREFIX.length);
      if (role) roles.add(role);
    } else if (key === LEGACY_ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  return roles.size > 0 ? [...roles].sort().join(',') : '<none>';
}

function address(node: KubeObject, type: string): string {
  const found = arr(status(node).addresses).map(obj).find((a) => a.type === type);
  return found ? str(found.address) : '<none>';
}

export const nodePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Whether the node is ready, and whether scheduling onto it is disabled.'),
    column('Roles', 'string', 'Roles taken from the node-role.kubernetes.io/* labels.'),
    ageColumn(),
    column('Version', 'string', 'The version the node agent reports.'),
    column('Internal-IP', 'string', 'The node\'s first InternalIP address.', 1),
    column('External-IP', 'string', 'The node\'s first ExternalIP address.', 1),
    column('OS-Image', 'string', 'The operating system the node reports.', 1),
    column('Kernel-Version', 'string', 'The kernel version the node reports.', 1),
    column('Container-Runtime', 'string', 'The container runtime and version the node reports.', 1),
  ],
  cells(node: KubeObject, now: Date): unknown[] {
    const info = obj(status(node).nodeInfo);
    return [
      nameOf(node),
      nodeStatus(node),
      nodeRoles(node),
      age(node, now),
      str(info.kubeletVersion),
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};
