// authorization.k8s.io/v1: SelfSubjectAccessReview.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, bool, field, obj, objectType, ref, str, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const AUTHORIZATION_V1 = 'io.k8s.api.authorization.v1.';

export const AUTHORIZATION_V1_TYPES: ObjectType[] = [
  objectType(`${AUTHORIZATION_V1}SelfSubjectAccessReview`, 'Asks whether the requesting user may perform an action; the answer is returned in status and nothing is stored.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${AUTHORIZATION_V1}SelfSubjectAccessReviewSpec`, 2, 'The action to check.', { required: true }),
    status: obj(`${AUTHORIZATION_V1}SubjectAccessReviewStatus`, 3, 'The authorizer\'s answer.'),
  }, { gvk: { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' } }),
  objectType(`${AUTHORIZATION_V1}SelfSubjectAccessReviewSpec`, 'The action to check; set exactly one of resourceAttributes and nonResourceAttributes.', {
    resourceAttributes: obj(`${AUTHORIZATION_V1}ResourceAttributes`, 1, 'An action on an API resource.', { pointer: true }),
    nonResourceAttributes: obj(`${AUTHORIZATION_V1}NonResourceAttributes`, 2, 'An action on a non-resource URL.', { pointer: true }),
  }),
  objectType(`${AUTHORIZATION_V1}ResourceAttributes`, 'An API request on a resource, as the authorizer sees it.', {
    namespace: str(1, 'Namespace of the request. Empty means the cluster scope for cluster-scoped resources, or all namespaces for namespaced ones.'),
    verb: str(2, 'Verb, such as "get", "list", "watch", "create", "update", "delete", "proxy", or "*" for all.'),
    group: str(3, 'API group of the resource; "" is the core group, "*" all groups.'),
    version: str(4, 'API version of the resource; "*" means all.'),
    resource: str(5, 'Resource name, e.g. "pods"; "*" means all.'),
    subresource: str(6, 'Subresource, e.g. "log"; "" means none.'),
    name: str(7, 'Object name; "" means all objects (as for list and create).'),
    fieldSelector: obj(`${AUTHORIZATION_V1}FieldSelectorAttributes`, 8, 'The field selector of a list or watch request.', { pointer: true }),
    labelSelector: obj(`${AUTHORIZATION_V1}LabelSelectorAttributes`, 9, 'The label selector of a list or watch request.', { pointer: true }),
  }),
  objectType(`${AUTHORIZATION_V1}FieldSelectorAttributes`, 'A field selector given either as raw text or as parsed requirements.', {
    rawSelector: str(1, 'The selector as sent in the fieldSelector query parameter.'),
    requirements: field(atomicList(ref(`${META}FieldSelectorRequirement`)), 2, 'The selector as parsed requirements.'),
  }),
  objectType(`${AUTHORIZATION_V1}LabelSelectorAttributes`, 'A label selector given either as raw text or as parsed requirements.', {
    rawSelector: str(1, 'The selector as sent in the labelSelector query parameter.'),
    requirements: field(atomicList(ref(`${META}LabelSelectorRequirement`)), 2, 'The selector as parsed requirements.'),
  }),
  objectType(`${AUTHORIZATION_V1}NonResourceAttributes`, 'An API request on a URL that is not a resource, such as /healthz.', {
    path: str(1, 'URL path of the request.'),
    verb: str(2, 'HTTP-style verb, such as "get".'),
  }),
  objectType(`${AUTHORIZATION_V1}SubjectAccessReviewStatus`, 'The authorizer\'s answer to an access review.', {
    allowed: bool(1, 'Whether the action is allowed.', { required: true }),
    denied: bool(4, 'Whether the action is explicitly denied; false with allowed false means no authorizer had an opinion.'),
    reason: str(2, 'Why the action was allowed or denied, if the authorizer said.'),
    evaluationError: str(3, 'Set when the authorizer hit an error while checking; the answer may still be usable.'),
  }),
];
