// ServiceAccounts: references to secrets must name something.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { objects, str } from './pod-container-validation.js';

function validateServiceAccount(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['secrets', 'imagePullSecrets']) {
    objects(obj[field]).forEach((ref, i) => {
      if (!str(ref.name)) errs.push(fieldErrors.required(`${field}[${i}].name`));
    });
  }
  return errs;
}

export const serviceaccountStrategy: Strategy = {
  validate: validateServiceAccount,
  validateUpdate: validateServiceAccount,
  statusFields: [],
  tracksGeneration: false,
};
