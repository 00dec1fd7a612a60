// The pod-template-hash: FNV-32a over a canonical rendering of the pod template (plus the
// collision count), printed in decimal and mapped onto Kubernetes' "safe" alphabet, which has no
// vowels so that a hash never spells a word. Kubernetes hashes its Go struct dump; we hash sorted
// JSON, so values differ from a real cluster but share the shape and stability.
import type { PodTemplateSpec } from '../common/pods.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Maps every character through the vowel-free alphabet, as apimachinery's SafeEncodeString. */
export function safeEncodeString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * JSON with object keys sorted and null, undefined and empty-object members dropped, so that
 * equal data gives equal text whatever the client sent (kubectl sends `creationTimestamp: null`).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries: string[] = [];
  for (const k of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[k];
    if (member === undefined || member === null) continue;
    const text = canonicalJson(member);
    if (text === '{}' && !Array.isArray(member)) continue;
    entries.push(`${JSON.stringify(k)}:${text}`);
  }
  return `{${entries.join(',')}}`;
}

export function computeTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let hash = fnv32a(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(4);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(extra, hash);
  }
  return safeEncodeString(String(hash));
}

/** The template without the pod-template-hash label, for comparing a ReplicaSet with its Deployment. */
export function templateWithoutHash(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(templateWithoutHash(a)) === canonicalJson(templateWithoutHash(b));
}
