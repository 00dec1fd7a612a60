// events.k8s.io/v1: Event.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, field, int32, obj, objectType, ref, scalar, str, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const EVENTS_V1 = 'io.k8s.api.events.v1.';

export const EVENTS_V1_TYPES: ObjectType[] = [
  objectType(`${EVENTS_V1}Event`, 'A report of something that happened in the cluster, such as a pod being scheduled; kept for a limited time.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    eventTime: field(scalar('microTime'), 2, 'When the event was first observed. Required.', { required: true }),
    series: obj(`${EVENTS_V1}EventSeries`, 3, 'Set when the event repeats: how often and when it was last seen.', { pointer: true }),
    reportingController: str(4, 'Component that emitted the event, e.g. "kubernetes.io/kubelet". Required for new events.'),
    reportingInstance: str(5, 'Instance of the reporting component, e.g. the kubelet\'s node name. Required for new events.'),
    action: str(6, 'What was done, or failed, about the regarding object, e.g. "Binding". CamelCase, at most 128 characters.'),
    reason: str(7, 'Why the action was taken, e.g. "Scheduled". CamelCase, at most 128 characters.'),
    regarding: obj(`${CORE}ObjectReference`, 8, 'The object this event is about.'),
    related: obj(`${CORE}ObjectReference`, 9, 'A second object involved, e.g. the node a pod was bound to.', { pointer: true }),
    note: str(10, 'Human-readable description of what happened, at most 1 KiB.'),
    type: str(11, '"Normal" or "Warning".'),
    deprecatedSource: obj(`${CORE}EventSource`, 12, 'The event source of core/v1 Events, kept for compatibility.'),
    deprecatedFirstTimestamp: field(scalar('time'), 13, 'The firstTimestamp of core/v1 Events, kept for compatibility.'),
    deprecatedLastTimestamp: field(scalar('time'), 14, 'The lastTimestamp of core/v1 Events, kept for compatibility.'),
    deprecatedCount: int32(15, 'The count of core/v1 Events, kept for compatibility.'),
  }, { gvk: { group: 'events.k8s.io', version: 'v1', kind: 'Event' } }),
  objectType(`${EVENTS_V1}EventSeries`, 'Summary of a repeating event, updated in heartbeats rather than on every occurrence.', {
    count: int32(1, 'How many times the event has been seen so far.', { required: true }),
    lastObservedTime: field(scalar('microTime'), 2, 'When the event was last seen.', { required: true }),
  }),
  objectType(`${EVENTS_V1}EventList`, 'A list of Event objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${EVENTS_V1}Event`)), 2, 'The Event objects.', { required: true }),
  }, { gvk: { group: 'events.k8s.io', version: 'v1', kind: 'EventList' } }),
];
