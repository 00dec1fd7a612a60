// Small validation helpers shared by the apps/batch/policy/... strategies: loose JSON access,
// Kubernetes' numeric field rules, and Go-style value rendering for messages kubectl prints
// verbatim (`v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, ...}: field is immutable`).

import { isDeepStrictEqual } from 'node:util';
import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { LabelSelector } from '../../../api/meta.js';
import { fromLabelSelector, matches } from '../../../machinery/labels/selector.js';
import { isEmptySelector, validateLabelSelector } from '../../../machinery/validation/labels.js';
import { isValidPercent } from '../../../machinery/validation/names.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `parent[key]`, created empty when missing (for defaulting). */
export function child(parent: Json, key: string): Json {
  const existing = parent[key];
  if (isObject(existing)) return existing;
  const created: Json = {};
  parent[key] = created;
  return created;
}

export function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function setDefault(target: Json, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

/** Go's %q-style map literal: `map[string]string{"a":"b"}` (keys sorted) or `map[string]string(nil)`. */
export function goStringMap(map: unknown): string {
  if (!isObject(map)) return 'map[string]string(nil)';
  const entries = Object.keys(map).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(map[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function goStringSlice(values: unknown): string {
  if (!Array.isArray(values)) return '[]string(nil)';
  return `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}`;
}

/** `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}` as Go's %#v prints it. */
export function goLabelSelector(selector: unknown): string {
  if (!isObject(selector)) return 'null';
  const expressions = Array.isArray(selector.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${selector.matchExpressions
        .map(obj)
        .map((r) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(String(r.key ?? ''))}, Operator:${JSON.stringify(String(r.operator ?? ''))}, Values:${goStringSlice(r.values)}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(selector.matchLabels)}, MatchExpressions:${expressions}}`;
}

/** `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`. */
export function goIntOrString(value: unknown): string {
  if (typeof value === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(value)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${typeof value === 'number' ? Math.trunc(value) : 0}, StrVal:""}`;
}

/** An Invalid error whose value text is already rendered (Go syntax rather than JSON). */
export function invalidRendered(field: string, valueText: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, detail: `Invalid value: ${valueText}: ${detail}` };
}

export function immutable(field: string, valueText: string): FieldError {
  return invalidRendered(field, valueText, 'field is immutable');
}

/** Immutability of a plain value (string, number, bool) with the value rendered like field.Invalid. */
export function immutableValue(field: string, next: unknown, old: unknown): FieldError[] {
  if (deepEqual(next, old)) return [];
  return [fieldErrors.invalid(field, next ?? null, 'field is immutable')];
}

export function nonNegative(value: unknown, field: string): FieldError[] {
  if (typeof value !== 'number' || value >= 0) return [];
  return [fieldErrors.invalid(field, value, 'must be greater than or equal to 0')];
}

export function positive(value: unknown, field: string): FieldError[] {
  if (typeof value !== 'number' || value > 0) return [];
  return [fieldErrors.invalid(field, value, 'must be greater than 0')];
}

/** ValidatePositiveIntOrPercent: a non-negative integer or a `N%` string. */
export function intOrPercent(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number') return nonNegative(value, field);
  if (typeof value === 'string') return isValidPercent(value).map((msg) => invalidRendered(field, goIntOrString(value), msg));
  return [invalidRendered(field, goIntOrString(value), 'must be an integer or percentage (e.g \'5%\')')];
}

export function notMoreThan100Percent(value: unknown, field: string): FieldError[] {
  if (typeof value !== 'string' || !/^[0-9]+%$/.test(value)) return [];
  return Number.parseInt(value, 10) > 100 ? [invalidRendered(field, goIntOrString(value), 'must not be greater than 100%')] : [];
}

/** The numeric part of an int-or-percent (0 for `0%`), for "both zero" checks. */
export function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number.parseInt(value, 10) || 0;
  return 0;
}

/**
 * The selector rules every pod-controlling workload shares: required, valid, not empty, and
 * matching the template's labels.
 */
export function validateWorkloadSelector(spec: Json, kindWord: string): FieldError[] {
  const errs: FieldError[] = [];
  const selector = spec.selector;
  if (selector === undefined || selector === null) {
    errs.push(fieldErrors.required('spec.selector'));
    return errs;
  }
  errs.push(...validateLabelSelector(selector, 'spec.selector'));
  if (isEmptySelector(selector)) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(selector), `empty selector is invalid for ${kindWord}`));
  }
  if (errs.length > 0) return errs;
  const labels = obj(obj(obj(spec.template).metadata).labels) as Record<string, string>;
  if (!selectorMatches(selector, labels)) {
    errs.push(invalidRendered('spec.template.metadata.labels', goStringMap(obj(obj(spec.template).metadata).labels), '`selector` does not match template `labels`'));
  }
  return errs;
}

export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  try {
    return matches(fromLabelSelector(selector as LabelSelector), labels);
  } catch {
    return false;
  }
}
