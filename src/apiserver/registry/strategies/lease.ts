// coordination.k8s.io/v1 Lease: leader election and node heartbeats. No status, no generation.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { nonNegative, obj, positive } from './group-helpers.js';

export function validateLease(lease: KubeObject): FieldError[] {
  const spec = obj(lease.spec);
  const errs: FieldError[] = [...positive(spec.leaseDurationSeconds, 'spec.leaseDurationSeconds'), ...nonNegative(spec.leaseTransitions, 'spec.leaseTransitions')];
  if (spec.preferredHolder !== undefined && spec.preferredHolder !== null && (spec.strategy === undefined || spec.strategy === null)) {
    errs.push(fieldErrors.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export const leaseStrategy: Strategy = {
  statusFields: [],
  tracksGeneration: false,
  allowCreateOnUpdate: true,
  validate: validateLease,
};
