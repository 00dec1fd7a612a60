// Pure helpers of the REST client: URL paths, query strings and Status decoding.
import { ApiError, type Status, type StatusReason } from '../api/errors.js';
import type { ResourceDescriptor } from '../api/resources.js';

export type Query = Record<string, string | number | boolean | undefined>;

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(desc: { group: string; version: string }): string {
  return desc.group ? `/apis/${desc.group}/${desc.version}` : `/api/${desc.version}`;
}

/** The path of a collection, an object or an object's subresource. */
export function resourcePath(desc: ResourceDescriptor, namespace?: string, name?: string, subresource?: string): string {
  let path = groupVersionPath(desc);
  if (desc.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${desc.resource}`;
  if (name !== undefined) {
    if (name === '') throw new Error(`resourcePath: empty name for ${desc.resource}`);
    path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
  }
  return path;
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.append(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

const REASON_BY_CODE: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function isStatus(value: unknown): value is Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

/** Turns a Status object (from a response body or a watch ERROR event) into an ApiError. */
export function errorFromStatus(status: unknown, httpCode?: number): ApiError {
  if (isStatus(status)) {
    const code = typeof status.code === 'number' && status.code > 0 ? status.code : httpCode ?? 500;
    const reason = (status.reason || REASON_BY_CODE[code] || 'InternalError') as StatusReason;
    return new ApiError(reason, code, status.message ?? `request failed with status ${code}`, status.details);
  }
  const code = httpCode ?? 500;
  return new ApiError(REASON_BY_CODE[code] ?? 'InternalError', code, `request failed with status ${code}`);
}

/** Decodes an error response body: a Status when the server sent one, else a reason from the HTTP code. */
export function errorFromResponse(httpCode: number, bodyText: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return errorFromStatus(parsed, httpCode);
  const err = errorFromStatus(undefined, httpCode);
  const text = bodyText.trim();
  return text ? new ApiError(err.reason, err.code, `${err.message}: ${text.slice(0, 500)}`) : err;
}
