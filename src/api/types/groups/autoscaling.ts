// autoscaling/v1 (HorizontalPodAutoscaler, Scale) and autoscaling/v2 (HorizontalPodAutoscaler).
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, field, int32, int64, mapList, obj, objectType, ref, scalar, str, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const AUTOSCALING_V1 = 'io.k8s.api.autoscaling.v1.';
const AUTOSCALING_V2 = 'io.k8s.api.autoscaling.v2.';

export const AUTOSCALING_TYPES: ObjectType[] = [
  objectType(`${AUTOSCALING_V1}HorizontalPodAutoscaler`, 'Scales a workload\'s replica count automatically to keep observed metrics near their targets.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${AUTOSCALING_V1}HorizontalPodAutoscalerSpec`, 2, 'Target workload, replica bounds and metric targets.'),
    status: obj(`${AUTOSCALING_V1}HorizontalPodAutoscalerStatus`, 3, 'Most recently observed state of the autoscaler; written by the controller.'),
  }, { gvk: { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' } }),
  objectType(`${AUTOSCALING_V1}HorizontalPodAutoscalerSpec`, 'Desired behaviour of an autoscaler.', {
    scaleTargetRef: obj(`${AUTOSCALING_V1}CrossVersionObjectReference`, 1, 'The workload to scale; it must serve the scale subresource.', { required: true }),
    minReplicas: int32(2, 'Lowest replica count the autoscaler may set. Default 1.', { pointer: true }),
    maxReplicas: int32(3, 'Highest replica count the autoscaler may set; at least minReplicas.', { required: true }),
    targetCPUUtilizationPercentage: int32(4, 'Average CPU use across pods to aim for, as a percentage of requested CPU. Unset uses a default policy.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V1}CrossVersionObjectReference`, 'Identifies an object by API version, kind and name.', {
    kind: str(1, 'Kind of the referenced object, e.g. "Deployment".', { required: true }),
    name: str(2, 'Name of the referenced object.', { required: true }),
    apiVersion: str(3, 'API version of the referenced object, e.g. "apps/v1".'),
  }, { atomic: true }),
  objectType(`${AUTOSCALING_V1}HorizontalPodAutoscalerStatus`, 'Observed state of an autoscaler.', {
    observedGeneration: int64(1, 'The metadata.generation the autoscaler last acted on.', { pointer: true }),
    lastScaleTime: field(scalar('time'), 2, 'When the autoscaler last changed the replica count.', { pointer: true }),
    currentReplicas: int32(3, 'Replica count of the target as last seen.', { required: true }),
    desiredReplicas: int32(4, 'Replica count the autoscaler last computed.', { required: true }),
    currentCPUUtilizationPercentage: int32(5, 'Average CPU use across pods now, as a percentage of requested CPU.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V1}Scale`, 'The scale subresource: a workload\'s desired and observed replica count.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${AUTOSCALING_V1}ScaleSpec`, 2, 'Desired replica count.'),
    status: obj(`${AUTOSCALING_V1}ScaleStatus`, 3, 'Current replica count and pod selector.'),
  }, { gvk: { group: 'autoscaling', version: 'v1', kind: 'Scale' } }),
  objectType(`${AUTOSCALING_V1}ScaleSpec`, 'Desired scale of a workload.', {
    replicas: int32(1, 'Desired number of replicas.'),
  }),
  objectType(`${AUTOSCALING_V1}ScaleStatus`, 'Observed scale of a workload.', {
    replicas: int32(1, 'Number of replicas observed.', { required: true }),
    selector: str(2, 'The workload\'s pod label selector in string form (as in a label query), for autoscalers to count pods.'),
  }),
  objectType(`${AUTOSCALING_V1}HorizontalPodAutoscalerList`, 'A list of HorizontalPodAutoscaler objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${AUTOSCALING_V1}HorizontalPodAutoscaler`)), 2, 'The HorizontalPodAutoscaler objects.', { required: true }),
  }, { gvk: { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscalerList' } }),
  objectType(`${AUTOSCALING_V2}HorizontalPodAutoscaler`, 'Scales a workload\'s replica count automatically to keep observed metrics near their targets.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${AUTOSCALING_V2}HorizontalPodAutoscalerSpec`, 2, 'Target workload, replica bounds and metric targets.'),
    status: obj(`${AUTOSCALING_V2}HorizontalPodAutoscalerStatus`, 3, 'Most recently observed state of the autoscaler; written by the controller.'),
  }, { gvk: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' } }),
  objectType(`${AUTOSCALING_V2}HorizontalPodAutoscalerSpec`, 'Desired behaviour of an autoscaler.', {
    scaleTargetRef: obj(`${AUTOSCALING_V2}CrossVersionObjectReference`, 1, 'The workload to scale; it must serve the scale subresource.', { required: true }),
    minReplicas: int32(2, 'Lowest replica count the autoscaler may set. Default 1; 0 is allowed only with an Object or External metric and the HPAScaleToZero feature.', { pointer: true }),
    maxReplicas: int32(3, 'Highest replica count the autoscaler may set; at least minReplicas.', { required: true }),
    metrics: field(atomicList(ref(`${AUTOSCALING_V2}MetricSpec`)), 4, 'Metrics the replica count is computed from; the largest proposal wins. Unset means 80% average CPU utilization.'),
    behavior: obj(`${AUTOSCALING_V2}HorizontalPodAutoscalerBehavior`, 5, 'How fast to scale up and down. Unset uses the default rules.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V2}CrossVersionObjectReference`, 'Identifies an object by API version, kind and name.', {
    kind: str(1, 'Kind of the referenced object, e.g. "Deployment".', { required: true }),
    name: str(2, 'Name of the referenced object.', { required: true }),
    apiVersion: str(3, 'API version of the referenced object, e.g. "apps/v1".'),
  }),
  objectType(`${AUTOSCALING_V2}MetricSpec`, 'One metric to scale on; set the field matching type.', {
    type: str(1, 'Which source field is set: "Object", "Pods", "Resource", "ContainerResource" or "External".', { required: true }),
    object: obj(`${AUTOSCALING_V2}ObjectMetricSource`, 2, 'A metric of a single object in the namespace, e.g. an Ingress\'s request rate.', { pointer: true }),
    pods: obj(`${AUTOSCALING_V2}PodsMetricSource`, 3, 'A metric averaged over the target\'s pods, e.g. packets per second.', { pointer: true }),
    resource: obj(`${AUTOSCALING_V2}ResourceMetricSource`, 4, 'A resource such as cpu or memory, from the pods\' requests and usage.', { pointer: true }),
    containerResource: obj(`${AUTOSCALING_V2}ContainerResourceMetricSource`, 7, 'A resource of one named container in each pod.', { pointer: true }),
    external: obj(`${AUTOSCALING_V2}ExternalMetricSource`, 5, 'A metric from outside the cluster, e.g. a queue length.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V2}ObjectMetricSource`, 'A metric that describes one object.', {
    describedObject: obj(`${AUTOSCALING_V2}CrossVersionObjectReference`, 1, 'The object the metric describes.', { required: true }),
    target: obj(`${AUTOSCALING_V2}MetricTarget`, 2, 'The value to aim for.', { required: true }),
    metric: obj(`${AUTOSCALING_V2}MetricIdentifier`, 3, 'Name and selector of the metric.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}MetricTarget`, 'A target value; set the field matching type.', {
    type: str(1, '"Utilization", "Value" or "AverageValue".', { required: true }),
    value: field(scalar('quantity'), 2, 'Target raw value of the metric.', { pointer: true }),
    averageValue: field(scalar('quantity'), 3, 'Target value of the metric averaged over the pods.', { pointer: true }),
    averageUtilization: int32(4, 'Target average use across pods as a percentage of requests; only for Resource and ContainerResource metrics.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V2}MetricIdentifier`, 'Names a metric.', {
    name: str(1, 'Metric name.', { required: true }),
    selector: obj(`${META}LabelSelector`, 2, 'Label selector passed to the metrics server to narrow the metric; unset uses the name alone.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V2}PodsMetricSource`, 'A metric averaged across the target\'s pods.', {
    metric: obj(`${AUTOSCALING_V2}MetricIdentifier`, 1, 'Name and selector of the metric.', { required: true }),
    target: obj(`${AUTOSCALING_V2}MetricTarget`, 2, 'The value to aim for.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}ResourceMetricSource`, 'A resource metric of the target\'s pods, compared with their requests.', {
    name: str(1, 'Resource name, e.g. "cpu" or "memory".', { required: true }),
    target: obj(`${AUTOSCALING_V2}MetricTarget`, 2, 'The value to aim for.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}ContainerResourceMetricSource`, 'A resource metric of one container in each of the target\'s pods.', {
    name: str(1, 'Resource name, e.g. "cpu" or "memory".', { required: true }),
    target: obj(`${AUTOSCALING_V2}MetricTarget`, 2, 'The value to aim for.', { required: true }),
    container: str(3, 'Name of the container to measure.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}ExternalMetricSource`, 'A metric that does not belong to a Kubernetes object.', {
    metric: obj(`${AUTOSCALING_V2}MetricIdentifier`, 1, 'Name and selector of the metric.', { required: true }),
    target: obj(`${AUTOSCALING_V2}MetricTarget`, 2, 'The value to aim for.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}HorizontalPodAutoscalerBehavior`, 'Scaling rules per direction.', {
    scaleUp: obj(`${AUTOSCALING_V2}HPAScalingRules`, 1, 'Rules for scaling up. Default: no stabilization window; add the larger of 4 pods or 100% every 15 seconds.', { pointer: true }),
    scaleDown: obj(`${AUTOSCALING_V2}HPAScalingRules`, 2, 'Rules for scaling down. Default: 300-second stabilization window; may remove up to 100% of pods every 15 seconds.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V2}HPAScalingRules`, 'Rules for one scaling direction.', {
    stabilizationWindowSeconds: int32(3, 'Seconds of past recommendations considered, to avoid flapping: the most conservative one in the window is used. 0 to 3600.', { pointer: true }),
    selectPolicy: str(1, 'Which policy wins when several apply: "Max" (default), "Min", or "Disabled" to turn this direction off.', { pointer: true }),
    policies: field(atomicList(ref(`${AUTOSCALING_V2}HPAScalingPolicy`)), 2, 'Limits on how much may change within a period; selectPolicy chooses among them.'),
  }),
  objectType(`${AUTOSCALING_V2}HPAScalingPolicy`, 'A limit on change within a period.', {
    type: str(1, '"Pods" (an absolute count) or "Percent" (of current replicas).', { required: true }),
    value: int32(2, 'The amount of change allowed; greater than 0.', { required: true }),
    periodSeconds: int32(3, 'Length of the window the limit applies to, 1 to 1800 seconds.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}HorizontalPodAutoscalerStatus`, 'Observed state of an autoscaler.', {
    observedGeneration: int64(1, 'The metadata.generation the autoscaler last acted on.', { pointer: true }),
    lastScaleTime: field(scalar('time'), 2, 'When the autoscaler last changed the replica count.', { pointer: true }),
    currentReplicas: int32(3, 'Replica count of the target as last seen.'),
    desiredReplicas: int32(4, 'Replica count the autoscaler last computed.', { required: true }),
    currentMetrics: field(atomicList(ref(`${AUTOSCALING_V2}MetricStatus`)), 5, 'The last values read for each configured metric.'),
    conditions: field(mapList(ref(`${AUTOSCALING_V2}HorizontalPodAutoscalerCondition`), ['type']), 6, 'Observations of the autoscaler\'s state, e.g. whether it can scale and whether it is limited.'),
  }),
  objectType(`${AUTOSCALING_V2}MetricStatus`, 'The last reading of one metric; the field matching type is set.', {
    type: str(1, 'Which source field is set: "Object", "Pods", "Resource", "ContainerResource" or "External".', { required: true }),
    object: obj(`${AUTOSCALING_V2}ObjectMetricStatus`, 2, 'Reading of an object metric.', { pointer: true }),
    pods: obj(`${AUTOSCALING_V2}PodsMetricStatus`, 3, 'Reading of a pods metric.', { pointer: true }),
    resource: obj(`${AUTOSCALING_V2}ResourceMetricStatus`, 4, 'Reading of a resource metric.', { pointer: true }),
    containerResource: obj(`${AUTOSCALING_V2}ContainerResourceMetricStatus`, 7, 'Reading of a container resource metric.', { pointer: true }),
    external: obj(`${AUTOSCALING_V2}ExternalMetricStatus`, 5, 'Reading of an external metric.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V2}ObjectMetricStatus`, 'The last reading of an object metric.', {
    metric: obj(`${AUTOSCALING_V2}MetricIdentifier`, 1, 'Name and selector of the metric.', { required: true }),
    current: obj(`${AUTOSCALING_V2}MetricValueStatus`, 2, 'The value read.', { required: true }),
    describedObject: obj(`${AUTOSCALING_V2}CrossVersionObjectReference`, 3, 'The object the metric describes.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}MetricValueStatus`, 'A metric value as read.', {
    value: field(scalar('quantity'), 1, 'Raw value of the metric.', { pointer: true }),
    averageValue: field(scalar('quantity'), 2, 'Value of the metric averaged over the pods.', { pointer: true }),
    averageUtilization: int32(3, 'Average use across pods as a percentage of requests.', { pointer: true }),
  }),
  objectType(`${AUTOSCALING_V2}PodsMetricStatus`, 'The last reading of a pods metric.', {
    metric: obj(`${AUTOSCALING_V2}MetricIdentifier`, 1, 'Name and selector of the metric.', { required: true }),
    current: obj(`${AUTOSCALING_V2}MetricValueStatus`, 2, 'The value read.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}ResourceMetricStatus`, 'The last reading of a resource metric.', {
    name: str(1, 'Resource name, e.g. "cpu".', { required: true }),
    current: obj(`${AUTOSCALING_V2}MetricValueStatus`, 2, 'The value read.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}ContainerResourceMetricStatus`, 'The last reading of a container resource metric.', {
    name: str(1, 'Resource name, e.g. "cpu".', { required: true }),
    current: obj(`${AUTOSCALING_V2}MetricValueStatus`, 2, 'The value read.', { required: true }),
    container: str(3, 'Name of the container measured.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}ExternalMetricStatus`, 'The last reading of an external metric.', {
    metric: obj(`${AUTOSCALING_V2}MetricIdentifier`, 1, 'Name and selector of the metric.', { required: true }),
    current: obj(`${AUTOSCALING_V2}MetricValueStatus`, 2, 'The value read.', { required: true }),
  }),
  objectType(`${AUTOSCALING_V2}HorizontalPodAutoscalerCondition`, 'One observation of an autoscaler\'s state.', {
    type: str(1, 'The aspect this condition describes. Known values: "ScalingActive", "AbleToScale", "ScalingLimited".', { required: true }),
    status: str(2, 'Whether the condition holds. Known values: "True", "False", "Unknown".', { required: true }),
    lastTransitionTime: field(scalar('time'), 3, 'When the condition last changed from one status to another.'),
    reason: str(4, 'A short CamelCase word saying why the condition has its status.'),
    message: str(5, 'Human-readable detail about the condition.'),
  }),
  objectType(`${AUTOSCALING_V2}HorizontalPodAutoscalerList`, 'A list of HorizontalPodAutoscaler objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${AUTOSCALING_V2}HorizontalPodAutoscaler`)), 2, 'The HorizontalPodAutoscaler objects.', { required: true }),
  }, { gvk: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscalerList' } }),
];
