// Reads a kubeconfig file: the current (or named) context's server, credentials and CA.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';

/** The YAML library, loaded only when a kubeconfig file is read. */
const requireLazy = createRequire(import.meta.url);
const parse = (text: string): unknown => (requireLazy('yaml') as typeof import('yaml')).parse(text);

export interface ClientConfig {
  server: string;
  token?: string;
  /** certificate-authority-data exactly as in the file (base64). */
  caData?: string;
  /** The CA certificate(s) as PEM, decoded from caData or read from certificate-authority. */
  ca?: string;
  /** Client certificate and key as PEM, when the user authenticates with a certificate. */
  cert?: string;
  key?: string;
  insecure?: boolean;
}


interface RawKubeconfig {
  'current-context'?: string;
  clusters?: Array<{ name?: string; cluster?: Record<string, unknown> }>;
  users?: Array<{ name?: string; user?: Record<string, unknown> }>;
  contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string } }>;
}

function pick<T extends { name?: string }>(list: T[] | undefined, name: string | undefined, what: string): T {
  const found = list?.find((entry) => entry.name === name);
  if (!found) throw new Error(`kubeconfig: ${what} ${JSON.stringify(name)} not found`);
  return found;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function decodeBase64(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** Parses kubeconfig text. Relative file paths in it are resolved against `baseDir`. */
export function parseKubeconfig(text: string, options: { context?: string; baseDir?: string } = {}): ClientConfig {
  const raw = (parse(text) ?? {}) as RawKubeconfig;
  const contextName = options.context ?? raw['current-context'];
  const context = pick(raw.contexts, contextName, 'context').context ?? {};
  const cluster = pick(raw.clusters, context.cluster, 'cluster').cluster ?? {};
  const user = context.user !== undefined ? (pick(raw.users, context.user, 'user').user ?? {}) : {};
  const fromFile = (path: unknown): string | undefined => {
    const p = str(path);
    if (!p) return undefined;
    return readFileSync(isAbsolute(p) || !options.baseDir ? p : resolve(options.baseDir, p), 'utf8');
  };

  const server = str(cluster.server);
  if (!server) throw new Error(`kubeconfig: cluster ${JSON.stringify(context.cluster)} has no server`);
  const config: ClientConfig = { server };
  const caData = str(cluster['certificate-authority-data']);
  if (caData) {
    config.caData = caData;
    config.ca = decodeBase64(caData);
  } else {
    const ca = fromFile(cluster['certificate-authority']);
    if (ca) config.ca = ca;
  }
  if (cluster['insecure-skip-tls-verify'] === true) config.insecure = true;

  const token = str(user.token) ?? fromFile(user.tokenFile)?.trim();
  if (token) config.token = token;
  const cert = decodeBase64(str(user['client-certificate-data'])) ?? fromFile(user['client-certificate']);
  const key = decodeBase64(str(user['client-key-data'])) ?? fromFile(user['client-key']);
  if (cert && key) {
    config.cert = cert;
    config.key = key;
  }
  return config;
}

export function loadKubeconfig(path: string, options: { context?: string } = {}): ClientConfig {
  return parseKubeconfig(readFileSync(path, 'utf8'), { ...options, baseDir: dirname(path) });
}
