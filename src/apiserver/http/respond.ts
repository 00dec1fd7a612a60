// Writing responses: JSON bodies, Status errors and warning headers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, internal, isApiError, requestEntityTooLarge } from '../../api/errors.js';
import type { Logger } from '../../client/log.js';
import { MAX_BODY_BYTES } from './negotiation.js';

export function writeJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings: string[] = []): void {
  // Encoded once here: given a string, Node would measure it for the length and encode it again to write it.
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Content-Length': String(bytes.length),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(bytes);
}

/** Any error to a Status response; unexpected ones are logged with their stack. */
export function writeError(res: ServerResponse, err: unknown, log: Logger, context: Record<string, unknown>): void {
  let apiError: ApiError;
  if (isApiError(err)) {
    apiError = err;
    if (apiError.code >= 500) log.error('request failed', { ...context, reason: apiError.reason, message: apiError.message });
    else log.debug('request refused', { ...context, code: apiError.code, reason: apiError.reason, message: apiError.message });
  } else {
    apiError = internal(err);
    log.error('internal error', { ...context, error: err instanceof Error ? err.stack : String(err) });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeJson(res, apiError.code, apiError.toStatus());
}

/** Reads a request body, refusing more than 3 MiB as Kubernetes does. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(requestEntityTooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(requestEntityTooLarge(limit));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
