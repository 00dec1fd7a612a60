// ConfigMaps: key syntax, the 1 MiB size cap and the `immutable` flag.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isConfigMapKey } from '../../../machinery/validation/names.js';
import { jsonEqual } from '../../../machinery/validation/object-meta.js';
import type { Strategy } from '../strategy.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const MAX_CONFIG_SIZE = 1024 * 1024;

function mapOf(obj: KubeObject, field: string): Json {
  return isObject(obj[field]) ? (obj[field] as Json) : {};
}

function validateConfigMap(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const data = mapOf(obj, 'data');
  const binary = mapOf(obj, 'binaryData');
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((m) => fieldErrors.invalid(`data[${key}]`, key, m)));
    size += Buffer.byteLength(String(value ?? ''), 'utf8');
  }
  for (const [key, value] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(key).map((m) => fieldErrors.invalid(`binaryData[${key}]`, key, m)));
    if (key in data) errs.push(fieldErrors.invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += Buffer.from(String(value ?? ''), 'base64').length;
  }
  if (size > MAX_CONFIG_SIZE) errs.push(fieldErrors.tooLong('', '', MAX_CONFIG_SIZE));
  return errs;
}

/** Shared by ConfigMaps and Secrets: once `immutable: true`, data and the flag itself are frozen. */
export function validateImmutableData(obj: KubeObject, old: KubeObject, dataFields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(fieldErrors.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of dataFields) {
    if (!jsonEqual(obj[field] ?? {}, old[field] ?? {})) errs.push(fieldErrors.forbidden(field, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export const configmapStrategy: Strategy = {
  validate: validateConfigMap,
  validateUpdate(obj, old) {
    return [...validateImmutableData(obj, old, ['data', 'binaryData']), ...validateConfigMap(obj)];
  },
  statusFields: [],
  tracksGeneration: false,
};
