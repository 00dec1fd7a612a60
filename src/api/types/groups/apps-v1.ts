// apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, bool, field, int32, int64, mapList, obj, objectType, ref, scalar, str, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const APPS_V1 = 'io.k8s.api.apps.v1.';

export const APPS_V1_TYPES: ObjectType[] = [
  objectType(`${APPS_V1}Deployment`, 'Declarative updates for a set of identical pods, rolled out through ReplicaSets.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${APPS_V1}DeploymentSpec`, 2, 'Desired state of the Deployment.'),
    status: obj(`${APPS_V1}DeploymentStatus`, 3, 'Most recently observed state of the Deployment; written by the controller.'),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'Deployment' } }),
  objectType(`${APPS_V1}DeploymentSpec`, 'Desired state of a Deployment.', {
    replicas: int32(1, 'Number of pods wanted. Unset means 1; 0 is allowed.', { pointer: true }),
    selector: obj(`${META}LabelSelector`, 2, 'Label query for the pods of this Deployment. It must match the template\'s labels and cannot change in apps/v1.', { pointer: true, required: true }),
    template: obj(`${CORE}PodTemplateSpec`, 3, 'Template for the pods. Its restartPolicy must be "Always".', { required: true }),
    strategy: obj(`${APPS_V1}DeploymentStrategy`, 4, 'How old pods are replaced by new ones when the template changes.', { retainKeys: true }),
    minReadySeconds: int32(5, 'Seconds a new pod must stay ready, with no container crashing, before it counts as available. 0 means as soon as it is ready.'),
    revisionHistoryLimit: int32(6, 'How many old ReplicaSets to keep for rollbacks. Unset means 10.', { pointer: true }),
    paused: bool(7, 'When true, template changes do not start a rollout until the Deployment is resumed.'),
    progressDeadlineSeconds: int32(9, 'Seconds a rollout may go without progress before the Progressing condition turns False with reason ProgressDeadlineExceeded. Unset means 600; must exceed minReadySeconds.', { pointer: true }),
  }),
  objectType(`${APPS_V1}DeploymentStrategy`, 'How a Deployment replaces its pods.', {
    type: field(scalar('string', ['Recreate', 'RollingUpdate']), 1, '"Recreate" deletes all old pods before creating new ones; "RollingUpdate" (the default) replaces them gradually.'),
    rollingUpdate: obj(`${APPS_V1}RollingUpdateDeployment`, 2, 'Limits for a rolling update. Only allowed when type is "RollingUpdate".', { pointer: true }),
  }),
  objectType(`${APPS_V1}RollingUpdateDeployment`, 'Limits on how fast a rolling update proceeds.', {
    maxUnavailable: field(scalar('intOrString'), 1, 'Most pods that may be unavailable during the update: a count or a percentage of replicas (rounded down). Default 25%. Cannot be 0 when maxSurge is 0.', { pointer: true }),
    maxSurge: field(scalar('intOrString'), 2, 'Most pods that may exist above the desired count during the update: a count or a percentage of replicas (rounded up). Default 25%. Cannot be 0 when maxUnavailable is 0.', { pointer: true }),
  }),
  objectType(`${APPS_V1}DeploymentStatus`, 'Observed state of a Deployment.', {
    observedGeneration: int64(1, 'The metadata.generation the controller last acted on; status is current when it equals metadata.generation.'),
    replicas: int32(2, 'Pods (not terminating) selected by this Deployment, across all its ReplicaSets.'),
    updatedReplicas: int32(3, 'Pods (not terminating) that run the current template.'),
    readyReplicas: int32(7, 'Pods selected by this Deployment whose Ready condition is true.'),
    availableReplicas: int32(4, 'Pods that have been ready for at least minReadySeconds.'),
    unavailableReplicas: int32(5, 'Pods still needed to reach the desired count of available pods.'),
    conditions: field(mapList(ref(`${APPS_V1}DeploymentCondition`), ['type']), 6, 'The latest observations of the Deployment\'s state.'),
    collisionCount: int32(8, 'Bumped by the controller when a ReplicaSet name collides; it is mixed into the pod-template-hash of the next ReplicaSet.', { pointer: true }),
  }),
  objectType(`${APPS_V1}DeploymentCondition`, 'One observation of a Deployment\'s state.', {
    type: str(1, 'The aspect this condition describes. Known values: "Available", "Progressing", "ReplicaFailure".', { required: true }),
    status: str(2, 'Whether the condition holds. Known values: "True", "False", "Unknown".', { required: true }),
    lastUpdateTime: field(scalar('time'), 6, 'When the condition was last written, even without a status change.'),
    lastTransitionTime: field(scalar('time'), 7, 'When the condition last changed from one status to another.'),
    reason: str(4, 'A short CamelCase word saying why the condition has its status.'),
    message: str(5, 'Human-readable detail about the condition.'),
  }),
  objectType(`${APPS_V1}ReplicaSet`, 'Keeps a given number of pods matching a selector running.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${APPS_V1}ReplicaSetSpec`, 2, 'Desired state of the ReplicaSet.'),
    status: obj(`${APPS_V1}ReplicaSetStatus`, 3, 'Most recently observed state of the ReplicaSet; written by the controller.'),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSet' } }),
  objectType(`${APPS_V1}ReplicaSetSpec`, 'Desired state of a ReplicaSet.', {
    replicas: int32(1, 'Number of pods wanted. Unset means 1; 0 is allowed.', { pointer: true }),
    minReadySeconds: int32(4, 'Seconds a new pod must stay ready, with no container crashing, before it counts as available. 0 means as soon as it is ready.'),
    selector: obj(`${META}LabelSelector`, 2, 'Label query for the pods of this ReplicaSet. It must match the template\'s labels.', { pointer: true, required: true }),
    template: obj(`${CORE}PodTemplateSpec`, 3, 'Template for pods created when too few exist.'),
  }),
  objectType(`${APPS_V1}ReplicaSetStatus`, 'Observed state of a ReplicaSet.', {
    replicas: int32(1, 'Pods (not terminating) currently selected by the ReplicaSet.', { required: true }),
    fullyLabeledReplicas: int32(2, 'Pods whose labels match every label of the pod template.'),
    readyReplicas: int32(4, 'Selected pods whose Ready condition is true.'),
    availableReplicas: int32(5, 'Selected pods that have been ready for at least minReadySeconds.'),
    observedGeneration: int64(3, 'The metadata.generation of the ReplicaSet the controller last acted on.'),
    conditions: field(mapList(ref(`${APPS_V1}ReplicaSetCondition`), ['type']), 6, 'The latest observations of the ReplicaSet\'s state.'),
  }),
  objectType(`${APPS_V1}ReplicaSetCondition`, 'One observation of a ReplicaSet\'s state.', {
    type: str(1, 'The aspect this condition describes. Known values: "ReplicaFailure".', { required: true }),
    status: str(2, 'Whether the condition holds. Known values: "True", "False", "Unknown".', { required: true }),
    lastTransitionTime: field(scalar('time'), 3, 'When the condition last changed from one status to another.'),
    reason: str(4, 'A short CamelCase word saying why the condition has its status.'),
    message: str(5, 'Human-readable detail about the condition.'),
  }),
  objectType(`${APPS_V1}StatefulSet`, 'A set of pods with stable names, network identities and per-pod storage, created and updated in order.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${APPS_V1}StatefulSetSpec`, 2, 'Desired state of the StatefulSet.'),
    status: obj(`${APPS_V1}StatefulSetStatus`, 3, 'Most recently observed state of the StatefulSet; written by the controller.'),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'StatefulSet' } }),
  objectType(`${APPS_V1}StatefulSetSpec`, 'Desired state of a StatefulSet.', {
    replicas: int32(1, 'Number of pods wanted. Unset means 1; 0 is allowed.', { pointer: true }),
    selector: obj(`${META}LabelSelector`, 2, 'Label query for the pods of this StatefulSet. It must match the template\'s labels.', { pointer: true, required: true }),
    template: obj(`${CORE}PodTemplateSpec`, 3, 'Template for the pods. Each pod gets a unique name and identity from it.', { required: true }),
    volumeClaimTemplates: field(atomicList(ref(`${CORE}PersistentVolumeClaim`)), 4, 'Claims each pod gets its own copy of, named <claim>-<pod>. A template\'s name must match a volume mount in the pod template and wins over a pod volume of the same name.'),
    serviceName: str(5, 'Name of the governing (usually headless) Service that gives the pods their DNS names, pod-N.<serviceName>.<namespace>.svc.', { required: true }),
    podManagementPolicy: field(scalar('string', ['OrderedReady', 'Parallel']), 6, '"OrderedReady" (default) creates pods one at a time in order and removes them in reverse; "Parallel" creates and deletes them all at once. Rolling updates are not affected.'),
    updateStrategy: obj(`${APPS_V1}StatefulSetUpdateStrategy`, 7, 'How pods are updated when the template changes.'),
    revisionHistoryLimit: int32(8, 'How many ControllerRevisions to keep. Unset means 10.', { pointer: true }),
    minReadySeconds: int32(9, 'Seconds a new pod must stay ready, with no container crashing, before it counts as available. 0 means as soon as it is ready.'),
    persistentVolumeClaimRetentionPolicy: obj(`${APPS_V1}StatefulSetPersistentVolumeClaimRetentionPolicy`, 10, 'Whether claims from volumeClaimTemplates are kept or deleted when the StatefulSet is deleted or scaled down. Unset keeps them.', { pointer: true }),
    ordinals: obj(`${APPS_V1}StatefulSetOrdinals`, 11, 'The range of ordinals used for pod names.', { pointer: true }),
  }),
  objectType(`${APPS_V1}StatefulSetUpdateStrategy`, 'How a StatefulSet updates its pods.', {
    type: field(scalar('string', ['RollingUpdate', 'OnDelete']), 1, '"RollingUpdate" (default) replaces pods in reverse ordinal order; "OnDelete" only uses the new template when a pod is deleted.'),
    rollingUpdate: obj(`${APPS_V1}RollingUpdateStatefulSetStrategy`, 2, 'Parameters for type "RollingUpdate".', { pointer: true }),
  }),
  objectType(`${APPS_V1}RollingUpdateStatefulSetStrategy`, 'Parameters of a StatefulSet rolling update.', {
    partition: int32(1, 'Only pods with an ordinal at or above this number are updated; the rest keep their revision. Default 0.', { pointer: true }),
    maxUnavailable: field(scalar('intOrString'), 2, 'Most pods that may be unavailable during the update: a count or a percentage (rounded up, at least 1). Default 1. Needs the MaxUnavailableStatefulSet feature.', { pointer: true }),
  }),
  objectType(`${APPS_V1}StatefulSetPersistentVolumeClaimRetentionPolicy`, 'What happens to claims from volumeClaimTemplates.', {
    whenDeleted: str(1, '"Retain" (default) or "Delete" the claims when the StatefulSet is deleted.'),
    whenScaled: str(2, '"Retain" (default) or "Delete" the claims of pods removed by a scale-down.'),
  }),
  objectType(`${APPS_V1}StatefulSetOrdinals`, 'The numbering of StatefulSet pods.', {
    start: int32(1, 'First ordinal: pods are numbered start .. start+replicas-1. Default 0.'),
  }),
  objectType(`${APPS_V1}StatefulSetStatus`, 'Observed state of a StatefulSet.', {
    observedGeneration: int64(1, 'The metadata.generation of the StatefulSet the controller last acted on.'),
    replicas: int32(2, 'Pods created by the controller.', { required: true }),
    readyReplicas: int32(3, 'Pods whose Ready condition is true.'),
    currentReplicas: int32(4, 'Pods running the revision named by currentRevision.'),
    updatedReplicas: int32(5, 'Pods running the revision named by updateRevision.'),
    currentRevision: str(6, 'The revision pods ordinals [0, currentReplicas) were made from.'),
    updateRevision: str(7, 'The revision pods ordinals [replicas-updatedReplicas, replicas) were made from.'),
    collisionCount: int32(9, 'Bumped by the controller when a ControllerRevision name collides; it is mixed into the next revision\'s name.', { pointer: true }),
    conditions: field(mapList(ref(`${APPS_V1}StatefulSetCondition`), ['type']), 10, 'The latest observations of the StatefulSet\'s state.'),
    availableReplicas: int32(11, 'Pods that have been ready for at least minReadySeconds.'),
  }),
  objectType(`${APPS_V1}StatefulSetCondition`, 'One observation of a StatefulSet\'s state.', {
    type: str(1, 'The aspect this condition describes.', { required: true }),
    status: str(2, 'Whether the condition holds. Known values: "True", "False", "Unknown".', { required: true }),
    lastTransitionTime: field(scalar('time'), 3, 'When the condition last changed from one status to another.'),
    reason: str(4, 'A short CamelCase word saying why the condition has its status.'),
    message: str(5, 'Human-readable detail about the condition.'),
  }),
  objectType(`${APPS_V1}DaemonSet`, 'Runs one copy of a pod on every eligible node.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${APPS_V1}DaemonSetSpec`, 2, 'Desired state of the DaemonSet.'),
    status: obj(`${APPS_V1}DaemonSetStatus`, 3, 'Most recently observed state of the DaemonSet; written by the controller.'),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'DaemonSet' } }),
  objectType(`${APPS_V1}DaemonSetSpec`, 'Desired state of a DaemonSet.', {
    selector: obj(`${META}LabelSelector`, 1, 'Label query for the pods of this DaemonSet. It must match the template\'s labels.', { pointer: true, required: true }),
    template: obj(`${CORE}PodTemplateSpec`, 2, 'Template for the pod run on each node. Its restartPolicy must be "Always"; node selector and affinity limit the nodes.', { required: true }),
    updateStrategy: obj(`${APPS_V1}DaemonSetUpdateStrategy`, 3, 'How pods are replaced when the template changes.'),
    minReadySeconds: int32(4, 'Seconds a new pod must stay ready, with no container crashing, before it counts as available. 0 means as soon as it is ready.'),
    revisionHistoryLimit: int32(6, 'How many old ControllerRevisions to keep. Unset means 10.', { pointer: true }),
  }),
  objectType(`${APPS_V1}DaemonSetUpdateStrategy`, 'How a DaemonSet updates its pods.', {
    type: field(scalar('string', ['RollingUpdate', 'OnDelete']), 1, '"RollingUpdate" (default) replaces pods node by node; "OnDelete" only uses the new template when a pod is deleted.'),
    rollingUpdate: obj(`${APPS_V1}RollingUpdateDaemonSet`, 2, 'Limits for type "RollingUpdate".', { pointer: true }),
  }),
  objectType(`${APPS_V1}RollingUpdateDaemonSet`, 'Limits on a DaemonSet rolling update.', {
    maxUnavailable: field(scalar('intOrString'), 1, 'Most nodes whose pod may be unavailable during the update: a count or a percentage of desired nodes (rounded up). Default 1. Cannot be 0 when maxSurge is 0.', { pointer: true }),
    maxSurge: field(scalar('intOrString'), 2, 'Most nodes that may run an extra, updated pod while the old one is still there: a count or a percentage (rounded up). Default 0.', { pointer: true }),
  }),
  objectType(`${APPS_V1}DaemonSetStatus`, 'Observed state of a DaemonSet.', {
    currentNumberScheduled: int32(1, 'Nodes that run at least one daemon pod and should.', { required: true }),
    numberMisscheduled: int32(2, 'Nodes that run a daemon pod but should not.', { required: true }),
    desiredNumberScheduled: int32(3, 'Nodes that should run the daemon pod.', { required: true }),
    numberReady: int32(4, 'Nodes whose daemon pod has its Ready condition true.', { required: true }),
    observedGeneration: int64(5, 'The metadata.generation of the DaemonSet the controller last acted on.'),
    updatedNumberScheduled: int32(6, 'Nodes running a daemon pod of the current template.'),
    numberAvailable: int32(7, 'Nodes whose daemon pod has been ready for at least minReadySeconds.'),
    numberUnavailable: int32(8, 'Nodes that should run an available daemon pod but do not.'),
    collisionCount: int32(9, 'Bumped by the controller when a ControllerRevision name collides; it is mixed into the next revision\'s name.', { pointer: true }),
    conditions: field(mapList(ref(`${APPS_V1}DaemonSetCondition`), ['type']), 10, 'The latest observations of the DaemonSet\'s state.'),
  }),
  objectType(`${APPS_V1}DaemonSetCondition`, 'One observation of a DaemonSet\'s state.', {
    type: str(1, 'The aspect this condition describes.', { required: true }),
    status: str(2, 'Whether the condition holds. Known values: "True", "False", "Unknown".', { required: true }),
    lastTransitionTime: field(scalar('time'), 3, 'When the condition last changed from one status to another.'),
    reason: str(4, 'A short CamelCase word saying why the condition has its status.'),
    message: str(5, 'Human-readable detail about the condition.'),
  }),
  objectType(`${APPS_V1}ControllerRevision`, 'An immutable snapshot of a controller\'s template, used by StatefulSets and DaemonSets for rollout history and rollback.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    data: field(scalar('rawExtension'), 2, 'The serialized state captured by this revision (a JSON object).'),
    revision: int64(3, 'The revision number; higher is newer.', { required: true }),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'ControllerRevision' } }),
  objectType(`${APPS_V1}DeploymentList`, 'A list of Deployment objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${APPS_V1}Deployment`)), 2, 'The Deployment objects.', { required: true }),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'DeploymentList' } }),
  objectType(`${APPS_V1}ReplicaSetList`, 'A list of ReplicaSet objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${APPS_V1}ReplicaSet`)), 2, 'The ReplicaSet objects.', { required: true }),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSetList' } }),
  objectType(`${APPS_V1}StatefulSetList`, 'A list of StatefulSet objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${APPS_V1}StatefulSet`)), 2, 'The StatefulSet objects.', { required: true }),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'StatefulSetList' } }),
  objectType(`${APPS_V1}DaemonSetList`, 'A list of DaemonSet objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${APPS_V1}DaemonSet`)), 2, 'The DaemonSet objects.', { required: true }),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'DaemonSetList' } }),
  objectType(`${APPS_V1}ControllerRevisionList`, 'A list of ControllerRevision objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${APPS_V1}ControllerRevision`)), 2, 'The ControllerRevision objects.', { required: true }),
  }, { gvk: { group: 'apps', version: 'v1', kind: 'ControllerRevisionList' } }),
];
