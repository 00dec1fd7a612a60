// Secrets: type-specific required keys, base64 data, stringData folded into data, `immutable`.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isConfigMapKey } from '../../../machinery/validation/names.js';
import { validateImmutableField } from '../../../machinery/validation/object-meta.js';
import type { Strategy } from '../strategy.js';
import { MAX_CONFIG_SIZE, validateImmutableData } from './configmap.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decoded(data: Json, key: string): Buffer | undefined {
  const value = data[key];
  return typeof value === 'string' && BASE64_RE.test(value) ? Buffer.from(value, 'base64') : undefined;
}

function requireKey(data: Json, key: string): FieldError[] {
  const value = decoded(data, key);
  return value && value.length > 0 ? [] : [fieldErrors.required(`data[${key}]`)];
}

function requireJson(data: Json, key: string): FieldError[] {
  const missing = requireKey(data, key);
  if (missing.length > 0) return missing;
  try {
    JSON.parse((decoded(data, key) as Buffer).toString('utf8'));
    return [];
  } catch (err) {
    return [fieldErrors.invalid(`data[${key}]`, '<secret contents redacted>', (err as Error).message)];
  }
}

function validateSecret(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = isObject(obj.data) ? obj.data : {};
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((m) => fieldErrors.invalid(`data[${key}]`, key, m)));
    if (typeof value !== 'string' || !BASE64_RE.test(value)) {
      errs.push(fieldErrors.invalid(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
    } else {
      size += Buffer.from(value, 'base64').length;
    }
  }
  if (size > MAX_CONFIG_SIZE) errs.push(fieldErrors.tooLong('data', '', MAX_CONFIG_SIZE));
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(fieldErrors.required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
      errs.push(...requireJson(data, '.dockercfg'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      errs.push(...requireJson(data, '.dockerconfigjson'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!decoded(data, 'username')?.length && !decoded(data, 'password')?.length) {
        errs.push(fieldErrors.required('data[username]', 'must specify at least one of username or password'));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      errs.push(...requireKey(data, 'ssh-privatekey'));
      break;
    case 'kubernetes.io/tls':
      errs.push(...requireKey(data, 'tls.crt'), ...requireKey(data, 'tls.key'));
      break;
    default:
      break;
  }
  return errs;
}

export const secretStrategy: Strategy = {
  defaults(obj) {
    if (!obj.type) obj.type = 'Opaque';
    // stringData is write-only: it is merged into data (winning on conflicts) and never stored.
    if (isObject(obj.stringData)) {
      const data: Json = isObject(obj.data) ? obj.data : {};
      for (const [key, value] of Object.entries(obj.stringData)) data[key] = Buffer.from(String(value ?? ''), 'utf8').toString('base64');
      obj.data = data;
    }
    delete obj.stringData;
  },
  validate: validateSecret,
  validateUpdate(obj, old) {
    return [
      ...validateImmutableField(obj.type, old.type, 'type'),
      ...validateImmutableData(obj, old, ['data']),
      ...validateSecret(obj),
    ];
  },
  statusFields: [],
  tracksGeneration: false,
  fieldAttributes(obj) {
    return { type: typeof obj.type === 'string' ? obj.type : '' };
  },
};
