// Resource descriptors the workload controllers use, looked up once from the resource table.
import { findKind, type ResourceDescriptor } from '../../api/resources.js';

function mustFind(group: string, version: string, kind: string): ResourceDescriptor {
  const desc = findKind(group, version, kind);
  if (!desc) throw new Error(`${kind} missing from the resource table`);
  return desc;
}

export const KINDS = {
  pod: mustFind('', 'v1', 'Pod'),
  node: mustFind('', 'v1', 'Node'),
  pvc: mustFind('', 'v1', 'PersistentVolumeClaim'),
  persistentVolume: mustFind('', 'v1', 'PersistentVolume'),
  storageClass: mustFind('storage.k8s.io', 'v1', 'StorageClass'),
  namespace: mustFind('', 'v1', 'Namespace'),
  serviceAccount: mustFind('', 'v1', 'ServiceAccount'),
  deployment: mustFind('apps', 'v1', 'Deployment'),
  replicaSet: mustFind('apps', 'v1', 'ReplicaSet'),
  statefulSet: mustFind('apps', 'v1', 'StatefulSet'),
  daemonSet: mustFind('apps', 'v1', 'DaemonSet'),
  controllerRevision: mustFind('apps', 'v1', 'ControllerRevision'),
  job: mustFind('batch', 'v1', 'Job'),
  cronJob: mustFind('batch', 'v1', 'CronJob'),
  pdb: mustFind('policy', 'v1', 'PodDisruptionBudget'),
} as const;
