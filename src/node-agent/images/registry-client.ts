// Docker Registry HTTP API v2 / OCI distribution client: manifests (with digest checks on the raw
// bytes), platform selection from indexes, digest-verified blob downloads streamed to disk, and
// bearer-token / basic authentication. Errors carry the registry's own message.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../client/log.js';
import type { ImageRef } from './image-ref.js';
import { readBody, sendRequest, type HttpResponse } from './http.js';
import { resolveEndpoints, type Endpoint, type RegistriesConfig, type RegistryAuth } from './registries.js';

export const MEDIA_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MANIFEST_ACCEPT = [MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST, MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST].join(', ');

export type ImagePullErrorReason = 'InvalidImageName' | 'ImageNotFound' | 'Unauthorized' | 'RegistryUnavailable' | 'ErrImagePull';

/** A pull failure; `message` is fit to show the user (it carries the registry's own words). */
export class ImagePullError extends Error {
  override name = 'ImagePullError';
  constructor(
    readonly reason: ImagePullErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

export interface ResolvedImage {
  /** Digest of the document the reference named (the index, for multi-platform images). */
  topDigest: string;
  manifestDigest: string;
  manifestBytes: Buffer;
  manifest: ImageManifest;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

/** Picks the linux/<arch> entry of an index; attestation manifests (platform unknown/unknown) never match. */
export function choosePlatformManifest(index: ImageIndex, architecture = hostArchitecture()): Descriptor | undefined {
  const candidates = index.manifests.filter((m) => m.platform?.os === 'linux' && m.platform.architecture === architecture);
  return candidates.find((m) => !m.platform?.variant || m.platform.variant === 'v8') ?? candidates[0];
}

export function isIndexDocument(mediaType: string | undefined, doc: Record<string, unknown>): boolean {
  if (mediaType === MEDIA_OCI_INDEX || mediaType === MEDIA_DOCKER_LIST) return true;
  if (mediaType === MEDIA_OCI_MANIFEST || mediaType === MEDIA_DOCKER_MANIFEST) return false;
  return Array.isArray(doc.manifests);
}

/** "MANIFEST_UNKNOWN"/"manifest unknown" → "manifest unknown"; "UNAUTHORIZED"/"authentication required" → "unauthorized: authentication required". */
export function formatRegistryErrors(body: Buffer | string, status: number): string {
  try {
    const parsed = JSON.parse(body.toString()) as { errors?: Array<{ code?: string; message?: string }> };
    const parts = (parsed.errors ?? []).map((e) => {
      const code = (e.code ?? '').toLowerCase().replace(/_/g, ' ');
      const message = e.message ?? '';
      if (!code) return message;
      return !message || message.toLowerCase() === code ? code : `${code}: ${message}`;
    });
    if (parts.length > 0) return parts.join('; ');
  } catch {
    // not a distribution error body
  }
  const text = body.toString().trim();
  if (text && text.length < 300 && !text.startsWith('<')) return text;
  return status === 404 ? 'not found' : status === 401 ? 'unauthorized' : status === 403 ? 'denied' : `unexpected status ${status}`;
}

export function reasonForStatus(status: number, message: string): ImagePullErrorReason {
  if (status === 401 || status === 403) return 'Unauthorized';
  if (status === 404 || /manifest unknown|name unknown|not found/.test(message)) return 'ImageNotFound';
  if (status >= 500) return 'RegistryUnavailable';
  return 'ErrImagePull';
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted values may contain commas). */
export function parseAuthenticateHeader(header: string): { scheme: string; params: Record<string, string> } {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /([a-zA-Z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of (space < 0 ? '' : trimmed.slice(space + 1)).matchAll(re)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme, params };
}

export interface RegistryClientOptions {
  registriesConfig?: RegistriesConfig;
  auths?: RegistryAuth[];
  signal?: AbortSignal;
  log?: Logger;
}

/** A client for one image reference's registry (tokens are cached per endpoint and scope). */
export class RegistryClient {
  private readonly endpoints: Endpoint[];
  private readonly authorization = new Map<string, string>();
  private chosen: Endpoint | undefined;

  constructor(
    private readonly ref: ImageRef,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.endpoints = resolveEndpoints(ref.registry, options.registriesConfig, options.auths);
  }

  /** Fetches the manifest the reference names, descending into an index for this platform. */
  async resolve(): Promise<ResolvedImage> {
    const reference = this.ref.digest ?? this.ref.tag ?? 'latest';
    const top = await this.fetchManifest(reference);
    if (this.ref.digest && top.digest !== this.ref.digest) {
      throw new ImagePullError('ErrImagePull', `manifest digest mismatch for "${this.ref.canonical}": got ${top.digest}`);
    }
    if (!top.isIndex) return { topDigest: top.digest, manifestDigest: top.digest, manifestBytes: top.bytes, manifest: top.doc as unknown as ImageManifest };
    const choice = choosePlatformManifest(top.doc as unknown as ImageIndex);
    if (!choice) {
      throw new ImagePullError('ImageNotFound', `no matching manifest for linux/${hostArchitecture()} in the manifest list entries of "${this.ref.canonical}"`);
    }
    const inner = await this.fetchManifest(choice.digest);
    if (inner.digest !== choice.digest) throw new ImagePullError('ErrImagePull', `manifest digest mismatch: expected ${choice.digest}, got ${inner.digest}`);
    if (inner.isIndex) throw new ImagePullError('ErrImagePull', `nested image index in "${this.ref.canonical}" is not supported`);
    return { topDigest: top.digest, manifestDigest: inner.digest, manifestBytes: inner.bytes, manifest: inner.doc as unknown as ImageManifest };
  }

  /** Reads a small blob (a config) into memory and verifies its digest. */
  async fetchBlobBytes(descriptor: Descriptor): Promise<Buffer> {
    const res = await this.get(this.chosenEndpoint(), `/blobs/${descriptor.digest}`, {}, true);
    if (res.status !== 200) throw await this.failure(res, `failed to fetch blob ${descriptor.digest}`);
    const bytes = await readBody(res, 64 * 1024 * 1024);
    const digest = `sha256:${sha256Hex(bytes)}`;
    if (digest !== descriptor.digest) throw new ImagePullError('ErrImagePull', `blob digest mismatch: expected ${descriptor.digest}, got ${digest}`);
    return bytes;
  }

  /** Streams a blob into `destination` (via a temp file), verifying size and digest. */
  async downloadBlob(descriptor: Descriptor, destination: string, onBytes?: (done: number) => void): Promise<void> {
    const res = await this.get(this.chosenEndpoint(), `/blobs/${descriptor.digest}`, {}, true);
    if (res.status !== 200) throw await this.failure(res, `failed to fetch blob ${descriptor.digest}`);
    const hash = createHash('sha256');
    let done = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        hash.update(chunk);
        done += chunk.length;
        onBytes?.(done);
        callback(null, chunk);
      },
    });
    const partial = `${destination}.partial`;
    try {
      await pipeline(res.body, tap, createWriteStream(partial), { signal: this.options.signal });
      const digest = `sha256:${hash.digest('hex')}`;
      if (digest !== descriptor.digest) throw new ImagePullError('ErrImagePull', `blob digest mismatch: expected ${descriptor.digest}, got ${digest}`);
      if (descriptor.size >= 0 && done !== descriptor.size) {
        throw new ImagePullError('ErrImagePull', `blob ${descriptor.digest} size mismatch: expected ${descriptor.size}, got ${done}`);
      }
      await rename(partial, destination);
    } catch (err) {
      await rm(partial, { force: true });
      if (err instanceof ImagePullError) throw err;
      throw new ImagePullError('ErrImagePull', `failed to fetch blob ${descriptor.digest}: ${(err as Error).message}`);
    }
  }

  private chosenEndpoint(): Endpoint {
    return this.chosen ?? this.endpoints[this.endpoints.length - 1]!;
  }

  private async fetchManifest(reference: string): Promise<{ digest: string; bytes: Buffer; doc: Record<string, unknown>; isIndex: boolean }> {
    const candidates = this.chosen ? [this.chosen] : this.endpoints;
    let lastError: unknown;
    for (const endpoint of candidates) {
      try {
        const res = await this.get(endpoint, `/manifests/${reference}`, { Accept: MANIFEST_ACCEPT }, false);
        if (res.status !== 200) throw await this.failure(res, `failed to resolve reference "${this.ref.canonical}"`);
        const bytes = await readBody(res);
        const digest = `sha256:${sha256Hex(bytes)}`;
        const headerDigest = res.headers['docker-content-digest'];
        if (typeof headerDigest === 'string' && headerDigest.startsWith('sha256:') && headerDigest !== digest) {
          throw new ImagePullError('ErrImagePull', `manifest digest mismatch for "${this.ref.canonical}": registry says ${headerDigest}, content is ${digest}`);
        }
        let doc: Record<string, unknown>;
        try {
          doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
        } catch {
          throw new ImagePullError('ErrImagePull', `manifest of "${this.ref.canonical}" is not valid JSON`);
        }
        if (doc.schemaVersion === 1) throw new ImagePullError('ErrImagePull', `"${this.ref.canonical}" uses the unsupported Docker schema 1 manifest format`);
        const contentType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
        const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : contentType;
        this.chosen = endpoint;
        return { digest, bytes, doc, isIndex: isIndexDocument(mediaType, doc) };
      } catch (err) {
        lastError = err;
        this.options.log?.debug('registry endpoint failed', { endpoint: endpoint.baseUrl, error: err });
      }
    }
    throw lastError;
  }

  private async failure(res: HttpResponse, context: string): Promise<ImagePullError> {
    const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
    const message = formatRegistryErrors(body, res.status);
    return new ImagePullError(reasonForStatus(res.status, message), `${context}: ${message}`);
  }

  /** GET with authentication (answering one challenge) and, for blobs, redirects. */
  private async get(endpoint: Endpoint, path: string, headers: Record<string, string>, followRedirects: boolean): Promise<HttpResponse> {
    const url = `${endpoint.baseUrl}/v2/${this.ref.repository}${path}`;
    let res = await this.send(endpoint, url, headers);
    if (res.status === 401) {
      const challenge = res.headers['www-authenticate'];
      if (typeof challenge === 'string' && (await this.answerChallenge(endpoint, challenge))) {
        res.body.resume();
        res = await this.send(endpoint, url, headers);
      }
    }
    for (let hops = 0; followRedirects && hops < 5 && res.status >= 300 && res.status < 400 && res.headers.location; hops++) {
      res.body.resume();
      const next = new URL(res.headers.location, res.url).toString();
      const sameOrigin = new URL(next).host === endpoint.host;
      res = await this.send(endpoint, next, headers, sameOrigin);
    }
    return res;
  }

  private async send(endpoint: Endpoint, url: string, headers: Record<string, string>, withAuth = true): Promise<HttpResponse> {
    const authorization = withAuth ? this.authorization.get(endpoint.host) : undefined;
    try {
      return await sendRequest(url, {
        headers: { ...headers, ...(authorization ? { Authorization: authorization } : {}) },
        ...(endpoint.tls ? { tls: endpoint.tls } : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ImagePullError('RegistryUnavailable', `failed to reach registry ${endpoint.host}: ${(err as Error).message}`);
    }
  }

  /** Returns true when an Authorization header is now available for another try. */
  private async answerChallenge(endpoint: Endpoint, header: string): Promise<boolean> {
    const { scheme, params } = parseAuthenticateHeader(header);
    const creds = endpoint.credentials;
    if (scheme === 'basic') {
      if (!creds || !('username' in creds)) return false;
      this.authorization.set(endpoint.host, `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`);
      return true;
    }
    if (scheme !== 'bearer' || !params.realm) return false;
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? `repository:${this.ref.repository}:pull`);
    const tokenHeaders: Record<string, string> = {};
    if (creds && 'username' in creds) tokenHeaders.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    const res = await sendRequest(tokenUrl.toString(), {
      headers: tokenHeaders,
      ...(endpoint.tls && tokenUrl.host === endpoint.host ? { tls: endpoint.tls } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    }).catch((err: Error) => {
      throw new ImagePullError('RegistryUnavailable', `failed to fetch an auth token from ${tokenUrl.host}: ${err.message}`);
    });
    const body = await readBody(res, 1024 * 1024);
    if (res.status !== 200) {
      throw new ImagePullError('Unauthorized', `failed to authorize "${this.ref.canonical}": ${formatRegistryErrors(body, res.status)}`);
    }
    const parsed = JSON.parse(body.toString()) as { token?: string; access_token?: string };
    const token = parsed.token ?? parsed.access_token;
    if (!token) return false;
    this.authorization.set(endpoint.host, `Bearer ${token}`);
    return true;
  }
}
