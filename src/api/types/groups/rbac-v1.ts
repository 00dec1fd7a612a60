// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, field, obj, objectType, ref, scalar, str, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const RBAC_V1 = 'io.k8s.api.rbac.v1.';

export const RBAC_V1_TYPES: ObjectType[] = [
  objectType(`${RBAC_V1}Role`, 'A namespaced set of permissions, granted to subjects by RoleBindings.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    rules: field(atomicList(ref(`${RBAC_V1}PolicyRule`)), 2, 'The permissions this role grants; they only add up, never deny.'),
  }, { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' } }),
  objectType(`${RBAC_V1}PolicyRule`, 'One permission: verbs allowed on resources or on non-resource URLs.', {
    verbs: field(atomicList(scalar('string')), 1, 'Verbs allowed, such as "get", "list", "create", or "*" for all.', { required: true }),
    apiGroups: field(atomicList(scalar('string')), 2, 'API groups of the resources; "" is the core group and "*" every group.'),
    resources: field(atomicList(scalar('string')), 3, 'Resources the rule covers, e.g. "pods", "deployments/scale", or "*" for all.'),
    resourceNames: field(atomicList(scalar('string')), 4, 'Optional list of object names the rule is limited to; empty means every object.'),
    nonResourceURLs: field(atomicList(scalar('string')), 5, 'URL paths (not API objects) the rule covers, such as "/healthz" or "/api/*". Only valid in ClusterRoles bound by ClusterRoleBindings; set either this or resources.'),
  }),
  objectType(`${RBAC_V1}ClusterRole`, 'A cluster-wide set of permissions, granted by RoleBindings (inside one namespace) or ClusterRoleBindings (everywhere).', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    rules: field(atomicList(ref(`${RBAC_V1}PolicyRule`)), 2, 'The permissions this role grants; they only add up, never deny.'),
    aggregationRule: obj(`${RBAC_V1}AggregationRule`, 3, 'When set, the controller fills rules with the union of the rules of ClusterRoles matching its selectors; direct edits to rules are overwritten.', { pointer: true }),
  }, { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' } }),
  objectType(`${RBAC_V1}AggregationRule`, 'Selects ClusterRoles whose rules are combined into an aggregated ClusterRole.', {
    clusterRoleSelectors: field(atomicList(ref(`${META}LabelSelector`)), 1, 'Label selectors for the ClusterRoles to combine; a role matching any selector is included.'),
  }),
  objectType(`${RBAC_V1}RoleBinding`, 'Grants the permissions of a Role or ClusterRole to subjects within one namespace.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    subjects: field(atomicList(ref(`${RBAC_V1}Subject`)), 2, 'Users, groups or service accounts that receive the role.'),
    roleRef: obj(`${RBAC_V1}RoleRef`, 3, 'The Role in this namespace, or a ClusterRole, being granted. Cannot be changed; delete and recreate the binding instead.', { required: true }),
  }, { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding' } }),
  objectType(`${RBAC_V1}Subject`, 'Someone a role is granted to.', {
    kind: str(1, '"User", "Group" or "ServiceAccount".', { required: true }),
    apiGroup: str(2, 'API group of the subject kind: "" for ServiceAccount, "rbac.authorization.k8s.io" for User and Group.'),
    name: str(3, 'Name of the user, group or service account.', { required: true }),
    namespace: str(4, 'Namespace of a ServiceAccount subject; must be empty for users and groups.'),
  }, { atomic: true }),
  objectType(`${RBAC_V1}RoleRef`, 'The role a binding grants.', {
    apiGroup: str(1, 'API group of the role, "rbac.authorization.k8s.io".', { required: true }),
    kind: str(2, '"Role" or "ClusterRole".', { required: true }),
    name: str(3, 'Name of the role.', { required: true }),
  }, { atomic: true }),
  objectType(`${RBAC_V1}ClusterRoleBinding`, 'Grants the permissions of a ClusterRole to subjects in every namespace.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    subjects: field(atomicList(ref(`${RBAC_V1}Subject`)), 2, 'Users, groups or service accounts that receive the role.'),
    roleRef: obj(`${RBAC_V1}RoleRef`, 3, 'The ClusterRole being granted. Cannot be changed; delete and recreate the binding instead.', { required: true }),
  }, { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' } }),
  objectType(`${RBAC_V1}RoleList`, 'A list of Role objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${RBAC_V1}Role`)), 2, 'The Role objects.', { required: true }),
  }, { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleList' } }),
  objectType(`${RBAC_V1}ClusterRoleList`, 'A list of ClusterRole objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${RBAC_V1}ClusterRole`)), 2, 'The ClusterRole objects.', { required: true }),
  }, { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleList' } }),
  objectType(`${RBAC_V1}RoleBindingList`, 'A list of RoleBinding objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${RBAC_V1}RoleBinding`)), 2, 'The RoleBinding objects.', { required: true }),
  }, { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBindingList' } }),
  objectType(`${RBAC_V1}ClusterRoleBindingList`, 'A list of ClusterRoleBinding objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${RBAC_V1}ClusterRoleBinding`)), 2, 'The ClusterRoleBinding objects.', { required: true }),
  }, { gvk: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBindingList' } }),
];
