// rbac.authorization.k8s.io/v1: Roles, ClusterRoles and their bindings.
// Note: Kubernetes validates RBAC names as path segments (so `system:controller:x` is valid),
// which the registry's generic DNS-subdomain name check must allow for these kinds.

import { isValidPathSegmentName } from '../../../machinery/validation/names.js';
import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { validateLabelSelector } from '../../../machinery/validation/labels.js';
import { arr, deepEqual, invalidRendered, isObject, obj, setDefault } from './group-helpers.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

export function validatePolicyRule(rule: Record<string, unknown>, path: string, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!nonEmpty(rule.verbs)) errs.push(fieldErrors.required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (nonEmpty(rule.nonResourceURLs)) {
    if (namespaced) errs.push(fieldErrors.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (nonEmpty(rule.apiGroups) || nonEmpty(rule.resources) || nonEmpty(rule.resourceNames)) {
      errs.push(fieldErrors.invalid(`${path}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!nonEmpty(rule.apiGroups)) errs.push(fieldErrors.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!nonEmpty(rule.resources)) errs.push(fieldErrors.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(o: KubeObject, namespaced: boolean): FieldError[] {
  return arr(o.rules).flatMap((rule, i) => validatePolicyRule(obj(rule), `rules[${i}]`, namespaced));
}

function validateAggregationRule(o: KubeObject): FieldError[] {
  if (!isObject(o.aggregationRule)) return [];
  const selectors = arr(o.aggregationRule.clusterRoleSelectors);
  const errs: FieldError[] = [];
  if (selectors.length === 0) errs.push(fieldErrors.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  selectors.forEach((selector, i) => errs.push(...validateLabelSelector(selector, `aggregationRule.clusterRoleSelectors[${i}]`)));
  return errs;
}

export function defaultBinding(binding: KubeObject): void {
  const roleRef = obj(binding.roleRef);
  if (isObject(binding.roleRef)) setDefault(roleRef, 'apiGroup', RBAC_GROUP);
  for (const raw of arr(binding.subjects)) {
    if (!isObject(raw)) continue;
    if (raw.apiGroup !== undefined && raw.apiGroup !== '') continue;
    if (raw.kind === 'User' || raw.kind === 'Group') raw.apiGroup = RBAC_GROUP;
    else if (raw.kind === 'ServiceAccount') delete raw.apiGroup; // "" is the default; Go omits it
  }
}

function validateSubject(subject: Record<string, unknown>, path: string, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!subject.name) errs.push(fieldErrors.required(`${path}.name`));
  switch (subject.kind) {
    case 'ServiceAccount':
      if (subject.apiGroup) errs.push(fieldErrors.notSupported(`${path}.apiGroup`, subject.apiGroup, ['']));
      if (!namespaced && !subject.namespace) errs.push(fieldErrors.required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (subject.apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported(`${path}.apiGroup`, subject.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErrors.notSupported(`${path}.kind`, subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(binding: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const roleRef = obj(binding.roleRef);
  if (roleRef.apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported('roleRef.apiGroup', roleRef.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(String(roleRef.kind))) errs.push(fieldErrors.notSupported('roleRef.kind', roleRef.kind ?? '', kinds));
  if (!roleRef.name) errs.push(fieldErrors.required('roleRef.name'));
  arr(binding.subjects).forEach((subject, i) => errs.push(...validateSubject(obj(subject), `subjects[${i}]`, namespaced)));
  return errs;
}

function roleRefUnchanged(binding: KubeObject, old: KubeObject): FieldError[] {
  if (deepEqual(binding.roleRef, old.roleRef)) return [];
  const r = obj(binding.roleRef);
  const rendered = `rbac.RoleRef{APIGroup:${JSON.stringify(String(r.apiGroup ?? ''))}, Kind:${JSON.stringify(String(r.kind ?? ''))}, Name:${JSON.stringify(String(r.name ?? ''))}}`;
  return [invalidRendered('roleRef', rendered, 'cannot change roleRef')];
}

const NO_SPEC = { statusFields: [] as readonly string[], tracksGeneration: false };

export const roleStrategy: Strategy = {
  nameValidator: (name) => isValidPathSegmentName(name),
  ...NO_SPEC,
  validate: (role) => validateRules(role, true),
};

export const clusterRoleStrategy: Strategy = {
  nameValidator: (name) => isValidPathSegmentName(name),
  ...NO_SPEC,
  validate: (role) => [...validateRules(role, false), ...validateAggregationRule(role)],
};

export const roleBindingStrategy: Strategy = {
  nameValidator: (name) => isValidPathSegmentName(name),
  ...NO_SPEC,
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, true),
  validateUpdate: (b, old) => [...validateBinding(b, true), ...roleRefUnchanged(b, old)],
};

export const clusterRoleBindingStrategy: Strategy = {
  nameValidator: (name) => isValidPathSegmentName(name),
  ...NO_SPEC,
  defaults: defaultBinding,
  validate: (b) => validateBinding(b, false),
  validateUpdate: (b, old) => [...validateBinding(b, false), ...roleRefUnchanged(b, old)],
};
