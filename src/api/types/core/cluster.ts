// core/v1: Namespaces, config maps, secrets, events, service accounts, limit ranges and quotas.
import { field, scalar, ref, mapOf, atomicList, mapList, str, int32, bool, obj, stringMap, objectType } from '../../schema/dsl.js';
import type { ObjectType } from '../../schema/dsl.js';
import { coreType, metaType } from './helpers.js';

export const CORE_CLUSTER_TYPES: ObjectType[] = [
  objectType(coreType('Namespace'), 'A scope for names; most objects live in a namespace.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    spec: obj(coreType('NamespaceSpec'), 2, 'Desired state, written by the user.'),
    status: obj(coreType('NamespaceStatus'), 3, 'Observed state, written by the system; read-only for users.'),
  }, { gvk: { group: '', version: 'v1', kind: 'Namespace' } }),
  objectType(coreType('NamespaceList'), 'A list of namespaces.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('Namespace'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'NamespaceList' } }),
  objectType(coreType('ConfigMap'), 'Non-secret configuration data as key-value pairs.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    immutable: bool(4, 'If true, the data can no longer be changed; only deletion is possible.', { pointer: true }),
    data: stringMap(2, 'UTF-8 configuration data.'),
    binaryData: field(mapOf(scalar('bytes')), 3, 'Binary configuration data, base64 in JSON; keys must not repeat those of data.'),
  }, { gvk: { group: '', version: 'v1', kind: 'ConfigMap' } }),
  objectType(coreType('ConfigMapList'), 'A list of config maps.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('ConfigMap'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'ConfigMapList' } }),
  objectType(coreType('Secret'), 'Sensitive data such as passwords, tokens or keys.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    immutable: bool(5, 'If true, the data can no longer be changed; only deletion is possible.', { pointer: true }),
    data: field(mapOf(scalar('bytes')), 2, 'Secret data; values are base64 in JSON.'),
    stringData: stringMap(4, 'Write-only convenience: plain-text values merged into data on write.'),
    type: str(3, 'Type of the secret, used to check its content, e.g. Opaque or kubernetes.io/tls.'),
  }, { gvk: { group: '', version: 'v1', kind: 'Secret' } }),
  objectType(coreType('SecretList'), 'A list of secrets.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('Secret'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'SecretList' } }),
  objectType(coreType('Event'), 'A report of something that happened to an object.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.', { required: true }),
    involvedObject: obj(coreType('ObjectReference'), 2, 'Object the event is about.', { required: true }),
    reason: str(3, 'Short machine-readable reason for the event.'),
    message: str(4, 'Human-readable description of the event.'),
    source: obj(coreType('EventSource'), 5, 'Component that reported the event.'),
    firstTimestamp: field(scalar('time'), 6, 'When the event was first recorded.'),
    lastTimestamp: field(scalar('time'), 7, 'When the event was most recently recorded.'),
    count: int32(8, 'Number of times the event occurred.'),
    type: str(9, 'Normal or Warning.'),
    eventTime: field(scalar('microTime'), 10, 'When the event first occurred, with microseconds.'),
    series: obj(coreType('EventSeries'), 11, 'Data about a series of repeated events.', { pointer: true }),
    action: str(12, 'What was done or failed, regarding the involved object.'),
    related: obj(coreType('ObjectReference'), 13, 'A second object involved in the event.', { pointer: true }),
    reportingComponent: str(14, 'Controller that emitted the event, e.g. kubernetes.io/kubelet.'),
    reportingInstance: str(15, 'Instance of the controller that emitted the event.'),
  }, { gvk: { group: '', version: 'v1', kind: 'Event' } }),
  objectType(coreType('EventList'), 'A list of events.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('Event'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'EventList' } }),
  objectType(coreType('ServiceAccount'), 'An identity for processes that run in pods.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    secrets: field(mapList(ref(coreType('ObjectReference')), ['name']), 2, 'Secrets pods of this account may use (legacy).'),
    imagePullSecrets: field(atomicList(ref(coreType('LocalObjectReference'))), 3, 'Secrets added to pods of this account to pull images.'),
    automountServiceAccountToken: bool(4, 'Whether pods of this account mount an API token by default.', { pointer: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'ServiceAccount' } }),
  objectType(coreType('ServiceAccountList'), 'A list of service accounts.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('ServiceAccount'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'ServiceAccountList' } }),
  objectType(coreType('LimitRange'), 'Default and limit values of resources per object kind in a namespace.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    spec: obj(coreType('LimitRangeSpec'), 2, 'Desired state, written by the user.'),
  }, { gvk: { group: '', version: 'v1', kind: 'LimitRange' } }),
  objectType(coreType('LimitRangeList'), 'A list of limit ranges.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('LimitRange'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'LimitRangeList' } }),
  objectType(coreType('ResourceQuota'), 'Caps on the total resources a namespace may consume.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    spec: obj(coreType('ResourceQuotaSpec'), 2, 'Desired state, written by the user.'),
    status: obj(coreType('ResourceQuotaStatus'), 3, 'Observed state, written by the system; read-only for users.'),
  }, { gvk: { group: '', version: 'v1', kind: 'ResourceQuota' } }),
  objectType(coreType('ResourceQuotaList'), 'A list of resource quotas.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('ResourceQuota'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'ResourceQuotaList' } }),
  objectType(coreType('NamespaceSpec'), 'Desired state of a namespace.', {
    finalizers: field(atomicList(scalar('string')), 1, 'Finalizers that must run before the namespace is removed.'),
  }),
  objectType(coreType('NamespaceStatus'), 'Observed state of a namespace.', {
    phase: field(scalar('string', ['Active', 'Terminating']), 1, 'Active or Terminating.'),
    conditions: field(mapList(ref(coreType('NamespaceCondition')), ['type']), 2, 'Current conditions of the namespace.'),
  }),
  objectType(coreType('EventSource'), 'The component and host that reported an event.', {
    component: str(1, 'Component that generated the event.'),
    host: str(2, 'Node that generated the event.'),
  }),
  objectType(coreType('EventSeries'), 'A run of repeated occurrences of an event.', {
    count: int32(1, 'Number of occurrences so far.'),
    lastObservedTime: field(scalar('microTime'), 2, 'When the last occurrence was observed.'),
  }),
  objectType(coreType('LimitRangeSpec'), 'The limits of a limit range.', {
    limits: field(atomicList(ref(coreType('LimitRangeItem'))), 1, 'Limits to enforce.', { required: true }),
  }),
  objectType(coreType('ResourceQuotaSpec'), 'Desired caps of a quota.', {
    hard: field(mapOf(scalar('quantity')), 1, 'Caps per resource name.'),
    scopes: field(atomicList(scalar('string', ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'])), 2, 'Scopes an object must match to be tracked.'),
    scopeSelector: obj(coreType('ScopeSelector'), 3, 'Expressions on scopes an object must match to be tracked.', { pointer: true }),
  }),
  objectType(coreType('ResourceQuotaStatus'), 'Enforced caps and current use of a quota.', {
    hard: field(mapOf(scalar('quantity')), 1, 'Caps enforced.'),
    used: field(mapOf(scalar('quantity')), 2, 'Current use.'),
  }),
  objectType(coreType('NamespaceCondition'), 'One observed condition of a namespace.', {
    type: str(1, 'Type of the namespace condition.', { required: true }),
    status: str(2, 'Status of the condition: True, False or Unknown.', { required: true }),
    lastTransitionTime: field(scalar('time'), 4, 'When the condition last changed status.'),
    reason: str(5, 'Short CamelCase reason for the current state, for machines.'),
    message: str(6, 'Human-readable explanation of the current state.'),
  }),
  objectType(coreType('LimitRangeItem'), 'Limits that apply to one kind of object.', {
    type: str(1, 'Kind of object the limits apply to: Pod, Container or PersistentVolumeClaim.', { required: true }),
    max: field(mapOf(scalar('quantity')), 2, 'Maximum per resource.'),
    min: field(mapOf(scalar('quantity')), 3, 'Minimum per resource.'),
    default: field(mapOf(scalar('quantity')), 4, 'Default limit per resource when none is given.'),
    defaultRequest: field(mapOf(scalar('quantity')), 5, 'Default request per resource when none is given.'),
    maxLimitRequestRatio: field(mapOf(scalar('quantity')), 6, 'Maximum ratio of limit to request per resource.'),
  }),
  objectType(coreType('ScopeSelector'), 'Selects the objects a quota tracks by scope.', {
    matchExpressions: field(atomicList(ref(coreType('ScopedResourceSelectorRequirement'))), 1, 'Expressions that must all match.'),
  }, { atomic: true }),
  objectType(coreType('ScopedResourceSelectorRequirement'), 'One scope selector expression.', {
    scopeName: field(scalar('string', ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass']), 1, 'Quota scope the expression applies to.', { required: true }),
    operator: field(scalar('string', ['In', 'NotIn', 'Exists', 'DoesNotExist']), 2, 'In, NotIn, Exists or DoesNotExist.', { required: true }),
    values: field(atomicList(scalar('string')), 3, 'Values for In and NotIn.'),
  }),
];
