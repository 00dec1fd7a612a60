// storage.k8s.io/v1 StorageClass: provisioner and parameters are fixed once created.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { isQualifiedName } from '../../../machinery/validation/names.js';
import { deepEqual, obj, setDefault } from './group-helpers.js';

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

export function defaultStorageClass(sc: KubeObject): void {
  const fields = sc as Record<string, unknown>;
  setDefault(fields, 'reclaimPolicy', 'Delete');
  setDefault(fields, 'volumeBindingMode', 'Immediate');
}

export function validateStorageClass(sc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = sc.provisioner;
  if (typeof provisioner !== 'string' || provisioner === '') {
    errs.push(fieldErrors.required('provisioner'));
  } else {
    for (const msg of isQualifiedName(provisioner.toLowerCase())) errs.push(fieldErrors.invalid('provisioner', provisioner, msg));
  }
  const parameters = obj(sc.parameters);
  const keys = Object.keys(parameters);
  if (keys.length > MAX_PARAMETERS) errs.push(fieldErrors.tooMany('parameters', keys.length, MAX_PARAMETERS));
  let size = 0;
  for (const key of keys) {
    if (key === '') errs.push(fieldErrors.invalid('parameters', parameters, 'key may not be empty'));
    size += key.length + String(parameters[key]).length;
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(fieldErrors.tooLong('parameters', '', MAX_PARAMETERS_SIZE));
  if (!['Delete', 'Retain', 'Recycle'].includes(String(sc.reclaimPolicy))) {
    errs.push(fieldErrors.notSupported('reclaimPolicy', sc.reclaimPolicy ?? '', ['Delete', 'Retain']));
  }
  if (!['Immediate', 'WaitForFirstConsumer'].includes(String(sc.volumeBindingMode))) {
    errs.push(fieldErrors.notSupported('volumeBindingMode', sc.volumeBindingMode ?? '', ['Immediate', 'WaitForFirstConsumer']));
  }
  return errs;
}

export function validateStorageClassUpdate(sc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateStorageClass(sc);
  for (const field of ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode']) {
    if (!deepEqual(sc[field], old[field])) errs.push(fieldErrors.forbidden(field, `updates to ${field} are forbidden.`));
  }
  return errs;
}

export const storageClassStrategy: Strategy = {
  statusFields: [],
  tracksGeneration: false,
  defaults: defaultStorageClass,
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
};
