// The server-side Table printers, keyed by `<group>/<resource>` ('' for the core group).
// Kinds without a printer of their own in Kubernetes (roles, limit ranges) get Name / Created At.

import type { TablePrinter } from '../registry/strategy.js';
import { daemonSetPrinter, controllerRevisionPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from './workloads.js';
import { cronJobPrinter, jobPrinter } from './batch.js';
import { configMapPrinter, createdAtPrinter, namespacePrinter, resourceQuotaPrinter, secretPrinter, serviceAccountPrinter } from './config.js';
import { eventPrinter } from './events.js';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './network.js';
import { nodePrinter } from './nodes.js';
import { podPrinter } from './pods.js';
import { horizontalPodAutoscalerPrinter, leasePrinter, podDisruptionBudgetPrinter, priorityClassPrinter } from './policy.js';
import { clusterRoleBindingPrinter, roleBindingPrinter } from './rbac.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.js';

export const PRINTERS: Record<string, TablePrinter> = {
  '/pods': podPrinter,
  '/services': servicePrinter,
  '/endpoints': endpointsPrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
  '/events': eventPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  '/persistentvolumes': persistentVolumePrinter,
  '/persistentvolumeclaims': persistentVolumeClaimPrinter,
  '/limitranges': createdAtPrinter,
  '/resourcequotas': resourceQuotaPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/statefulsets': statefulSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'apps/controllerrevisions': controllerRevisionPrinter,
  'batch/jobs': jobPrinter,
  'batch/cronjobs': cronJobPrinter,
  'coordination.k8s.io/leases': leasePrinter,
  'discovery.k8s.io/endpointslices': endpointSlicePrinter,
  'events.k8s.io/events': eventPrinter,
  'storage.k8s.io/storageclasses': storageClassPrinter,
  'policy/poddisruptionbudgets': podDisruptionBudgetPrinter,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerPrinter,
  'scheduling.k8s.io/priorityclasses': priorityClassPrinter,
  'rbac.authorization.k8s.io/roles': createdAtPrinter,
  'rbac.authorization.k8s.io/clusterroles': createdAtPrinter,
  'rbac.authorization.k8s.io/rolebindings': roleBindingPrinter,
  'rbac.authorization.k8s.io/clusterrolebindings': clusterRoleBindingPrinter,
};
