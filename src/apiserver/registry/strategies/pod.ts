// Pods: defaulting, the initial status, validation, and the narrow set of spec changes an update may make.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { jsonEqual } from '../../../machinery/validation/object-meta.js';
import type { Strategy } from '../strategy.js';
import { isObject, objects, str, validateContainerForPod } from './pod-container-validation.js';
import { computeQosClass } from './pod-qos.js';
import { defaultPodOnlyFields, defaultPodSpec, validatePodSpec } from './pod-spec.js';
import { validateTolerations } from './pod-volume-validation.js';

type Json = Record<string, unknown>;

export const POD_UPDATE_FORBIDDEN_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

const specOf = (obj: KubeObject): Json => (isObject(obj.spec) ? obj.spec : {});

function schedulingGatedCondition(spec: Json): Json | undefined {
  if (objects(spec.schedulingGates).length === 0) return undefined;
  return {
    type: 'PodScheduled',
    status: 'False',
    reason: 'SchedulingGated',
    message: 'Scheduling is blocked due to non-empty scheduling gates',
    lastProbeTime: null,
    lastTransitionTime: null,
  };
}

/** Changed top-level spec fields, one per line, standing in for the Go struct diff Kubernetes appends. */
function describeSpecDiff(oldSpec: Json, newSpec: Json): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines: string[] = [];
  for (const key of keys) {
    if (jsonEqual(oldSpec[key], newSpec[key])) continue;
    if (oldSpec[key] !== undefined) lines.push(`- \t${key}: ${JSON.stringify(oldSpec[key])}`);
    if (newSpec[key] !== undefined) lines.push(`+ \t${key}: ${JSON.stringify(newSpec[key])}`);
  }
  return lines.join('\n');
}

/** Toleration changes: existing ones may not be removed or changed, except their tolerationSeconds. */
function validateTolerationsUpdate(newList: Json[], oldList: Json[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const withoutSeconds = (t: Json): Json => ({ ...t, tolerationSeconds: undefined });
  for (const old of oldList) {
    if (!newList.some((t) => jsonEqual(withoutSeconds(t), withoutSeconds(old)))) {
      errs.push(fieldErrors.forbidden(path, `existing toleration can not be modified except its tolerationSeconds`));
      break;
    }
  }
  return errs;
}

/** pods/ephemeralcontainers: the stored pod with the ephemeral containers the client sent. */
function withEphemeralContainers(desired: KubeObject, current: KubeObject): KubeObject {
  const next = structuredClone(current);
  const sent = specOf(desired).ephemeralContainers;
  next.spec = { ...specOf(next) };
  if (sent === undefined || sent === null) delete (next.spec as Json).ephemeralContainers;
  else (next.spec as Json).ephemeralContainers = sent;
  return next;
}

/**
 * Ephemeral containers may only be added: existing ones stay as they are; new ones follow the
 * container rules for ephemeral containers and may target only a container of the pod.
 */
export function validateEphemeralContainersUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = validatePodSpec(spec, 'spec').filter((e) => e.field.startsWith('spec.ephemeralContainers'));
  const next = objects(spec.ephemeralContainers);
  const byName = new Map(next.map((c, i) => [str(c.name), { c, i }]));
  for (const existing of objects(specOf(old).ephemeralContainers)) {
    const name = str(existing.name);
    const now = byName.get(name);
    if (!now) errs.push(fieldErrors.forbidden('spec.ephemeralContainers', `existing ephemeral containers "${name}" may not be removed`));
    else if (!jsonEqual(now.c, existing)) errs.push(fieldErrors.forbidden(`spec.ephemeralContainers[${now.i}]`, `existing ephemeral containers "${name}" may not be changed`));
  }
  const containers = new Set(objects(spec.containers).map((c) => str(c.name)));
  next.forEach((c, i) => {
    const target = str(c.targetContainerName);
    if (target && !containers.has(target)) errs.push(fieldErrors.notFound(`spec.ephemeralContainers[${i}].targetContainerName`, target));
  });
  return errs;
}

export function validatePodUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const errs: FieldError[] = [];
  for (const field of ['containers', 'initContainers']) {
    objects(spec[field]).forEach((ctr, i) => {
      if (!str(ctr.image)) errs.push(fieldErrors.required(`spec.${field}[${i}].image`));
      errs.push(...validateContainerForPod(ctr, `spec.${field}[${i}]`));
    });
  }
  const deadline = spec.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (typeof oldDeadline === 'number') {
    if (typeof deadline !== 'number') errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', deadline ?? null, 'must not update from a positive integer to nil value'));
    else if (deadline > oldDeadline) errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value'));
  }
  if (typeof deadline === 'number' && deadline < 1) errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', deadline, 'must be greater than or equal to 1'));
  errs.push(...validateTolerations(spec.tolerations, 'spec.tolerations'));
  errs.push(...validateTolerationsUpdate(objects(spec.tolerations), objects(oldSpec.tolerations), 'spec.tolerations'));

  // Undo every allowed change; whatever still differs was not allowed.
  const munged: Json = structuredClone(spec);
  for (const field of ['containers', 'initContainers']) {
    const oldList = objects(oldSpec[field]);
    const list = objects(munged[field]);
    if (list.length === oldList.length) list.forEach((ctr, i) => { ctr.image = oldList[i].image; });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  const grace = oldSpec.terminationGracePeriodSeconds;
  if (typeof grace === 'number' && grace < 0 && spec.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = grace;
  // Scheduling gates may only be removed.
  const oldGates = objects(oldSpec.schedulingGates).map((g) => str(g.name));
  if (objects(spec.schedulingGates).every((g) => oldGates.includes(str(g.name)))) munged.schedulingGates = oldSpec.schedulingGates;
  if (!jsonEqual(munged, oldSpec)) {
    const diff = describeSpecDiff(oldSpec, munged);
    errs.push(fieldErrors.forbidden('spec', diff ? `${POD_UPDATE_FORBIDDEN_MESSAGE}\n${diff}` : POD_UPDATE_FORBIDDEN_MESSAGE));
  }
  return errs;
}

const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

export const podStrategy: Strategy = {
  defaults(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    defaultPodSpec(obj.spec as Json);
    defaultPodOnlyFields(obj.spec as Json);
  },
  prepareForCreate(obj) {
    const spec = specOf(obj);
    const status: Json = { phase: 'Pending', qosClass: computeQosClass(spec) };
    const gated = schedulingGatedCondition(spec);
    if (gated) status.conditions = [gated];
    obj.status = status;
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs = validatePodSpec(spec, 'spec');
    for (const field of ['containers', 'initContainers']) {
      objects(spec[field]).forEach((ctr, i) => errs.push(...validateContainerForPod(ctr, `spec.${field}[${i}]`)));
    }
    if (objects(spec.ephemeralContainers).length > 0) errs.push(fieldErrors.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
    return errs;
  },
  validateUpdate: validatePodUpdate,
  partialSubresources: ['ephemeralcontainers'],
  prepareSubresourceUpdate: (subresource, desired, current) => (subresource === 'ephemeralcontainers' ? withEphemeralContainers(desired, current) : undefined),
  validateSubresourceUpdate: (subresource, obj, old) => (subresource === 'ephemeralcontainers' ? validateEphemeralContainersUpdate(obj, old) : []),
  validateStatusUpdate(obj, old) {
    const errs: FieldError[] = [];
    const status = isObject(obj.status) ? obj.status : {};
    const phase = str(status.phase);
    if (phase && !POD_PHASES.includes(phase)) errs.push(fieldErrors.notSupported('status.phase', phase, POD_PHASES));
    const oldNode = str(specOf(old).nodeName);
    if (oldNode && str(specOf(obj).nodeName) !== oldNode) errs.push(fieldErrors.forbidden('status.nodeName', 'may not be changed directly'));
    const oldStatus = isObject(old.status) ? old.status : {};
    if (oldStatus.qosClass !== undefined && status.qosClass !== oldStatus.qosClass) {
      errs.push(fieldErrors.invalid('status.qosClass', status.qosClass ?? '', 'field is immutable'));
    }
    return errs;
  },
  // Pods gained metadata.generation only after 1.32.
  tracksGeneration: false,
  fieldAttributes(obj) {
    const spec = specOf(obj);
    const status = isObject(obj.status) ? obj.status : {};
    return {
      'spec.nodeName': str(spec.nodeName),
      'spec.restartPolicy': str(spec.restartPolicy),
      'spec.schedulerName': str(spec.schedulerName),
      'spec.serviceAccountName': str(spec.serviceAccountName),
      'spec.hostNetwork': String(spec.hostNetwork === true),
      'status.phase': str(status.phase),
      'status.podIP': str(status.podIP),
      'status.nominatedNodeName': str(status.nominatedNodeName),
    };
  },
};
