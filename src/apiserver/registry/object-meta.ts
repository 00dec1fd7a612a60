// System-owned metadata: set on create, carried over on update, and the generation rule
// (bumped only when something outside metadata and status changes).

import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/meta.js';
import { rfc3339 } from '../../api/meta.js';

const NAME_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters from Kubernetes' generateName alphabet (no vowels, no confusable digits). */
export function randomSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_SUFFIX_CHARS[Math.floor(Math.random() * NAME_SUFFIX_CHARS.length)];
  return out;
}

export function generateNameFrom(prefix: string): string {
  const maxPrefix = 63 - 5;
  return `${prefix.length > maxPrefix ? prefix.slice(0, maxPrefix) : prefix}${randomSuffix()}`;
}

export function fillCreateMeta(obj: KubeObject, now: Date, tracksGeneration: boolean): void {
  const meta = obj.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
  delete meta.selfLink;
  if (tracksGeneration) meta.generation = 1;
  else delete meta.generation;
}

/** Copies what a client may not change on update from the stored object. */
export function carryOverMeta(obj: KubeObject, old: KubeObject): void {
  const meta = obj.metadata;
  const prev = old.metadata;
  meta.uid = prev.uid;
  meta.creationTimestamp = prev.creationTimestamp;
  if (prev.deletionTimestamp) meta.deletionTimestamp = prev.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (prev.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = prev.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (prev.generation !== undefined) meta.generation = prev.generation;
  else delete meta.generation;
  delete meta.selfLink;
}

/** True when anything outside metadata and the status fields differs. */
export function specChanged(obj: KubeObject, old: KubeObject, statusFields: readonly string[]): boolean {
  const keys = new Set([...Object.keys(obj), ...Object.keys(old)]);
  for (const key of keys) {
    if (key === 'metadata' || key === 'apiVersion' || key === 'kind' || statusFields.includes(key)) continue;
    if (!isDeepStrictEqual(obj[key], old[key])) return true;
  }
  return false;
}

/** For writes to the main resource: status fields come from the stored object. */
export function keepStatus(obj: KubeObject, old: KubeObject, statusFields: readonly string[]): void {
  for (const field of statusFields) {
    if (old[field] === undefined) delete obj[field];
    else obj[field] = old[field];
  }
}

/** For writes to /status: everything but the status fields (and labels/annotations) comes from the stored object. */
export function keepAllButStatus(obj: KubeObject, old: KubeObject, statusFields: readonly string[]): KubeObject {
  const result: KubeObject = { ...old, metadata: { ...old.metadata } };
  for (const field of statusFields) {
    if (obj[field] === undefined) delete result[field];
    else result[field] = obj[field];
  }
  // As Kubernetes' ResetObjectMetaForStatus: a status write cannot change labels, annotations,
  // finalizers or owners; only the resourceVersion precondition travels.
  result.metadata.resourceVersion = obj.metadata.resourceVersion;
  return result;
}
