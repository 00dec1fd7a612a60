// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge key by key, `null`
// deletes a key, anything else replaces. As in the library Kubernetes uses, nulls are also pruned
// from objects nested inside newly added values (including objects inside arrays).

import { malformedPatch } from './errors.js';
import { cloneJson, isJsonObject, type JsonObject } from './json-value.js';

/** A copy of `value` without null-valued object keys at any depth; array items stay (even nulls). */
export function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === null ? null : pruneNulls(item)));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = pruneNulls(item);
    return out;
  }
  return value;
}

/** Merges `patch` into a copy of `target` (both objects). */
export function mergeObjects(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, patchValue] of Object.entries(patch)) {
    if (patchValue === null) {
      delete out[key];
    } else if (isJsonObject(patchValue) && isJsonObject(out[key])) {
      out[key] = mergeObjects(out[key] as JsonObject, patchValue);
    } else {
      out[key] = pruneNulls(patchValue);
    }
  }
  return out;
}

/**
 * Applies a merge patch and returns a new value; inputs are not modified. An object patch merges;
 * an array patch replaces the document; any other patch (including null) is a 400
 * `Invalid JSON Patch`, as Kubernetes answers.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  const merged = applyMergePatchSharing(target, patch);
  // Only an object merged into an object shares parts with the target.
  return isJsonObject(patch) && isJsonObject(target) ? cloneJson(merged) : merged;
}

/**
 * applyMergePatch for a target the caller owns and throws away: the result may share the parts
 * the patch does not touch with `target` (no copy of the whole document on every patch).
 */
export function applyMergePatchSharing(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return pruneNulls(patch);
  if (!isJsonObject(patch)) throw malformedPatch('Invalid JSON Patch');
  if (!isJsonObject(target)) return pruneNulls(patch);
  return mergeObjects(target, patch);
}
