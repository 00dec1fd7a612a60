// Kubernetes Status errors. Every failure that reaches a client is one of these, built only through
// the factory functions below so that codes, reasons and wording match what kubectl expects.

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Expired'
  | 'Gone'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** One entry of Status.details.causes. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details?: StatusDetails;

  constructor(reason: StatusReason, code: number, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.reason = reason;
    this.code = code;
    this.details = details;
  }

  toStatus(): Status {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Checks by reason, not by class identity, so errors from other module copies still match. */
export function isApiError(err: unknown, reason?: StatusReason): err is ApiError {
  if (typeof err !== 'object' || err === null) return false;
  const candidate = err as { name?: unknown; reason?: unknown; code?: unknown };
  if (candidate.name !== 'ApiError' || typeof candidate.code !== 'number') return false;
  return reason === undefined || candidate.reason === reason;
}

/** Identifies the object an error is about: the resource (plural) name and its group. */
export interface ResourceRef {
  group: string;
  resource: string;
}

/** `deployments.apps` or `pods`: how Kubernetes names a group-qualified resource in messages. */
export function qualifiedResource(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

function refDetails(ref: ResourceRef, name: string): StatusDetails {
  const details: StatusDetails = { name, kind: ref.resource };
  if (ref.group) details.group = ref.group;
  return details;
}

export function notFound(ref: ResourceRef, name: string): ApiError {
  return new ApiError('NotFound', 404, `${qualifiedResource(ref)} "${name}" not found`, refDetails(ref, name));
}

/** For URLs that name no known resource. */
export function pathNotFound(): ApiError {
  return new ApiError('NotFound', 404, 'the server could not find the requested resource', {});
}

export function alreadyExists(ref: ResourceRef, name: string): ApiError {
  return new ApiError('AlreadyExists', 409, `${qualifiedResource(ref)} "${name}" already exists`, refDetails(ref, name));
}

export const OBJECT_MODIFIED_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(ref: ResourceRef, name: string, why: string = OBJECT_MODIFIED_MESSAGE, causes?: StatusCause[]): ApiError {
  const details = refDetails(ref, name);
  if (causes) details.causes = causes;
  return new ApiError('Conflict', 409, `Operation cannot be fulfilled on ${qualifiedResource(ref)} "${name}": ${why}`, details);
}

/** A validation failure on one field, as in k8s.io/apimachinery/pkg/util/validation/field. */
export interface FieldError {
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueDuplicate'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany'
    | 'FieldValueNotFound'
    | 'InternalError';
  field: string;
  /** The full message shown after "field: ", e.g. `Required value` or `Invalid value: "x": must be ...`. */
  detail: string;
}

export const fieldErrors = {
  required(field: string, detail = ''): FieldError {
    return { type: 'FieldValueRequired', field, detail: detail ? `Required value: ${detail}` : 'Required value' };
  },
  invalid(field: string, value: unknown, detail: string): FieldError {
    return { type: 'FieldValueInvalid', field, detail: `Invalid value: ${formatValue(value)}: ${detail}` };
  },
  notSupported(field: string, value: unknown, valid: string[]): FieldError {
    const list = valid.map((v) => JSON.stringify(v)).join(', ');
    return { type: 'FieldValueNotSupported', field, detail: `Unsupported value: ${formatValue(value)}: supported values: ${list}` };
  },
  forbidden(field: string, detail: string): FieldError {
    return { type: 'FieldValueForbidden', field, detail: `Forbidden: ${detail}` };
  },
  duplicate(field: string, value: unknown): FieldError {
    return { type: 'FieldValueDuplicate', field, detail: `Duplicate value: ${formatValue(value)}` };
  },
  tooLong(field: string, value: unknown, max: number): FieldError {
    return { type: 'FieldValueTooLong', field, detail: `Too long: may not be more than ${max} bytes` };
  },
  tooMany(field: string, actual: number, max: number): FieldError {
    return { type: 'FieldValueTooMany', field, detail: `Too many: ${actual}: must have at most ${max} items` };
  },
  notFound(field: string, value: unknown): FieldError {
    return { type: 'FieldValueNotFound', field, detail: `Not found: ${formatValue(value)}` };
  },
};

/** Formats a value the way Go's field errors do: strings quoted, numbers and booleans bare. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

/**
 * 422 Invalid. `kind` is the Kind (not the resource), `group` its API group, as kubectl prints
 * `The Deployment "x" is invalid: ` followed by one line per cause.
 */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const causes = errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  const lines = errors.map((e) => (e.field ? `${e.field}: ${e.detail}` : e.detail));
  const summary = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  const details: StatusDetails = { name, kind, causes };
  if (group) details.group = group;
  return new ApiError('Invalid', 422, `${qualifiedKind} "${name}" is invalid: ${summary}`, details);
}

export function badRequest(message: string, causes?: StatusCause[]): ApiError {
  return new ApiError('BadRequest', 400, message, causes ? { causes } : undefined);
}

export function unauthorized(message = 'Unauthorized'): ApiError {
  return new ApiError('Unauthorized', 401, message);
}

export function forbidden(message: string, details?: StatusDetails): ApiError {
  return new ApiError('Forbidden', 403, message, details);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return new ApiError('MethodNotAllowed', 405, message, {});
}

export function notAcceptable(message: string): ApiError {
  return new ApiError('NotAcceptable', 406, message);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError('UnsupportedMediaType', 415, `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`);
}

export function requestEntityTooLarge(limitBytes: number): ApiError {
  return new ApiError('RequestEntityTooLarge', 413, `Request entity too large: limit is ${limitBytes}`);
}

export function expired(message: string): ApiError {
  return new ApiError('Expired', 410, message);
}

export function gone(message: string): ApiError {
  return new ApiError('Gone', 410, message);
}

export function tooManyRequests(message: string, retryAfterSeconds?: number, causes?: StatusCause[]): ApiError {
  const details: StatusDetails = {};
  if (retryAfterSeconds !== undefined) details.retryAfterSeconds = retryAfterSeconds;
  if (causes) details.causes = causes;
  return new ApiError('TooManyRequests', 429, message, details);
}

export function serviceUnavailable(message: string): ApiError {
  return new ApiError('ServiceUnavailable', 503, message);
}

export function timeout(message: string): ApiError {
  return new ApiError('Timeout', 504, message);
}

/** A bug or an unexpected failure: the caller logs the cause with its stack; the client sees a short message. */
export function internal(cause: unknown): ApiError {
  const text = cause instanceof Error ? cause.message : String(cause);
  return new ApiError('InternalError', 500, `Internal error occurred: ${text}`, { causes: [{ reason: 'UnexpectedServerResponse', message: text }] });
}

export function successStatus(details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  if (details) status.details = details;
  return status;
}
