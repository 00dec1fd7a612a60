// A container's environment, built as the kubelet builds it (makeEnvironmentVariables):
//   image env < service links < envFrom (in order) < env (in order, $(VAR) expanded).
// Later entries replace earlier ones of the same name in place. Errors carry the kubelet's wording.

import type { KubeObject } from '../../api/meta.js';
import type { ObjectSource } from '../volumes/object-source.js';
import { secretBytes } from '../volumes/payloads.js';
import { containerResourceValue, extractEnvField } from '../volumes/field-path.js';
import { ContainerConfigError, errorMessage } from '../volumes/volume-errors.js';

export { ContainerConfigError };

type Obj = Record<string, unknown>;

export interface EnvExtra {
  nodeName: string;
  podIp?: string;
  hostIp?: string;
  /** All pod / host IPs (dual stack); default to podIp / hostIp. */
  podIps?: string[];
  hostIps?: string[];
  /** Service link variables (FOO_SERVICE_HOST=...), already filtered by enableServiceLinks. */
  serviceEnv?: string[];
  /** Node allocatable, used for resourceFieldRef limits the container does not set. */
  allocatable?: Record<string, string>;
  /** Warning events (reason, message), e.g. InvalidEnvironmentVariableNames. */
  onEvent?: (reason: string, message: string) => void;
}

/**
 * Expands `$(NAME)` references; `$$` is a literal `$`; unknown names and malformed references
 * stay as written (Kubernetes' expansion rules).
 */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += '$' + next;
      i += 2;
    }
  }
  return out;
}

/** With relaxed validation any printable ASCII except '=' is a valid variable name. */
export function isValidEnvName(name: string): boolean {
  return name.length > 0 && /^[\x20-\x3c\x3e-\x7e]+$/.test(name);
}

function splitEnvEntry(entry: string): [string, string] {
  const eq = entry.indexOf('=');
  return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
}

/** Fetches each referenced ConfigMap/Secret once; `undefined` = not found. */
class ObjectCache {
  private readonly configMaps = new Map<string, Promise<KubeObject | undefined>>();
  private readonly secrets = new Map<string, Promise<KubeObject | undefined>>();
  constructor(private readonly source: ObjectSource, private readonly namespace: string) {}

  configMap(name: string): Promise<KubeObject | undefined> {
    if (!this.configMaps.has(name)) this.configMaps.set(name, this.source.getConfigMap(this.namespace, name));
    return this.configMaps.get(name)!;
  }
  secret(name: string): Promise<KubeObject | undefined> {
    if (!this.secrets.has(name)) this.secrets.set(name, this.source.getSecret(this.namespace, name));
    return this.secrets.get(name)!;
  }
}

async function fetchOrFail(fetch: () => Promise<KubeObject | undefined>, what: string): Promise<KubeObject | undefined> {
  try {
    return await fetch();
  } catch (err) {
    throw new ContainerConfigError(`couldn't get ${what}: ${errorMessage(err)}`);
  }
}

/** Values from envFrom sources, in order; later sources win. */
async function envFromValues(container: Obj, namespace: string, cache: ObjectCache, extra: EnvExtra): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const envFrom of (container.envFrom ?? []) as Obj[]) {
    const prefix = (envFrom.prefix as string | undefined) ?? '';
    const cmRef = envFrom.configMapRef as Obj | undefined;
    const secretRef = envFrom.secretRef as Obj | undefined;
    const ref = cmRef ?? secretRef;
    if (!ref) continue;
    const name = String(ref.name ?? '');
    const kind = cmRef ? 'configMap' : 'secret';
    const object = cmRef
      ? await fetchOrFail(() => cache.configMap(name), `configMap ${namespace}/${name}`)
      : await fetchOrFail(() => cache.secret(name), `secret ${namespace}/${name}`);
    if (!object) {
      if (ref.optional === true) continue;
      throw new ContainerConfigError(cmRef ? `configmap "${name}" not found` : `secret "${name}" not found`);
    }
    const entries = cmRef
      ? Object.entries((object.data ?? {}) as Record<string, string>)
      : [...secretBytes(object)].map(([k, v]) => [k, v.toString('utf8')] as [string, string]);
    const invalid: string[] = [];
    for (const [key, value] of entries) {
      const varName = prefix + key;
      if (!isValidEnvName(varName)) {
        invalid.push(varName);
        continue;
      }
      values.set(varName, value);
    }
    if (invalid.length > 0) {
      invalid.sort();
      extra.onEvent?.('InvalidEnvironmentVariableNames',
        `Keys [${invalid.join(', ')}] from the EnvFrom ${kind} ${namespace}/${name} were skipped since they are considered invalid environment variable names.`);
    }
  }
  return values;
}

/** The value of one `env` entry with valueFrom; `undefined` = optional and absent (skip it). */
async function valueFromSource(pod: KubeObject, container: Obj, valueFrom: Obj, cache: ObjectCache, extra: EnvExtra): Promise<string | undefined> {
  const namespace = pod.metadata.namespace ?? 'default';
  const fieldRef = valueFrom.fieldRef as Obj | undefined;
  if (fieldRef) {
    const podIps = extra.podIps ?? (extra.podIp ? [extra.podIp] : podStatusIps(pod, 'podIPs', 'podIP'));
    const hostIps = extra.hostIps ?? (extra.hostIp ? [extra.hostIp] : podStatusIps(pod, 'hostIPs', 'hostIP'));
    try {
      return extractEnvField(pod, String(fieldRef.fieldPath ?? ''), { nodeName: extra.nodeName, podIps, hostIps });
    } catch (err) {
      throw new ContainerConfigError(errorMessage(err));
    }
  }
  const resourceRef = valueFrom.resourceFieldRef as Obj | undefined;
  if (resourceRef) {
    const target = resourceRef.containerName ? findContainer(pod, String(resourceRef.containerName)) ?? container : container;
    try {
      return containerResourceValue(target, String(resourceRef.resource ?? ''), resourceRef.divisor as string | undefined, extra.allocatable);
    } catch (err) {
      throw new ContainerConfigError(errorMessage(err));
    }
  }
  const cmKey = valueFrom.configMapKeyRef as Obj | undefined;
  if (cmKey) {
    const name = String(cmKey.name ?? '');
    const key = String(cmKey.key ?? '');
    const optional = cmKey.optional === true;
    const configMap = await fetchOrFail(() => cache.configMap(name), `configMap ${namespace}/${name}`);
    if (!configMap) {
      if (optional) return undefined;
      throw new ContainerConfigError(`configmap "${name}" not found`);
    }
    const value = ((configMap.data ?? {}) as Record<string, string>)[key];
    if (value === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
    }
    return value;
  }
  const secretKey = valueFrom.secretKeyRef as Obj | undefined;
  if (secretKey) {
    const name = String(secretKey.name ?? '');
    const key = String(secretKey.key ?? '');
    const optional = secretKey.optional === true;
    const secret = await fetchOrFail(() => cache.secret(name), `secret ${namespace}/${name}`);
    if (!secret) {
      if (optional) return undefined;
      throw new ContainerConfigError(`secret "${name}" not found`);
    }
    const value = secretBytes(secret).get(key);
    if (value === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
    }
    return value.toString('utf8');
  }
  return '';
}

function podStatusIps(pod: KubeObject, listField: string, singleField: string): string[] {
  const status = (pod.status ?? {}) as Obj;
  const list = (status[listField] ?? []) as { ip?: string }[];
  if (list.length > 0) return list.map((entry) => entry.ip ?? '').filter((ip) => ip !== '');
  return typeof status[singleField] === 'string' && status[singleField] ? [status[singleField] as string] : [];
}

function findContainer(pod: KubeObject, name: string): Obj | undefined {
  const spec = (pod.spec ?? {}) as Obj;
  return [...((spec.initContainers ?? []) as Obj[]), ...((spec.containers ?? []) as Obj[])].find((c) => c.name === name);
}

/** The container's final environment as NAME=value strings. Throws ContainerConfigError. */
export async function resolveEnv(pod: KubeObject, container: Record<string, unknown>, imageEnv: string[], source: ObjectSource, extra: EnvExtra): Promise<string[]> {
  const namespace = pod.metadata.namespace ?? 'default';
  const cache = new ObjectCache(source, namespace);
  const serviceEnv = new Map((extra.serviceEnv ?? []).map(splitEnvEntry));

  // Variables the container declares (envFrom, then env); $(VAR) sees these and service links.
  const declared = await envFromValues(container, namespace, cache, extra);
  const lookup = (name: string) => declared.get(name) ?? serviceEnv.get(name);
  for (const entry of (container.env ?? []) as Obj[]) {
    const name = String(entry.name ?? '');
    const literal = (entry.value as string | undefined) ?? '';
    let value: string | undefined;
    if (literal !== '') value = expandVariables(literal, lookup);
    else if (entry.valueFrom) value = await valueFromSource(pod, container, entry.valueFrom as Obj, cache, extra);
    else value = '';
    if (value === undefined) continue; // optional source that is absent
    declared.set(name, value);
  }

  const final = new Map<string, string>();
  for (const entry of imageEnv) {
    const [name, value] = splitEnvEntry(entry);
    final.set(name, value);
  }
  for (const [name, value] of serviceEnv) final.set(name, value);
  for (const [name, value] of declared) final.set(name, value);
  return [...final].map(([name, value]) => `${name}=${value}`);
}

