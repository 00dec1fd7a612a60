// The strategies of the named API groups, keyed by `<group>/<resource>`. Each gets the Table
// printer Kubernetes uses for it unless the strategy brings its own.

import type { Strategy } from '../strategy.js';
import { PRINTERS } from '../../printers/index.js';
import { controllerRevisionStrategy } from './controllerrevision.js';
import { cronJobStrategy } from './cronjob.js';
import { daemonSetStrategy } from './daemonset.js';
import { deploymentStrategy } from './deployment.js';
import { endpointSliceStrategy } from './endpointslice.js';
import { eventV1Strategy } from './events-v1.js';
import { horizontalPodAutoscalerStrategy } from './hpa.js';
import { jobStrategy } from './job.js';
import { leaseStrategy } from './lease.js';
import { podDisruptionBudgetStrategy } from './pdb.js';
import { priorityClassStrategy } from './priorityclass.js';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from './rbac.js';
import { replicaSetStrategy } from './replicaset.js';
import { selfSubjectAccessReviewStrategy } from './selfsubjectaccessreview.js';
import { selfSubjectReviewStrategy } from './selfsubjectreview.js';
import { statefulSetStrategy } from './statefulset.js';
import { storageClassStrategy } from './storageclass.js';

const STRATEGIES: Record<string, Strategy> = {
  'apps/deployments': deploymentStrategy,
  'apps/replicasets': replicaSetStrategy,
  'apps/statefulsets': statefulSetStrategy,
  'apps/daemonsets': daemonSetStrategy,
  'apps/controllerrevisions': controllerRevisionStrategy,
  'batch/jobs': jobStrategy,
  'batch/cronjobs': cronJobStrategy,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerStrategy,
  'policy/poddisruptionbudgets': podDisruptionBudgetStrategy,
  'rbac.authorization.k8s.io/roles': roleStrategy,
  'rbac.authorization.k8s.io/clusterroles': clusterRoleStrategy,
  'rbac.authorization.k8s.io/rolebindings': roleBindingStrategy,
  'rbac.authorization.k8s.io/clusterrolebindings': clusterRoleBindingStrategy,
  'storage.k8s.io/storageclasses': storageClassStrategy,
  'coordination.k8s.io/leases': leaseStrategy,
  'discovery.k8s.io/endpointslices': endpointSliceStrategy,
  'events.k8s.io/events': eventV1Strategy,
  'scheduling.k8s.io/priorityclasses': priorityClassStrategy,
  'authorization.k8s.io/selfsubjectaccessreviews': selfSubjectAccessReviewStrategy,
  'authentication.k8s.io/selfsubjectreviews': selfSubjectReviewStrategy,
  'authentication.k8s.io/tokenreviews': selfSubjectReviewStrategy,
};

export const GROUP_STRATEGIES: Record<string, Strategy> = Object.fromEntries(
  Object.entries(STRATEGIES).map(([key, strategy]) => [key, PRINTERS[key] && !strategy.table ? { ...strategy, table: PRINTERS[key] } : strategy]),
);
