// PersistentVolumes: access modes, capacity, exactly one volume source, and an immutable source.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { rfc3339 } from '../../../api/meta.js';
import { isValidPathSegmentName } from '../../../machinery/validation/names.js';
import { jsonEqual, validateImmutableField } from '../../../machinery/validation/object-meta.js';
import { isValidQuantity, QUANTITY_REGEX_MESSAGE } from '../../../machinery/validation/quantity.js';
import type { Strategy } from '../strategy.js';
import { isObject, str } from './pod-container-validation.js';

type Json = Record<string, unknown>;
const specOf = (obj: KubeObject): Json => (isObject(obj.spec) ? obj.spec : {});

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
export const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc',
  'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'local', 'storageos', 'csi',
];

export function validateAccessModes(modes: unknown, path: string): FieldError[] {
  const list = Array.isArray(modes) ? modes.map(str) : [];
  if (list.length === 0) return [fieldErrors.required(path)];
  const errs: FieldError[] = [];
  for (const mode of list) if (!ACCESS_MODES.includes(mode)) errs.push(fieldErrors.notSupported(path, mode, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.length > 1) errs.push(fieldErrors.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

export function validateVolumeMode(mode: unknown, path: string): FieldError[] {
  const value = str(mode);
  return value && !VOLUME_MODES.includes(value) ? [fieldErrors.notSupported(path, value, VOLUME_MODES)] : [];
}

function pvSources(spec: Json): string[] {
  return PV_SOURCES.filter((k) => isObject(spec[k]));
}

export function validatePersistentVolume(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const capacity = isObject(spec.capacity) ? spec.capacity : {};
  if (Object.keys(capacity).length === 0) errs.push(fieldErrors.required('spec.capacity'));
  for (const [name, value] of Object.entries(capacity)) {
    if (name !== 'storage') errs.push(fieldErrors.notSupported('spec.capacity', name, ['storage']));
    else if (!isValidQuantity(str(value))) errs.push(fieldErrors.invalid('spec.capacity[storage]', value, QUANTITY_REGEX_MESSAGE));
  }
  const sources = pvSources(spec);
  if (sources.length === 0) errs.push(fieldErrors.required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) errs.push(fieldErrors.forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (isObject(spec.hostPath) && !str(spec.hostPath.path)) errs.push(fieldErrors.required('spec.hostPath.path'));
  if (isObject(spec.local) && !str(spec.local.path)) errs.push(fieldErrors.required('spec.local.path'));
  if (isObject(spec.local) && !isObject(spec.nodeAffinity)) errs.push(fieldErrors.required('spec.nodeAffinity', 'Local volume requires node affinity'));
  const reclaim = str(spec.persistentVolumeReclaimPolicy);
  if (reclaim && !RECLAIM_POLICIES.includes(reclaim)) errs.push(fieldErrors.notSupported('spec.persistentVolumeReclaimPolicy', reclaim, RECLAIM_POLICIES));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  return errs;
}

export function validatePersistentVolumeUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const errs = validatePersistentVolume(obj);
  const pick = (s: Json): Json => Object.fromEntries(PV_SOURCES.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  if (!jsonEqual(pick(spec), pick(oldSpec))) errs.push(fieldErrors.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  errs.push(...validateImmutableField(spec.volumeMode, oldSpec.volumeMode, 'spec.volumeMode'));
  if (oldSpec.nodeAffinity !== undefined) errs.push(...validateImmutableField(spec.nodeAffinity, oldSpec.nodeAffinity, 'spec.nodeAffinity'));
  return errs;
}

export const persistentvolumeStrategy: Strategy = {
  nameValidator: (name) => isValidPathSegmentName(name),
  defaults(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    const spec = obj.spec as Json;
    if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
    if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339() };
  },
  validate(obj) {
    const nameErrs = obj.metadata.name ? isValidPathSegmentName(obj.metadata.name).map((m) => fieldErrors.invalid('metadata.name', obj.metadata.name, m)) : [];
    return [...nameErrs, ...validatePersistentVolume(obj)];
  },
  validateUpdate: validatePersistentVolumeUpdate,
  tracksGeneration: false,
};
