// Nodes: taints, pod CIDRs and provider IDs that may only be set once; allocatable defaults to capacity.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabelName } from '../../../machinery/validation/labels.js';
import { isIPv4, isIPv6, isValidLabelValue } from '../../../machinery/validation/names.js';
import { jsonEqual } from '../../../machinery/validation/object-meta.js';
import type { Strategy } from '../strategy.js';
import { isObject, objects, str } from './pod-container-validation.js';
import { validateTaintEffect } from './pod-volume-validation.js';

type Json = Record<string, unknown>;
const specOf = (obj: KubeObject): Json => (isObject(obj.spec) ? obj.spec : {});

export function isValidCIDR(value: string): boolean {
  const [ip, bits, extra] = value.split('/');
  if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : -1;
  return max > 0 && Number(bits) <= max;
}

export function validateNode(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  objects(spec.taints).forEach((taint, i) => {
    const p = `spec.taints[${i}]`;
    const key = str(taint.key);
    errs.push(...validateLabelName(key, `${p}.key`));
    const value = str(taint.value);
    errs.push(...isValidLabelValue(value).map((m) => fieldErrors.invalid(`${p}.value`, value, m)));
    const effect = str(taint.effect);
    errs.push(...validateTaintEffect(effect, false, `${p}.effect`));
    const id = `${key}:${effect}`;
    if (seen.has(id)) errs.push(fieldErrors.duplicate(p, `taints must be unique by key and effect pair`));
    seen.add(id);
  });
  const cidrs = Array.isArray(spec.podCIDRs) ? spec.podCIDRs.map(str) : [];
  cidrs.forEach((cidr, i) => {
    if (!isValidCIDR(cidr)) errs.push(fieldErrors.invalid(`spec.podCIDRs[${i}]`, cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (str(spec.podCIDR) && cidrs.length > 0 && cidrs[0] !== spec.podCIDR) {
    errs.push(fieldErrors.invalid('spec.podCIDRs', cidrs, 'must match first entry of `spec.podCIDR`'));
  }
  return errs;
}

export function validateNodeUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const errs = validateNode(obj);
  const oldCIDRs = Array.isArray(oldSpec.podCIDRs) ? oldSpec.podCIDRs : [];
  if (oldCIDRs.length > 0 && !jsonEqual(spec.podCIDRs, oldCIDRs)) {
    errs.push(fieldErrors.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (str(oldSpec.providerID) && spec.providerID !== oldSpec.providerID) {
    errs.push(fieldErrors.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

export const nodeStrategy: Strategy = {
  defaults(obj) {
    if (!isObject(obj.spec)) obj.spec = {};
    const status = isObject(obj.status) ? obj.status : undefined;
    if (status && isObject(status.capacity) && !isObject(status.allocatable)) status.allocatable = { ...status.capacity };
    const spec = obj.spec as Json;
    if (str(spec.podCIDR) && !Array.isArray(spec.podCIDRs)) spec.podCIDRs = [spec.podCIDR];
  },
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  tracksGeneration: false,
  fieldAttributes(obj) {
    return { 'spec.unschedulable': String(specOf(obj).unschedulable === true) };
  },
};
