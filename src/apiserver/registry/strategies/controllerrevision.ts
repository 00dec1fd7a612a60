// apps/v1 ControllerRevision: an immutable snapshot of a StatefulSet or DaemonSet template.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { deepEqual, immutable, nonNegative } from './group-helpers.js';

export function validateControllerRevision(cr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(fieldErrors.required('data', 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, 'revision'));
  return errs;
}

export const controllerRevisionStrategy: Strategy = {
  statusFields: [],
  tracksGeneration: false,
  validate: validateControllerRevision,
  validateUpdate: (cr, old) => [
    ...validateControllerRevision(cr),
    ...(deepEqual(cr.data, old.data) ? [] : [immutable('data', 'runtime.RawExtension{...}')]),
  ],
};
