// authorization.k8s.io/v1 SelfSubjectAccessReview: create-only, never stored, no name needed.
// The handler that answers it (filling status.allowed) lives with the authorizer.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { isObject, obj } from './group-helpers.js';

export function validateSelfSubjectAccessReview(review: KubeObject): FieldError[] {
  const spec = obj(review.spec);
  const hasResource = isObject(spec.resourceAttributes);
  const hasNonResource = isObject(spec.nonResourceAttributes);
  if (hasResource && hasNonResource) {
    return [fieldErrors.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!hasResource && !hasNonResource) {
    return [fieldErrors.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

export const selfSubjectAccessReviewStrategy: Strategy = {
  nameOptional: true,
  tracksGeneration: false,
  keepStatusOnCreate: false,
  validate: validateSelfSubjectAccessReview,
};
