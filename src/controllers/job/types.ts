// The Job shape the controller reads and writes.
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import type { PodTemplateSpec } from '../common/pods.js';

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export interface JobStatus {
  startTime?: string;
  completionTime?: string;
  active?: number;
  ready?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  conditions?: JobCondition[];
}

export interface Job extends KubeObject {
  spec?: {
    parallelism?: number;
    completions?: number;
    completionMode?: 'NonIndexed' | 'Indexed';
    backoffLimit?: number;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
    suspend?: boolean;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
  };
  status?: JobStatus;
}

export const JOB_LABELS = {
  jobName: 'batch.kubernetes.io/job-name',
  legacyJobName: 'job-name',
  controllerUid: 'batch.kubernetes.io/controller-uid',
  legacyControllerUid: 'controller-uid',
  completionIndex: 'batch.kubernetes.io/job-completion-index',
} as const;

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 360_000;
