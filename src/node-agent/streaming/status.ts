// Status documents the streaming server writes: the exec exit status sent on the error channel
// (shape fixed by kubectl's remotecommand client) and plain HTTP errors before an upgrade.

import type { Duplex } from 'node:stream';
import type { ServerResponse } from 'node:http';

export interface ExitStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason: string; message: string }[] };
}

/** The status kubectl turns into its own exit code (`command terminated with exit code N`). */
export function exitStatus(exitCode: number): ExitStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export function failureStatus(message: string): ExitStatus {
  return { metadata: {}, status: 'Failure', message };
}

const REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 404: 'NotFound', 500: 'InternalError' };
const PHRASES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' };

export function errorStatusBody(code: number, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code] ?? 'InternalError', code });
}

/** Maps a backend error (`code` NotFound/BadRequest, else internal) to an HTTP status code. */
export function httpCodeOf(err: unknown): number {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'NotFound' ? 404 : code === 'BadRequest' ? 400 : 500;
}

/** Answers a not-yet-upgraded connection with a Status JSON and closes it. */
export function refuseUpgrade(socket: Duplex, code: number, message: string): void {
  const body = errorStatusBody(code, message);
  socket.end(`HTTP/1.1 ${code} ${PHRASES[code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function writeStatus(res: ServerResponse, code: number, message: string): void {
  const body = errorStatusBody(code, message);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}
