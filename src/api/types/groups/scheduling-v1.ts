// scheduling.k8s.io/v1: PriorityClass.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, bool, field, int32, obj, objectType, ref, scalar, str, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const SCHEDULING_V1 = 'io.k8s.api.scheduling.v1.';

export const SCHEDULING_V1_TYPES: ObjectType[] = [
  objectType(`${SCHEDULING_V1}PriorityClass`, 'Maps a priority class name to an integer priority that pods may refer to by priorityClassName.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    value: int32(2, 'The priority pods of this class get; higher runs first. Up to 1 000 000 000 for user classes; larger values are reserved for system classes.', { required: true }),
    globalDefault: bool(3, 'Whether pods without a priorityClassName get this class. Only one class may be the global default.'),
    description: str(4, 'Free text explaining when to use this class.'),
    preemptionPolicy: field(scalar('string', ['PreemptLowerPriority', 'Never']), 5, 'Whether pods of this class may evict lower-priority pods: "PreemptLowerPriority" (default) or "Never".', { pointer: true }),
  }, { gvk: { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass' } }),
  objectType(`${SCHEDULING_V1}PriorityClassList`, 'A list of PriorityClass objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${SCHEDULING_V1}PriorityClass`)), 2, 'The PriorityClass objects.', { required: true }),
  }, { gvk: { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClassList' } }),
];
