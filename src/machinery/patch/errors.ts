// Patch failures in the shapes the Kubernetes API server answers with. They are built here (rather
// than in api/errors.ts) because only patching produces them.

import { ApiError, badRequest } from '../../api/errors.js';

/**
 * A patch that decodes but cannot be applied (failing `test`, missing path, list of lists...).
 * Kubernetes answers 422 Invalid with a generic message and drops the detail; we keep the detail
 * as the error's `cause` for logs only.
 */
export function patchNotApplicable(detail: string): ApiError {
  const err = new ApiError('Invalid', 422, 'the server rejected our request due to an error in our request', {});
  err.cause = new Error(detail);
  return err;
}

/** A patch document of the wrong shape (400 BadRequest with the decoder's message). */
export function malformedPatch(message: string): ApiError {
  return badRequest(message);
}

export const MAX_JSON_PATCH_OPERATIONS = 10000;

export function tooManyPatchOperations(count: number): ApiError {
  return new ApiError(
    'RequestEntityTooLarge',
    413,
    `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${count}`,
  );
}
