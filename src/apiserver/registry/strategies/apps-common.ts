// Rules shared by the apps/v1 workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet):
// the pod template they stamp out, its selector, and the immutable selector of apps/v1.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { defaultPodTemplate, validatePodTemplate } from './pod-spec.js';
import { child, deepEqual, goLabelSelector, immutable, isObject, nonNegative, obj, validateWorkloadSelector, type Json } from './group-helpers.js';

export function specOf(o: KubeObject): Json {
  if (!isObject(o.spec)) o.spec = {};
  return o.spec as Json;
}

/** Pod-template defaults for a workload whose template lives at spec.template. */
export function defaultWorkloadTemplate(o: KubeObject): void {
  const spec = specOf(o);
  defaultPodTemplate(child(spec, 'template'));
}

/**
 * Template rules of pods that are replaced rather than restarted by their controller: the
 * selector must match, restartPolicy must be Always and activeDeadlineSeconds is not allowed.
 */
export function validateReplicatedTemplate(spec: Json, kindWord: string, extraVolumeNames: string[] = []): FieldError[] {
  const errs: FieldError[] = [...validateWorkloadSelector(spec, kindWord)];
  if (!isObject(spec.template)) {
    errs.push(fieldErrors.required('spec.template'));
    return errs;
  }
  errs.push(...validatePodTemplate(spec.template, 'spec.template', { restartPolicies: ['Always'], extraVolumeNames }));
  const podSpec = obj(spec.template.spec);
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(fieldErrors.invalid('spec.template.spec.activeDeadlineSeconds', podSpec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

export function validateReplicasAndReadiness(spec: Json): FieldError[] {
  return [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
}

/** apps/v1 forbids changing a workload's selector once created. */
export function immutableSelector(o: KubeObject, old: KubeObject): FieldError[] {
  const next = obj(o.spec).selector;
  const prev = obj(old.spec).selector;
  return deepEqual(next, prev) ? [] : [immutable('spec.selector', goLabelSelector(next))];
}
