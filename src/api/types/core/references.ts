// core/v1: References between objects, selectors onto keys, and resource requirements.
import { field, scalar, ref, mapOf, atomicList, mapList, str, int32, int64, bool, objectType } from '../../schema/dsl.js';
import type { ObjectType } from '../../schema/dsl.js';
import { coreType } from './helpers.js';

export const CORE_REFERENCE_TYPES: ObjectType[] = [
  objectType(coreType('ObjectReference'), 'A reference to an object of any kind.', {
    kind: str(1, 'Kind of the referenced object.'),
    namespace: str(2, 'Namespace of the referenced object.'),
    name: str(3, 'Name of the referenced object, unique within its scope.'),
    uid: str(4, 'Unique identifier of the object.'),
    apiVersion: str(5, 'API version of the referenced object.'),
    resourceVersion: str(6, 'Resource version of the referenced object.'),
    fieldPath: str(7, 'Path of a field within the referenced object, e.g. spec.containers[0].'),
  }, { atomic: true }),
  objectType(coreType('LocalObjectReference'), 'A reference to an object by name in the same namespace.', {
    name: str(1, 'Name of the referenced object, unique within its scope.'),
  }, { atomic: true }),
  objectType(coreType('TypedLocalObjectReference'), 'A reference to an object of a given kind in the same namespace.', {
    apiGroup: str(1, 'API group of the referenced object; empty for the core group.', { pointer: true }),
    kind: str(2, 'Kind of the referenced object.', { required: true }),
    name: str(3, 'Name of the referenced object, unique within its scope.', { required: true }),
  }, { atomic: true }),
  objectType(coreType('TypedObjectReference'), 'A reference to an object of a given kind, optionally in another namespace.', {
    apiGroup: str(1, 'API group of the referenced object; empty for the core group.', { pointer: true }),
    kind: str(2, 'Kind of the referenced object.', { required: true }),
    name: str(3, 'Name of the referenced object, unique within its scope.', { required: true }),
    namespace: str(4, 'Namespace of the referenced object.', { pointer: true }),
  }),
  objectType(coreType('SecretReference'), 'A reference to a secret by name and namespace.', {
    name: str(1, 'Name of the referenced object, unique within its scope.'),
    namespace: str(2, 'Namespace of the referenced object.'),
  }, { atomic: true }),
  objectType(coreType('ResourceRequirements'), 'Compute resources a container requests and is limited to.', {
    limits: field(mapOf(scalar('quantity')), 1, 'Maximum amount of each resource the container may use.'),
    requests: field(mapOf(scalar('quantity')), 2, 'Amount of each resource the container needs; used for scheduling.'),
    claims: field(mapList(ref(coreType('ResourceClaim')), ['name'], undefined), 3, 'Resource claims of the pod that this container uses.'),
  }),
  objectType(coreType('ObjectFieldSelector'), 'A field of the pod, by path.', {
    apiVersion: str(1, 'API version the path is written in.'),
    fieldPath: str(2, 'Path of the field, e.g. metadata.name.', { required: true }),
  }, { atomic: true }),
  objectType(coreType('ResourceFieldSelector'), 'A container resource request or limit, by name.', {
    containerName: str(1, 'Name of the container.'),
    resource: str(2, 'Resource to expose, e.g. limits.cpu.', { required: true }),
    divisor: field(scalar('quantity'), 3, 'Unit of the exposed value.'),
  }, { atomic: true }),
  objectType(coreType('ConfigMapKeySelector'), 'One key of a config map.', {
    // fields of the embedded LocalObjectReference (protobuf field 1), listed in CORE_V1_INLINE_EMBEDDINGS
    name: str(undefined, 'Name of the referenced object, unique within its scope.'),
    key: str(2, 'Key to select.', { required: true }),
    optional: bool(3, 'Whether a missing source (or key) is tolerated instead of failing.', { pointer: true }),
  }, { atomic: true }),
  objectType(coreType('SecretKeySelector'), 'One key of a secret.', {
    // fields of the embedded LocalObjectReference (protobuf field 1), listed in CORE_V1_INLINE_EMBEDDINGS
    name: str(undefined, 'Name of the referenced object, unique within its scope.'),
    key: str(2, 'Key to select.', { required: true }),
    optional: bool(3, 'Whether a missing source (or key) is tolerated instead of failing.', { pointer: true }),
  }, { atomic: true }),
  objectType(coreType('KeyToPath'), 'Maps one key to a file path within a volume.', {
    key: str(1, 'Key to project.', { required: true }),
    path: str(2, 'Relative path of the file to create.', { required: true }),
    mode: int32(3, 'File permission bits (octal 0000-0777).', { pointer: true }),
    user: int64(4, 'A user name.', { pointer: true }),
  }),
  objectType(coreType('NodeSelector'), 'Selects nodes; any of its terms may match.', {
    nodeSelectorTerms: field(atomicList(ref(coreType('NodeSelectorTerm'))), 1, 'Terms; any may match.', { required: true }),
  }, { atomic: true }),
  objectType(coreType('ResourceClaim'), 'A reference to one of the pod\'s resource claims that a container uses.', {
    name: str(1, 'Name of a claim in the pod\'s spec.resourceClaims.', { required: true }),
    request: str(2, 'Name of one request within the claim; empty for all requests.'),
  }),
  objectType(coreType('NodeSelectorTerm'), 'Requirements on node labels and fields that must all match.', {
    matchExpressions: field(atomicList(ref(coreType('NodeSelectorRequirement'))), 1, 'Requirements on node labels.'),
    matchFields: field(atomicList(ref(coreType('NodeSelectorRequirement'))), 2, 'Requirements on node fields.'),
  }, { atomic: true }),
  objectType(coreType('NodeSelectorRequirement'), 'One node selector expression.', {
    key: str(1, 'Label or field key.', { required: true }),
    operator: field(scalar('string', ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']), 2, 'In, NotIn, Exists, DoesNotExist, Gt or Lt.', { required: true }),
    values: field(atomicList(scalar('string')), 3, 'Values to compare; one integer for Gt and Lt.'),
  }),
];
