// policy/v1 PodDisruptionBudget.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { validateLabelSelector } from '../../../machinery/validation/labels.js';
import { goIntOrString, intOrPercent, invalidRendered, notMoreThan100Percent, obj } from './group-helpers.js';

const UNHEALTHY_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

export function validatePodDisruptionBudget(pdb: KubeObject): FieldError[] {
  const spec = obj(pdb.spec);
  const errs: FieldError[] = [];
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    const rendered = `policy.PodDisruptionBudgetSpec{MinAvailable:&${goIntOrString(spec.minAvailable)}, MaxUnavailable:&${goIntOrString(spec.maxUnavailable)}, ...}`;
    errs.push(invalidRendered('spec', rendered, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const field of ['minAvailable', 'maxUnavailable']) {
    errs.push(...intOrPercent(spec[field], `spec.${field}`));
    errs.push(...notMoreThan100Percent(spec[field], `spec.${field}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (isSet(policy) && !UNHEALTHY_POLICIES.includes(String(policy))) {
    errs.push(fieldErrors.notSupported('spec.unhealthyPodEvictionPolicy', policy, UNHEALTHY_POLICIES));
  }
  return errs;
}

export const podDisruptionBudgetStrategy: Strategy = {
  validate: validatePodDisruptionBudget,
};
