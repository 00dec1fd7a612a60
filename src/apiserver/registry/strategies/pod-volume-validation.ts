// Validation of pod volumes and tolerations.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import { validateLabelName } from '../../../machinery/validation/labels.js';
import { isDNS1123Subdomain, isValidLabelValue } from '../../../machinery/validation/names.js';
import { isValidQuantity, QUANTITY_REGEX_MESSAGE } from '../../../machinery/validation/quantity.js';
import { isObject, objects, str, validateDNS1123LabelField, validateLocalDescendingPath } from './pod-container-validation.js';

type Json = Record<string, unknown>;

/** Every volume source a pod volume may name; exactly one must be set. */
export const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
];

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function validateKeyToPaths(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(items).forEach((item, i) => {
    const p = `${path}[${i}]`;
    const key = str(item.key);
    if (!key) errs.push(fieldErrors.required(`${p}.key`));
    const target = str(item.path);
    if (!target) errs.push(fieldErrors.required(`${p}.path`));
    else errs.push(...validateLocalDescendingPath(target, `${p}.path`));
    if (typeof item.mode === 'number' && (item.mode < 0 || item.mode > 0o777)) {
      errs.push(fieldErrors.invalid(`${p}.mode`, item.mode, 'must be a number between 0 and 0777 (octal), both inclusive'));
    }
  });
  return errs;
}

function validateMode(mode: unknown, path: string): FieldError[] {
  if (typeof mode !== 'number' || (mode >= 0 && mode <= 0o777)) return [];
  return [fieldErrors.invalid(path, mode, 'must be a number between 0 and 0777 (octal), both inclusive')];
}

function validateSource(kind: string, source: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'hostPath': {
      if (!str(source.path)) errs.push(fieldErrors.required(`${path}.path`));
      const type = str(source.type);
      if (!HOST_PATH_TYPES.includes(type)) errs.push(fieldErrors.notSupported(`${path}.type`, type, HOST_PATH_TYPES));
      break;
    }
    case 'emptyDir': {
      const medium = str(source.medium);
      if (medium && medium !== 'Memory' && !medium.startsWith('HugePages')) errs.push(fieldErrors.notSupported(`${path}.medium`, medium, ['', 'Memory', 'HugePages']));
      if (source.sizeLimit !== undefined && !isValidQuantity(str(source.sizeLimit))) errs.push(fieldErrors.invalid(`${path}.sizeLimit`, source.sizeLimit, QUANTITY_REGEX_MESSAGE));
      break;
    }
    case 'secret': {
      const name = str(source.secretName);
      if (!name) errs.push(fieldErrors.required(`${path}.secretName`));
      else errs.push(...isDNS1123Subdomain(name).map((m) => fieldErrors.invalid(`${path}.secretName`, name, m)));
      errs.push(...validateMode(source.defaultMode, `${path}.defaultMode`), ...validateKeyToPaths(source.items, `${path}.items`));
      break;
    }
    case 'configMap': {
      const name = str(source.name);
      if (!name) errs.push(fieldErrors.required(`${path}.name`));
      else errs.push(...isDNS1123Subdomain(name).map((m) => fieldErrors.invalid(`${path}.name`, name, m)));
      errs.push(...validateMode(source.defaultMode, `${path}.defaultMode`), ...validateKeyToPaths(source.items, `${path}.items`));
      break;
    }
    case 'persistentVolumeClaim':
      if (!str(source.claimName)) errs.push(fieldErrors.required(`${path}.claimName`));
      break;
    case 'nfs':
      if (!str(source.server)) errs.push(fieldErrors.required(`${path}.server`));
      if (!str(source.path)) errs.push(fieldErrors.required(`${path}.path`));
      else if (!str(source.path).startsWith('/')) errs.push(fieldErrors.invalid(`${path}.path`, source.path, 'must be an absolute path'));
      break;
    case 'downwardAPI':
      errs.push(...validateMode(source.defaultMode, `${path}.defaultMode`));
      objects(source.items).forEach((item, i) => {
        const target = str(item.path);
        if (!target) errs.push(fieldErrors.required(`${path}.items[${i}].path`));
        else errs.push(...validateLocalDescendingPath(target, `${path}.items[${i}].path`));
      });
      break;
    case 'projected':
      errs.push(...validateMode(source.defaultMode, `${path}.defaultMode`));
      objects(source.sources).forEach((s, i) => {
        const p = `${path}.sources[${i}]`;
        const kinds = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => isObject(s[k]));
        if (kinds.length === 0) errs.push(fieldErrors.required(p, 'must specify exactly one projection source'));
        if (isObject(s.serviceAccountToken)) {
          const tokenPath = str(s.serviceAccountToken.path);
          if (!tokenPath) errs.push(fieldErrors.required(`${p}.serviceAccountToken.path`));
          const exp = s.serviceAccountToken.expirationSeconds;
          if (typeof exp === 'number' && exp < 600) errs.push(fieldErrors.invalid(`${p}.serviceAccountToken.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
        }
        for (const k of ['secret', 'configMap'] as const) {
          if (isObject(s[k])) errs.push(...validateKeyToPaths((s[k] as Json).items, `${p}.${k}.items`));
        }
      });
      break;
    case 'csi':
      if (!str(source.driver)) errs.push(fieldErrors.required(`${path}.driver`));
      break;
    case 'image':
      if (!str(source.reference)) errs.push(fieldErrors.required(`${path}.reference`));
      break;
    default:
      break;
  }
  return errs;
}

/** Exactly one source per volume: `must specify a volume type` / `may not specify more than 1 volume type`. */
export function validateVolumeSource(volume: Json, path: string): FieldError[] {
  const present = VOLUME_SOURCES.filter((k) => isObject(volume[k]));
  if (present.length === 0) return [fieldErrors.required(path, 'must specify a volume type')];
  const errs: FieldError[] = present.slice(1).map((k) => fieldErrors.forbidden(`${path}.${k}`, 'may not specify more than 1 volume type'));
  errs.push(...validateSource(present[0], volume[present[0]] as Json, `${path}.${present[0]}`));
  return errs;
}

/** Volume names must be DNS labels and unique. Returns the set of declared names for mount checks. */
export function validateVolumes(volumes: unknown, path: string): { errors: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objects(volumes).forEach((volume, i) => {
    const p = `${path}[${i}]`;
    const name = str(volume.name);
    if (!name) errs.push(fieldErrors.required(`${p}.name`));
    else {
      const nameErrs = validateDNS1123LabelField(name, `${p}.name`);
      errs.push(...nameErrs);
      if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
      else if (nameErrs.length === 0) names.add(name);
    }
    errs.push(...validateVolumeSource(volume, p));
  });
  return { errors: errs, names };
}

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

export function validateTaintEffect(effect: string, allowEmpty: boolean, path: string): FieldError[] {
  if (effect === '') return allowEmpty ? [] : [fieldErrors.required(path)];
  return TAINT_EFFECTS.includes(effect) ? [] : [fieldErrors.notSupported(path, effect, TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objects(tolerations).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key = str(t.key);
    const operator = str(t.operator);
    const value = str(t.value);
    const effect = str(t.effect);
    if (key) errs.push(...validateLabelName(key, `${p}.key`));
    if (!key && operator !== 'Exists') {
      errs.push(fieldErrors.invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(fieldErrors.invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (operator) {
      case '':
      case 'Equal':
        errs.push(...isValidLabelValue(value).map((m) => fieldErrors.invalid(`${p}.value`, value, m)));
        break;
      case 'Exists':
        if (value) errs.push(fieldErrors.invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldErrors.notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    errs.push(...validateTaintEffect(effect, true, `${p}.effect`));
  });
  return errs;
}

