// Which endpoints serve a registry and which credentials and TLS settings apply, in the manner of
// k3s's registries.yaml (mirrors + configs), plus imagePullSecrets-style credentials. Pure.
import { DOCKER_HUB, normalizeRegistryHost } from './image-ref.js';

/** One credential, as found in a dockerconfigjson `auths` entry (`auth` is base64 "user:password"). */
export interface RegistryAuth {
  registry: string;
  username?: string;
  password?: string;
  auth?: string;
  identityToken?: string;
}

export interface RegistryTlsConfig {
  insecure_skip_verify?: boolean;
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
}

export interface RegistryHostConfig {
  auth?: { username?: string; password?: string; auth?: string; identitytoken?: string };
  tls?: RegistryTlsConfig;
}

/** Shape of k3s's registries.yaml. */
export interface RegistriesConfig {
  mirrors?: Record<string, { endpoint?: string[] }>;
  configs?: Record<string, RegistryHostConfig>;
}

export interface Endpoint {
  /** Base URL without the trailing `/v2`, e.g. `http://127.0.0.1:5000`. */
  baseUrl: string;
  /** host[:port] of the endpoint, used to look up configs and credentials. */
  host: string;
  tls?: RegistryTlsConfig;
  credentials?: { username: string; password: string } | { identityToken: string };
}

export function isLoopbackHost(host: string): boolean {
  const bare = stripPort(host).replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon > 0 ? host.slice(0, colon) : host;
}

/** Registry key of a dockerconfigjson entry: `https://index.docker.io/v1/` → `docker.io`. */
export function registryKey(value: string): string {
  let host = value.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  return normalizeRegistryHost(host);
}

function decodeAuth(auth: string): { username: string; password: string } | undefined {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function credentialsOf(entry: { username?: string; password?: string; auth?: string; identitytoken?: string; identityToken?: string }): Endpoint['credentials'] {
  const token = entry.identitytoken ?? entry.identityToken;
  if (token) return { identityToken: token };
  if (entry.username !== undefined && entry.password !== undefined && entry.username !== '') {
    return { username: entry.username, password: entry.password };
  }
  if (entry.auth) return decodeAuth(entry.auth);
  return undefined;
}

/** Default endpoint for a registry: Hub's API host, plain http for loopback, https otherwise. */
export function defaultEndpointUrl(registry: string): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  return `${isLoopbackHost(registry) ? 'http' : 'https'}://${registry}`;
}

function parseEndpointUrl(raw: string): { baseUrl: string; host: string } {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  const url = new URL(withScheme);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '');
  return { baseUrl: `${url.protocol}//${url.host}${path}`, host: url.host };
}

/**
 * Endpoints to try for `registry`, in order: its mirrors (or the `*` mirrors), then the registry itself.
 * Credentials: the host's `configs` entry wins, then a matching pull secret (by endpoint host, then by
 * the logical registry).
 */
export function resolveEndpoints(registry: string, config: RegistriesConfig | undefined, auths: RegistryAuth[] = []): Endpoint[] {
  const mirrors = config?.mirrors?.[registry]?.endpoint ?? config?.mirrors?.['*']?.endpoint ?? [];
  const urls = [...mirrors.map(parseEndpointUrl)];
  const upstream = parseEndpointUrl(defaultEndpointUrl(registry));
  if (!urls.some((u) => u.baseUrl === upstream.baseUrl)) urls.push(upstream);
  const secretFor = (host: string): RegistryAuth | undefined => auths.find((a) => registryKey(a.registry) === normalizeRegistryHost(host));
  return urls.map(({ baseUrl, host }) => {
    const hostConfig = config?.configs?.[host] ?? (host === upstream.host ? config?.configs?.[registry] : undefined);
    const secret = secretFor(host) ?? (host === upstream.host ? secretFor(registry) : undefined);
    const credentials = (hostConfig?.auth && credentialsOf(hostConfig.auth)) ?? (secret && credentialsOf(secret));
    return { baseUrl, host, ...(hostConfig?.tls ? { tls: hostConfig.tls } : {}), ...(credentials ? { credentials } : {}) };
  });
}
