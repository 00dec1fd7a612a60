// Labels, annotations and label selectors: the metadata maps every kind carries.

import { fieldErrors, type FieldError } from '../../api/errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** Annotations of one object may total at most 256 KiB (keys plus values). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabelName(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((msg) => fieldErrors.invalid(path, key, msg));
}

/** Errors name the map itself, not the key, as Kubernetes does: `metadata.labels: Invalid value: "x": ...`. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(key, path));
    const text = typeof value === 'string' ? value : String(value);
    for (const msg of isValidLabelValue(text)) errs.push(fieldErrors.invalid(path, text, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    // Annotation keys are qualified names in which case does not matter.
    for (const msg of isQualifiedName(key.toLowerCase())) errs.push(fieldErrors.invalid(path, key, msg));
    total += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(String(value ?? ''), 'utf8');
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErrors.tooLong(path, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

interface SelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

/** metav1.LabelSelector: matchLabels plus matchExpressions with set-based operators. */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (selector === undefined || selector === null) return [];
  const sel = selector as { matchLabels?: Record<string, string>; matchExpressions?: SelectorRequirement[] };
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((req, i) => {
    const reqPath = `${path}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErrors.required(`${reqPath}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErrors.forbidden(`${reqPath}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldErrors.notSupported(`${reqPath}.operator`, req.operator ?? '', SELECTOR_OPERATORS));
    }
    errs.push(...validateLabelName(req.key ?? '', `${reqPath}.key`));
  });
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  return errs;
}

/** True when a metav1.LabelSelector selects nothing in particular (no labels, no expressions). */
export function isEmptySelector(selector: unknown): boolean {
  if (!selector || typeof selector !== 'object') return true;
  const sel = selector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}
