// The registries file (k3s's registries.yaml shape): mirrors and per-host auth/TLS, read once at
// start. Mistakes are reported with the path of the bad entry, so a typo does not silently fall
// back to pulling from the internet.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { RegistriesConfig } from './registries.js';

/** Where the agent looks when no --private-registry is given (k3s: /etc/rancher/k3s/registries.yaml). */
export const DEFAULT_REGISTRIES_FILE = '/etc/kijabi/registries.yaml';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of a parsed registries file; throws naming the first bad entry. */
export function parseRegistriesConfig(value: unknown, source: string): RegistriesConfig {
  const bad = (where: string, what: string) => new Error(`${source}: ${where} ${what}`);
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) throw bad('the file', 'must be a mapping with "mirrors" and/or "configs"');
  for (const key of Object.keys(value)) if (key !== 'mirrors' && key !== 'configs') throw bad(`"${key}"`, 'is not a known section (mirrors, configs)');
  const config: RegistriesConfig = {};
  if (value.mirrors !== undefined) {
    if (!isRecord(value.mirrors)) throw bad('mirrors', 'must be a mapping of registry host to { endpoint: [URL, ...] }');
    config.mirrors = {};
    for (const [host, mirror] of Object.entries(value.mirrors)) {
      const endpoint = isRecord(mirror) ? mirror.endpoint : undefined;
      if (!Array.isArray(endpoint) || !endpoint.every((e) => typeof e === 'string')) throw bad(`mirrors."${host}".endpoint`, 'must be a list of URLs');
      for (const url of endpoint as string[]) {
        try {
          new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
        } catch {
          throw bad(`mirrors."${host}".endpoint`, `has an invalid URL: ${url}`);
        }
      }
      config.mirrors[host] = { endpoint: [...(endpoint as string[])] };
    }
  }
  if (value.configs !== undefined) {
    if (!isRecord(value.configs)) throw bad('configs', 'must be a mapping of registry host to { auth, tls }');
    config.configs = {};
    for (const [host, entry] of Object.entries(value.configs)) {
      if (!isRecord(entry)) throw bad(`configs."${host}"`, 'must be a mapping with auth and/or tls');
      if (entry.auth !== undefined && !isRecord(entry.auth)) throw bad(`configs."${host}".auth`, 'must be a mapping (username, password, auth, identitytoken)');
      if (entry.tls !== undefined && !isRecord(entry.tls)) throw bad(`configs."${host}".tls`, 'must be a mapping (insecure_skip_verify, ca_file, cert_file, key_file)');
      config.configs[host] = entry as NonNullable<RegistriesConfig['configs']>[string];
    }
  }
  return config;
}

/** Reads and checks a registries file. */
export function loadRegistriesFile(path: string): RegistriesConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the registries file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid YAML: ${(err as Error).message}`);
  }
  return parseRegistriesConfig(parsed, path);
}
