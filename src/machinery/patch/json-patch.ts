// RFC 6902 JSON Patch (application/json-patch+json) with RFC 6901 pointers. As in the Kubernetes
// API server: a document that is not a list of operation objects is a 400; any failure while
// applying (bad path, failed `test`, unknown op) is a 422 with a generic message.

import { isApiError } from '../../api/errors.js';
import { MAX_JSON_PATCH_OPERATIONS, malformedPatch, patchNotApplicable, tooManyPatchOperations } from './errors.js';
import { cloneJson, isJsonObject, jsonEqual, type JsonObject } from './json-value.js';

export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** Checks the document's shape (what decoding does in Kubernetes); throws 400/413. */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw malformedPatch(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type jsonpatch.Patch`);
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) throw tooManyPatchOperations(patch.length);
  return patch.map((operation) => {
    if (!isJsonObject(operation)) {
      throw malformedPatch(`json: cannot unmarshal ${goJsonKind(operation)} into Go value of type jsonpatch.Operation`);
    }
    return operation as unknown as JsonPatchOperation;
  });
}

function goJsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

/** Splits a JSON pointer into unescaped reference tokens ("" is the whole document). */
export function parseJsonPointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) throw new Error(`invalid escape in JSON pointer token ${JSON.stringify(token)}`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

type Container = JsonObject | unknown[];

/** Index of `token` in an array of `length` items; `allowEnd` accepts length (and "-") for add. */
function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (token === '-') {
    if (allowEnd) return length;
    throw new Error('"-" is only valid for add');
  }
  // Kubernetes' JSON patch library accepts negative indices counted from the end.
  if (!/^-?\d+$/.test(token)) throw new Error(`invalid array index ${JSON.stringify(token)}`);
  let index = Number(token);
  if (index < 0) index += length;
  const max = allowEnd ? length : length - 1;
  if (index < 0 || index > max) throw new Error(`array index ${token} out of bounds`);
  return index;
}

/** Walks to the parent container of the last token. The document is already a private copy. */
function resolveParent(doc: unknown, tokens: string[]): { parent: Container; key: string } {
  let current: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, false)];
    else if (isJsonObject(current) && Object.prototype.hasOwnProperty.call(current, token)) current = current[token];
    else throw new Error(`doc is missing path: ${JSON.stringify(token)}`);
  }
  if (!Array.isArray(current) && !isJsonObject(current)) throw new Error('path does not point into an object or array');
  return { parent: current, key: tokens[tokens.length - 1]! };
}

function getValue(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return doc;
  const { parent, key } = resolveParent(doc, tokens);
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length, false)];
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new Error(`doc is missing key: ${JSON.stringify(key)}`);
  return parent[key];
}

interface PatchState {
  doc: unknown;
}

function addValue(state: PatchState, tokens: string[], value: unknown): void {
  if (tokens.length === 0) {
    state.doc = value;
    return;
  }
  const { parent, key } = resolveParent(state.doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true), 0, value);
  else parent[key] = value;
}

function removeValue(state: PatchState, tokens: string[]): unknown {
  if (tokens.length === 0) throw new Error('cannot remove the whole document');
  const { parent, key } = resolveParent(state.doc, tokens);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(key, parent.length, false), 1)[0];
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new Error(`remove operation does not apply: doc is missing key: ${JSON.stringify(key)}`);
  const old = parent[key];
  delete parent[key];
  return old;
}

function replaceValue(state: PatchState, tokens: string[], value: unknown): void {
  if (tokens.length === 0) {
    state.doc = value;
    return;
  }
  const { parent, key } = resolveParent(state.doc, tokens);
  if (Array.isArray(parent)) parent[arrayIndex(key, parent.length, false)] = value;
  else if (Object.prototype.hasOwnProperty.call(parent, key)) parent[key] = value;
  else throw new Error(`replace operation does not apply: doc is missing key: ${JSON.stringify(key)}`);
}

function isPrefixOf(prefix: string[], tokens: string[]): boolean {
  return prefix.length < tokens.length && prefix.every((token, i) => token === tokens[i]);
}

function applyOperation(state: PatchState, operation: JsonPatchOperation): void {
  const path = parseJsonPointer(operation.path);
  // A missing `value` means null, as the Kubernetes JSON patch library treats it.
  const value = cloneJson(operation.value ?? null);
  switch (operation.op) {
    case 'add':
      addValue(state, path, value);
      return;
    case 'remove':
      removeValue(state, path);
      return;
    case 'replace':
      replaceValue(state, path, value);
      return;
    case 'move': {
      const from = parseJsonPointer(operation.from);
      if (isPrefixOf(from, path)) throw new Error('cannot move a value into one of its own children');
      const moved = removeValue(state, from);
      addValue(state, path, moved);
      return;
    }
    case 'copy': {
      const from = parseJsonPointer(operation.from);
      addValue(state, path, cloneJson(getValue(state.doc, from)));
      return;
    }
    case 'test': {
      let actual: unknown;
      try {
        actual = getValue(state.doc, path);
      } catch {
        actual = undefined;
      }
      if (actual === undefined || !jsonEqual(actual, operation.value ?? null)) {
        throw new Error(`testing value ${operation.path} failed`);
      }
      return;
    }
    default:
      throw new Error(`Unexpected kind: ${String(operation.op)}`);
  }
}

/**
 * Applies `patch` to a copy of `document` and returns the result; the inputs are never modified.
 * Throws ApiError: 400 for a malformed document, 413 for too many operations, 422 when an
 * operation cannot be applied.
 */
export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  const operations = decodeJsonPatch(patch);
  const state: PatchState = { doc: cloneJson(document) };
  for (const operation of operations) {
    try {
      applyOperation(state, operation);
    } catch (err) {
      if (isApiError(err)) throw err;
      throw patchNotApplicable((err as Error).message);
    }
  }
  return state.doc;
}
