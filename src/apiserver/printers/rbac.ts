// RoleBindings and ClusterRoleBindings (Roles and ClusterRoles use the generic Created At table).

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { age, ageColumn, arr, column, nameColumn, nameOf, obj, str } from './columns.js';

/** Users, groups and `namespace/name` service accounts, as rbac.SubjectsStrings sorts them out. */
export function subjectLists(binding: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const subject of arr(binding.subjects).map(obj)) {
    const name = str(subject.name);
    switch (subject.kind) {
      case 'User':
        users.push(name);
        break;
      case 'Group':
        groups.push(name);
        break;
      case 'ServiceAccount':
        serviceAccounts.push(`${str(subject.namespace)}/${name}`);
        break;
      default:
        break;
    }
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

function bindingPrinter(scope: string): TablePrinter {
  return {
    columns: [
      nameColumn(),
      column('Role', 'string', 'The role granted, as Kind/name.'),
      ageColumn(),
      column('Users', 'string', `Users named in the ${scope}.`, 1),
      column('Groups', 'string', `Groups named in the ${scope}.`, 1),
      column('ServiceAccounts', 'string', `Service accounts named in the ${scope}.`, 1),
    ],
    cells(binding: KubeObject, now: Date): unknown[] {
      const roleRef = obj(binding.roleRef);
      return [nameOf(binding), `${str(roleRef.kind)}/${str(roleRef.name)}`, age(binding, now), ...subjectLists(binding)];
    },
  };
}

export const roleBindingPrinter = bindingPrinter('role binding');
export const clusterRoleBindingPrinter = bindingPrinter('cluster role binding');
