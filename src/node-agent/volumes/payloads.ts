// Pure: the files a configMap, secret, downwardAPI or projected volume should contain, given the
// objects already fetched. Errors carry the kubelet's wording.

import type { KubeObject } from '../../api/meta.js';
import type { Payload } from './atomic-writer.js';
import { containerResourceValue, extractMetadataField } from './field-path.js';

type Obj = Record<string, unknown>;

export const DEFAULT_FILE_MODE = 0o644;

interface KeyToPath { key: string; path: string; mode?: number }

/** Key -> bytes of a ConfigMap (data and binaryData). */
export function configMapBytes(configMap: KubeObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [key, value] of Object.entries((configMap.data ?? {}) as Record<string, string>)) out.set(key, Buffer.from(value, 'utf8'));
  for (const [key, value] of Object.entries((configMap.binaryData ?? {}) as Record<string, string>)) out.set(key, Buffer.from(value, 'base64'));
  return out;
}

/** Key -> bytes of a Secret (`data` is base64 on the wire; `stringData` only exists on write). */
export function secretBytes(secret: KubeObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [key, value] of Object.entries((secret.data ?? {}) as Record<string, string>)) out.set(key, Buffer.from(value, 'base64'));
  for (const [key, value] of Object.entries((secret.stringData ?? {}) as Record<string, string>)) out.set(key, Buffer.from(value, 'utf8'));
  return out;
}

/** Files from a key map: every key, or only `items` (key -> path, mode); `missingKey` words the error. */
export function keyedPayload(
  bytes: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
): Payload {
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [key, data] of bytes) payload.set(key, { data, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const data = bytes.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new Error(missingKey(item.key));
    }
    payload.set(item.path || item.key, { data, mode: item.mode ?? defaultMode });
  }
  return payload;
}

export function configMapPayload(configMap: KubeObject | undefined, source: Obj, defaultMode: number): Payload {
  if (!configMap) return new Map(); // optional and absent: an empty volume
  return keyedPayload(configMapBytes(configMap), source.items as KeyToPath[] | undefined, defaultMode, source.optional === true,
    (key) => `configmap references non-existent config key: ${key}`);
}

export function secretPayload(secret: KubeObject | undefined, source: Obj, defaultMode: number): Payload {
  if (!secret) return new Map();
  return keyedPayload(secretBytes(secret), source.items as KeyToPath[] | undefined, defaultMode, source.optional === true,
    (key) => `references non-existent secret key: ${key}`);
}

interface DownwardItem { path: string; mode?: number; fieldRef?: { fieldPath: string }; resourceFieldRef?: { containerName?: string; resource: string; divisor?: string } }

function findContainer(pod: KubeObject, name: string | undefined): Obj {
  const spec = (pod.spec ?? {}) as Obj;
  const all = [...((spec.initContainers ?? []) as Obj[]), ...((spec.containers ?? []) as Obj[])];
  const found = all.find((c) => c.name === name);
  if (!found) throw new Error(`container ${JSON.stringify(name ?? '')} not found in pod for resourceFieldRef`);
  return found;
}

/** downwardAPI items: metadata fields (`key="value"` lines for labels/annotations) and container resources. */
export function downwardApiPayload(pod: KubeObject, items: DownwardItem[], defaultMode: number, allocatable: Record<string, string> = {}): Payload {
  const payload: Payload = new Map();
  for (const item of items) {
    let value: string;
    if (item.fieldRef) {
      value = extractMetadataField(pod, item.fieldRef.fieldPath);
    } else if (item.resourceFieldRef) {
      const ref = item.resourceFieldRef;
      value = containerResourceValue(findContainer(pod, ref.containerName), ref.resource, ref.divisor, allocatable);
    } else {
      continue;
    }
    payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** Later sources win on path clashes (API validation forbids clashes anyway). */
export function mergePayloads(parts: Payload[]): Payload {
  const out: Payload = new Map();
  for (const part of parts) for (const [path, file] of part) out.set(path, file);
  return out;
}
