// LimitRanges: per-type limit items; container items default their default and defaultRequest.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { canonicalQuantity, compareQuantities, isValidQuantity, QUANTITY_REGEX_MESSAGE } from '../../../machinery/validation/quantity.js';
import type { Strategy } from '../strategy.js';
import { isObject, objects, str } from './pod-container-validation.js';

type Json = Record<string, unknown>;
const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];
const specOf = (obj: KubeObject): Json => (isObject(obj.spec) ? obj.spec : {});
const mapOf = (v: unknown): Json => (isObject(v) ? v : {});

export function defaultLimitRangeItem(item: Json): void {
  if (item.type !== 'Container') return;
  const max = mapOf(item.max);
  const min = mapOf(item.min);
  const defaults = mapOf(item.default);
  const defaultRequest = mapOf(item.defaultRequest);
  for (const [k, v] of Object.entries(max)) if (defaults[k] === undefined) defaults[k] = v;
  for (const [k, v] of Object.entries(defaults)) if (defaultRequest[k] === undefined) defaultRequest[k] = v;
  for (const [k, v] of Object.entries(min)) if (defaultRequest[k] === undefined) defaultRequest[k] = v;
  if (Object.keys(defaults).length > 0) item.default = defaults;
  if (Object.keys(defaultRequest).length > 0) item.defaultRequest = defaultRequest;
}

const ordered = (a: unknown, b: unknown): boolean => compareQuantities(str(a), str(b)) <= 0;
const q = (v: unknown): string => canonicalQuantity(str(v)) ?? str(v);

export function validateLimitRange(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objects(specOf(obj).limits).forEach((item, i) => {
    const p = `spec.limits[${i}]`;
    const type = str(item.type);
    if (!LIMIT_TYPES.includes(type)) errs.push(fieldErrors.notSupported(`${p}.type`, type, LIMIT_TYPES));
    let quantitiesValid = true;
    for (const field of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
      for (const [name, value] of Object.entries(mapOf(item[field]))) {
        if (!isValidQuantity(str(value))) {
          errs.push(fieldErrors.invalid(`${p}.${field}[${name}]`, value, QUANTITY_REGEX_MESSAGE));
          quantitiesValid = false;
        }
      }
    }
    if (type === 'Pod' && Object.keys(mapOf(item.default)).length > 0) errs.push(fieldErrors.forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
    if (type === 'Pod' && Object.keys(mapOf(item.defaultRequest)).length > 0) errs.push(fieldErrors.forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    if (!quantitiesValid) return;
    const max = mapOf(item.max);
    const min = mapOf(item.min);
    const def = mapOf(item.default);
    const defReq = mapOf(item.defaultRequest);
    for (const [k, v] of Object.entries(min)) {
      if (max[k] !== undefined && !ordered(v, max[k])) errs.push(fieldErrors.invalid(`${p}.min[${k}]`, q(v), `min value ${q(v)} is greater than max value ${q(max[k])}`));
      if (defReq[k] !== undefined && !ordered(v, defReq[k])) errs.push(fieldErrors.invalid(`${p}.defaultRequest[${k}]`, q(defReq[k]), `min value ${q(v)} is greater than default request value ${q(defReq[k])}`));
      if (def[k] !== undefined && !ordered(v, def[k])) errs.push(fieldErrors.invalid(`${p}.default[${k}]`, q(def[k]), `min value ${q(v)} is greater than default value ${q(def[k])}`));
    }
    for (const [k, v] of Object.entries(max)) {
      if (defReq[k] !== undefined && !ordered(defReq[k], v)) errs.push(fieldErrors.invalid(`${p}.defaultRequest[${k}]`, q(defReq[k]), `default request value ${q(defReq[k])} is greater than max value ${q(v)}`));
      if (def[k] !== undefined && !ordered(def[k], v)) errs.push(fieldErrors.invalid(`${p}.default[${k}]`, q(def[k]), `default value ${q(def[k])} is greater than max value ${q(v)}`));
    }
    for (const [k, v] of Object.entries(defReq)) {
      if (def[k] !== undefined && !ordered(v, def[k])) errs.push(fieldErrors.invalid(`${p}.defaultRequest[${k}]`, q(v), `default request value ${q(v)} is greater than default limit value ${q(def[k])}`));
    }
  });
  return errs;
}

export const limitrangeStrategy: Strategy = {
  defaults(obj) {
    for (const item of objects(specOf(obj).limits)) defaultLimitRangeItem(item);
  },
  validate: validateLimitRange,
  validateUpdate: validateLimitRange,
  tracksGeneration: false,
};
