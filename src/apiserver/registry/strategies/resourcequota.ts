// ResourceQuotas: hard limits with valid names and non-negative quantities; usage lives in status.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabelName } from '../../../machinery/validation/labels.js';
import { isValidQuantity, QUANTITY_REGEX_MESSAGE } from '../../../machinery/validation/quantity.js';
import type { Strategy } from '../strategy.js';
import { isObject, str } from './pod-container-validation.js';

type Json = Record<string, unknown>;
const SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

export function validateResourceList(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, value] of Object.entries(isObject(list) ? list : {})) {
    const p = `${path}[${name}]`;
    errs.push(...validateLabelName(name, p));
    const text = str(value);
    if (!isValidQuantity(text)) errs.push(fieldErrors.invalid(p, text, QUANTITY_REGEX_MESSAGE));
    else if (text.startsWith('-')) errs.push(fieldErrors.invalid(p, text, 'must be greater than or equal to 0'));
  }
  return errs;
}

function validateResourceQuota(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs = validateResourceList(spec.hard, 'spec.hard');
  (Array.isArray(spec.scopes) ? spec.scopes.map(str) : []).forEach((scope) => {
    if (!SCOPES.includes(scope)) errs.push(fieldErrors.notSupported('spec.scopes', scope, SCOPES));
  });
  return errs;
}

export const resourcequotaStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate: validateResourceQuota,
  validateUpdate: validateResourceQuota,
  validateStatusUpdate(obj) {
    const status: Json = isObject(obj.status) ? obj.status : {};
    return [...validateResourceList(status.hard, 'status.hard'), ...validateResourceList(status.used, 'status.used')];
  },
  tracksGeneration: false,
};
