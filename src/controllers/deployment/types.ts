// The Deployment shape the controller reads and writes.
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import type { PodTemplateSpec } from '../common/pods.js';
import type { DeploymentCondition } from './conditions.js';
import type { IntOrString } from './rolling.js';

export interface Deployment extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    strategy?: { type?: 'Recreate' | 'RollingUpdate'; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatus;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export const ANNOTATIONS = {
  revision: 'deployment.kubernetes.io/revision',
  revisionHistory: 'deployment.kubernetes.io/revision-history',
  desiredReplicas: 'deployment.kubernetes.io/desired-replicas',
  maxReplicas: 'deployment.kubernetes.io/max-replicas',
  changeCause: 'kubernetes.io/change-cause',
  lastApplied: 'kubectl.kubernetes.io/last-applied-configuration',
  rollbackTo: 'deprecated.deployment.rollback.to',
} as const;

/** Annotations that belong to the Deployment or the controller and are not copied onto ReplicaSets. */
export const NOT_COPIED = new Set<string>([ANNOTATIONS.lastApplied, ANNOTATIONS.revision, ANNOTATIONS.revisionHistory, ANNOTATIONS.desiredReplicas, ANNOTATIONS.maxReplicas, ANNOTATIONS.rollbackTo]);
