// Image reference parsing with Docker's normalisation rules: short names live on docker.io, official
// images under library/, and a missing tag means "latest". Pure; no I/O.

export interface ImageRef {
  /** Registry host as written (with port), `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** `registry/repository`, e.g. `docker.io/library/busybox`. */
  name: string;
  /** Fully qualified reference: `name@digest` when a digest is present, else `name:tag`. */
  canonical: string;
}

export const DOCKER_HUB = 'docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?$/;

export class InvalidImageRefError extends Error {
  override name = 'InvalidImageRefError';
}

/** Hub aliases all mean docker.io. */
export function normalizeRegistryHost(host: string): string {
  const lower = host.toLowerCase();
  if (lower === 'index.docker.io' || lower === 'registry-1.docker.io' || lower === 'docker.io') return DOCKER_HUB;
  return host;
}

/** True for a reference's first path component that names a registry rather than a namespace. */
function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component.startsWith('[');
}

export function normalizeImageRef(ref: string): ImageRef {
  const text = ref.trim();
  if (text === '') throw new InvalidImageRefError('image reference is empty');
  if (/^[a-f0-9]{64}$/.test(text)) {
    throw new InvalidImageRefError(`invalid reference format: "${text}" looks like an image ID, not a reference`);
  }
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidImageRefError(`invalid reference format: bad digest "${digest}"`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw new InvalidImageRefError(`invalid reference format: bad tag "${tag}"`);
  }
  let registry = DOCKER_HUB;
  let path = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash > 0 && looksLikeHost(rest.slice(0, firstSlash))) {
    registry = normalizeRegistryHost(rest.slice(0, firstSlash));
    path = rest.slice(firstSlash + 1);
    if (!HOST.test(registry)) throw new InvalidImageRefError(`invalid reference format: bad registry "${registry}"`);
  }
  if (path === '') throw new InvalidImageRefError(`invalid reference format: "${text}"`);
  if (path !== path.toLowerCase()) {
    throw new InvalidImageRefError(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  for (const component of path.split('/')) {
    if (!COMPONENT.test(component)) throw new InvalidImageRefError(`invalid reference format: "${text}"`);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';
  const name = `${registry}/${path}`;
  const canonical = digest !== undefined ? `${name}@${digest}` : `${name}:${tag}`;
  return { registry, repository: path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}), name, canonical };
}

export function isSha256Digest(value: string): boolean {
  return SHA256_DIGEST.test(value);
}

/** Short display form: `busybox:1.0` for Hub official images, else the full name. */
export function familiarName(name: string): string {
  if (name.startsWith(`${DOCKER_HUB}/library/`)) return name.slice(`${DOCKER_HUB}/library/`.length);
  if (name.startsWith(`${DOCKER_HUB}/`)) return name.slice(`${DOCKER_HUB}/`.length);
  return name;
}

/** The full name of an image reference (`nginx:1.14.2` → `docker.io/library/nginx:1.14.2`); unparsable text as is. */
export function canonicalImage(ref: string): string {
  try {
    return normalizeImageRef(ref).canonical;
  } catch {
    return ref;
  }
}
