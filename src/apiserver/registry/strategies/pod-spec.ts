// Pod specs and pod templates: defaulting and validation shared by Pods and every workload kind
// that embeds a template (Deployments, ReplicaSets, Jobs, ...).

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import { validateAnnotations, validateLabels } from '../../../machinery/validation/labels.js';
import { isDNS1123Subdomain, inclusiveRangeError } from '../../../machinery/validation/names.js';
import { isObject, objects, str, validateContainer, validateDNS1123LabelField } from './pod-container-validation.js';
import { defaultPodSpec } from './pod-spec-defaults.js';
import { validateTolerations, validateVolumes } from './pod-volume-validation.js';

export { defaultPodSpec, defaultPodOnlyFields, defaultContainer, defaultPullPolicy } from './pod-spec-defaults.js';
export { validateTolerations, validateTaintEffect } from './pod-volume-validation.js';
export { validateResourceRequirements, validateContainerForPod } from './pod-container-validation.js';

type Json = Record<string, unknown>;

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
export const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

function validateRestartPolicy(policy: unknown, path: string): FieldError[] {
  const value = str(policy);
  if (value === '') return [fieldErrors.required(path)];
  return RESTART_POLICIES.includes(value) ? [] : [fieldErrors.notSupported(path, value, RESTART_POLICIES)];
}

function validateDnsPolicy(spec: Json, path: string): FieldError[] {
  const value = str(spec.dnsPolicy);
  if (value === '') return [fieldErrors.required(`${path}.dnsPolicy`)];
  if (!DNS_POLICIES.includes(value)) return [fieldErrors.notSupported(`${path}.dnsPolicy`, value, DNS_POLICIES)];
  if (value === 'None' && !isObject(spec.dnsConfig)) {
    return [fieldErrors.required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None')];
  }
  return [];
}

function validateSubdomainField(value: unknown, path: string): FieldError[] {
  const text = str(value);
  if (!text) return [];
  return isDNS1123Subdomain(text).map((m) => fieldErrors.invalid(path, text, m));
}

/** A sysctl name: dot- or slash-separated segments of lower-case alphanumerics, '-' and '_' inside. */
const SYSCTL_NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
const SYSCTL_NAME_MAX = 253;

function validateSysctls(securityContext: unknown, path: string): FieldError[] {
  if (!isObject(securityContext)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  objects(securityContext.sysctls).forEach((sysctl, i) => {
    const p = `${path}.securityContext.sysctls[${i}]`;
    const name = str(sysctl.name);
    if (!name) errs.push(fieldErrors.required(`${p}.name`));
    else if (name.length > SYSCTL_NAME_MAX || !SYSCTL_NAME.test(name)) {
      errs.push(fieldErrors.invalid(`${p}.name`, name, `must have at most ${SYSCTL_NAME_MAX} characters and match regex ${SYSCTL_NAME.source}`));
    } else if (seen.has(name.replace(/\//g, '.'))) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    seen.add(name.replace(/\//g, '.'));
  });
  return errs;
}

function validateContainerLists(spec: Json, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const lists: Array<['containers' | 'initContainers' | 'ephemeralContainers', 'container' | 'init' | 'ephemeral']> = [
    ['containers', 'container'],
    ['initContainers', 'init'],
    ['ephemeralContainers', 'ephemeral'],
  ];
  for (const [field, kind] of lists) {
    objects(spec[field]).forEach((ctr, i) => {
      const p = `${path}.${field}[${i}]`;
      errs.push(...validateContainer(ctr, p, { volumes, kind }));
      const name = str(ctr.name);
      if (name && names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
      else if (name) names.add(name);
    });
  }
  return errs;
}

/** The rules Kubernetes' ValidatePodSpec applies; `path` is where the spec sits, e.g. `spec` or `spec.template.spec`. */
/** `extraVolumeNames`: volumes that exist without being in spec.volumes (a StatefulSet's claim templates). */
export function validatePodSpec(spec: Json, path: string, extraVolumeNames: readonly string[] = []): FieldError[] {
  const errs: FieldError[] = [];
  const { errors: volumeErrors, names: volumeNames } = validateVolumes(spec.volumes, `${path}.volumes`);
  for (const name of extraVolumeNames) volumeNames.add(name);
  errs.push(...volumeErrors);
  if (objects(spec.containers).length === 0) errs.push(fieldErrors.required(`${path}.containers`));
  errs.push(...validateContainerLists(spec, volumeNames, path));
  errs.push(...validateRestartPolicy(spec.restartPolicy, `${path}.restartPolicy`));
  errs.push(...validateDnsPolicy(spec, path));
  errs.push(...validateLabels(spec.nodeSelector as Record<string, string> | undefined, `${path}.nodeSelector`));
  errs.push(...validateSubdomainField(spec.serviceAccountName, `${path}.serviceAccountName`));
  errs.push(...validateSubdomainField(spec.nodeName, `${path}.nodeName`));
  errs.push(...validateSubdomainField(spec.priorityClassName, `${path}.priorityClassName`));
  if (str(spec.hostname)) errs.push(...validateDNS1123LabelField(str(spec.hostname), `${path}.hostname`));
  if (str(spec.subdomain)) errs.push(...validateDNS1123LabelField(str(spec.subdomain), `${path}.subdomain`));
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && (typeof deadline !== 'number' || deadline < 1 || deadline > MAX_INT32)) {
    errs.push(fieldErrors.invalid(`${path}.activeDeadlineSeconds`, deadline, inclusiveRangeError(1, MAX_INT32)));
  }
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  errs.push(...validateSysctls(spec.securityContext, path));
  objects(spec.imagePullSecrets).forEach((ref, i) => {
    if (!str(ref.name)) errs.push(fieldErrors.required(`${path}.imagePullSecrets[${i}].name`));
  });
  if (spec.hostNetwork === true) {
    for (const field of ['containers', 'initContainers']) {
      objects(spec[field]).forEach((ctr, i) => {
        objects(ctr.ports).forEach((port, j) => {
          if (port.hostPort !== undefined && port.hostPort !== port.containerPort) {
            errs.push(fieldErrors.invalid(`${path}.${field}[${i}].ports[${j}].containerPort`, port.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
          }
        });
      });
    }
  }
  objects(spec.schedulingGates).forEach((gate, i) => {
    const name = str(gate.name);
    if (!name) errs.push(fieldErrors.required(`${path}.schedulingGates[${i}].name`));
  });
  return errs;
}

export interface PodTemplateOptions {
  /** Restart policies the owning workload accepts (ReplicaSets and Deployments: only Always). */
  restartPolicies?: string[];
  /** Volume names provided outside the template (a StatefulSet's volumeClaimTemplates). */
  extraVolumeNames?: string[];
}

/** A PodTemplateSpec: its labels and annotations, then its spec. `path` is e.g. `spec.template`. */
export function validatePodTemplate(template: unknown, path: string, options: PodTemplateOptions = {}): FieldError[] {
  if (!isObject(template)) return [fieldErrors.required(path)];
  const meta = isObject(template.metadata) ? template.metadata : {};
  const errs: FieldError[] = [
    ...validateLabels(meta.labels as Record<string, string> | undefined, `${path}.metadata.labels`),
    ...validateAnnotations(meta.annotations as Record<string, string> | undefined, `${path}.metadata.annotations`),
  ];
  const spec = isObject(template.spec) ? template.spec : {};
  errs.push(...validatePodSpec(spec, `${path}.spec`, options.extraVolumeNames));
  const policy = str(spec.restartPolicy);
  if (options.restartPolicies && policy && !options.restartPolicies.includes(policy)) {
    errs.push(fieldErrors.notSupported(`${path}.spec.restartPolicy`, policy, options.restartPolicies));
  }
  return errs;
}

/** Template defaults: the spec's defaults only (pod-only defaults such as enableServiceLinks do not apply). */
export function defaultPodTemplate(template: unknown): void {
  if (!isObject(template)) return;
  if (!isObject(template.spec)) template.spec = {};
  defaultPodSpec(template.spec as Json);
}
