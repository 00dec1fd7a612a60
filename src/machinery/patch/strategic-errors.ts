// Failures inside strategic merge patch, with apimachinery's wording, and how each becomes an
// API error: format errors are 400, lists of lists 422, the rest 400 (Kubernetes lets those through
// as a bare 500; a client error is the more honest answer and kubectl prints it the same way).

import type { ApiError } from '../../api/errors.js';
import { malformedPatch, patchNotApplicable } from './errors.js';
import { isJsonObject } from './json-value.js';

type SmpErrorKind = 'badRequest' | 'unprocessable';

export class SmpError extends Error {
  constructor(
    readonly kind: SmpErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SmpError';
  }

  toApiError(): ApiError {
    return this.kind === 'unprocessable' ? patchNotApplicable(this.message) : malformedPatch(this.message);
  }

  static generic(message: string): SmpError {
    return new SmpError('badRequest', message);
  }

  static badPrimitiveListFormat(): SmpError {
    return new SmpError('badRequest', 'invalid patch format of primitive list');
  }

  static badRetainKeysFormat(): SmpError {
    return new SmpError('badRequest', 'invalid patch format of retainKeys');
  }

  static badSetElementOrderFormat(): SmpError {
    return new SmpError('badRequest', 'invalid patch format of setElementOrder list');
  }

  static noListOfLists(): SmpError {
    return new SmpError('unprocessable', 'lists of lists are not supported');
  }

  static noMergeKey(item: unknown, mergeKey: string): SmpError {
    return new SmpError('badRequest', `map: ${SmpError.goFormat(item)} does not contain declared merge key: ${mergeKey}`);
  }

  static badArgType(expected: string, actual: unknown): SmpError {
    return new SmpError('badRequest', `expected a ${expected}, but received a ${SmpError.goTypeName(actual)}`);
  }

  static badPatchType(directive: unknown, patch: unknown): SmpError {
    return new SmpError('badRequest', `unknown patch type: ${SmpError.goFormat(directive)} in map: ${SmpError.goFormat(patch)}`);
  }

  /** Go's name for the dynamic type of a decoded JSON value. */
  static goTypeName(value: unknown): string {
    if (value === null || value === undefined) return '%!s(<nil>)';
    if (Array.isArray(value)) return '[]interface {}';
    if (isJsonObject(value)) return 'map[string]interface {}';
    if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
    return typeof value;
  }

  /** Go's %v rendering of decoded JSON (maps with sorted keys, lists space-separated). */
  static goFormat(value: unknown): string {
    if (value === null || value === undefined) return '<nil>';
    if (Array.isArray(value)) return `[${value.map((item) => SmpError.goFormat(item)).join(' ')}]`;
    if (isJsonObject(value)) {
      const keys = Object.keys(value).sort();
      return `map[${keys.map((key) => `${key}:${SmpError.goFormat(value[key])}`).join(' ')}]`;
    }
    return String(value);
  }
}
