// policy/v1: PodDisruptionBudget and Eviction.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, field, int32, int64, mapList, mapOf, obj, objectType, ref, scalar, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const POLICY_V1 = 'io.k8s.api.policy.v1.';

export const POLICY_V1_TYPES: ObjectType[] = [
  objectType(`${POLICY_V1}PodDisruptionBudget`, 'Limits how many pods of a set may be down at once through voluntary disruptions such as evictions.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${POLICY_V1}PodDisruptionBudgetSpec`, 2, 'Which pods the budget covers and how many must stay up.'),
    status: obj(`${POLICY_V1}PodDisruptionBudgetStatus`, 3, 'Most recently observed state of the budget; written by the disruption controller.'),
  }, { gvk: { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' } }),
  objectType(`${POLICY_V1}PodDisruptionBudgetSpec`, 'Desired protection of a set of pods. Set at most one of minAvailable and maxUnavailable.', {
    minAvailable: field(scalar('intOrString'), 1, 'Pods that must stay available after an eviction: a count or a percentage of expected pods. "100%" blocks all evictions.', { pointer: true }),
    selector: obj(`${META}LabelSelector`, 2, 'Label query for the pods the budget covers. An empty selector selects every pod in the namespace; a null one selects none.', { pointer: true }),
    maxUnavailable: field(scalar('intOrString'), 3, 'Pods that may be unavailable after an eviction: a count or a percentage of expected pods. 0 blocks all evictions.', { pointer: true }),
    unhealthyPodEvictionPolicy: field(scalar('string', ['IfHealthyBudget', 'AlwaysAllow']), 4, 'When running but not ready pods may be evicted: "IfHealthyBudget" (default) only while the budget is met, "AlwaysAllow" regardless of the budget.', { pointer: true }),
  }),
  objectType(`${POLICY_V1}PodDisruptionBudgetStatus`, 'Observed state of a budget.', {
    observedGeneration: int64(1, 'The metadata.generation of the budget the controller last acted on.'),
    disruptedPods: field(mapOf(scalar('time')), 2, 'Pods the API server has allowed to be evicted but the controller has not yet seen deleted, with the time of the eviction; entries expire after a while.'),
    disruptionsAllowed: int32(3, 'How many more pods may be disrupted now.', { required: true }),
    currentHealthy: int32(4, 'Covered pods that are healthy now.', { required: true }),
    desiredHealthy: int32(5, 'Fewest healthy pods the budget requires.', { required: true }),
    expectedPods: int32(6, 'Total pods counted by the budget (from the owning controllers\' scale).', { required: true }),
    conditions: field(mapList(ref(`${META}Condition`), ['type']), 7, 'Observations of the budget; DisruptionAllowed says whether evictions may proceed.'),
  }),
  objectType(`${POLICY_V1}Eviction`, 'A request to evict a pod, honouring disruption budgets; created through the pods/eviction subresource.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Names the pod to evict (name and namespace).'),
    deleteOptions: obj(`${META}DeleteOptions`, 2, 'Options for the pod deletion, such as the grace period.', { pointer: true }),
  }, { gvk: { group: 'policy', version: 'v1', kind: 'Eviction' } }),
  objectType(`${POLICY_V1}PodDisruptionBudgetList`, 'A list of PodDisruptionBudget objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${POLICY_V1}PodDisruptionBudget`)), 2, 'The PodDisruptionBudget objects.', { required: true }),
  }, { gvk: { group: 'policy', version: 'v1', kind: 'PodDisruptionBudgetList' } }),
];
