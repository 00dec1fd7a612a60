// PersistentVolumeClaims: access modes, a positive storage request, and a spec that is immutable
// after creation except for the bound volume name and storage growth.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabelSelector } from '../../../machinery/validation/labels.js';
import { jsonEqual } from '../../../machinery/validation/object-meta.js';
import { compareQuantities, isValidQuantity, QUANTITY_REGEX_MESSAGE } from '../../../machinery/validation/quantity.js';
import type { Strategy } from '../strategy.js';
import { validateAccessModes, validateVolumeMode } from './persistentvolume.js';
import { isObject, str } from './pod-container-validation.js';

type Json = Record<string, unknown>;
const specOf = (obj: KubeObject): Json => (isObject(obj.spec) ? obj.spec : {});

export const PVC_SPEC_IMMUTABLE_MESSAGE = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

function storageRequest(spec: Json): string | undefined {
  const resources = isObject(spec.resources) ? spec.resources : {};
  const requests = isObject(resources.requests) ? resources.requests : {};
  return requests.storage === undefined ? undefined : str(requests.storage);
}

export function validatePersistentVolumeClaim(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes');
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const storage = storageRequest(spec);
  if (storage === undefined) errs.push(fieldErrors.required('spec.resources[storage]'));
  else if (!isValidQuantity(storage)) errs.push(fieldErrors.invalid('spec.resources[storage]', storage, QUANTITY_REGEX_MESSAGE));
  else if (compareQuantities(storage, '0') <= 0) errs.push(fieldErrors.invalid('spec.resources[storage]', storage, 'must be greater than zero'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  return errs;
}

export function validatePersistentVolumeClaimUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validatePersistentVolumeClaim(obj);
  const spec = structuredClone(specOf(obj));
  const oldSpec = structuredClone(specOf(old));
  // The binder sets volumeName once; bound claims may change their storage request.
  if (!str(oldSpec.volumeName)) oldSpec.volumeName = spec.volumeName;
  const bound = isObject(obj.status) && obj.status.phase === 'Bound';
  const newStorage = storageRequest(spec);
  const oldStorage = storageRequest(oldSpec);
  if (bound && isObject(spec.resources) && isObject(spec.resources.requests)) {
    if (oldStorage === undefined) delete spec.resources.requests.storage;
    else spec.resources.requests.storage = oldStorage;
  }
  if (!jsonEqual(spec, oldSpec)) errs.push(fieldErrors.forbidden('spec', PVC_SPEC_IMMUTABLE_MESSAGE));
  if (newStorage && oldStorage && isValidQuantity(newStorage) && isValidQuantity(oldStorage) && compareQuantities(newStorage, oldStorage) < 0) {
    errs.push(fieldErrors.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

export const persistentvolumeclaimStrategy: Strategy = {
  defaults(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    const spec = obj.spec as Json;
    if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  validate: validatePersistentVolumeClaim,
  validateUpdate: validatePersistentVolumeClaimUpdate,
  tracksGeneration: false,
};
