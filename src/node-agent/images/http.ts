// Minimal HTTP(S) client over node:http/https: streamed bodies, per-endpoint TLS options
// (insecure_skip_verify, CA, client certificate) that global fetch cannot take without undici.
import { request as httpRequest, type IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { RegistryTlsConfig } from './registries.js';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: string;
}

export interface HttpRequestOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  tls?: RegistryTlsConfig;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** One request, no redirects. The caller must consume or destroy `body`. */
export function sendRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const isHttps = target.protocol === 'https:';
  const tls = options.tls;
  const tlsOptions = isHttps
    ? {
        rejectUnauthorized: !tls?.insecure_skip_verify,
        ...(tls?.ca_file ? { ca: readFileSync(tls.ca_file) } : {}),
        ...(tls?.cert_file ? { cert: readFileSync(tls.cert_file) } : {}),
        ...(tls?.key_file ? { key: readFileSync(tls.key_file) } : {}),
      }
    : {};
  const send = isHttps ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: options.method ?? 'GET', headers: { 'User-Agent': 'kijabi', ...options.headers }, signal: options.signal, ...tlsOptions },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url }),
    );
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`timeout talking to ${target.host}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      res.body.destroy();
      throw new Error(`response from ${res.url} exceeds ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
