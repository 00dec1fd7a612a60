// Downward API values (pure): pod fields by path and container resources with a divisor, rendered
// the way the kubelet renders them for env vars and downwardAPI volume files.

import type { KubeObject } from '../../api/meta.js';
import { parseQuantityExact } from '../../machinery/validation/quantity.js';

type Obj = Record<string, unknown>;

/** Go's %q for the strings we render: printable characters kept, the rest escaped. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** Labels/annotations as sorted `key="value"` lines, no trailing newline (kubelet's FormatMap). */
export function formatMap(map: Record<string, string> | undefined): string {
  const keys = Object.keys(map ?? {}).sort();
  return keys.map((key) => `${key}=${goQuote(map![key]!)}`).join('\n');
}

/** `metadata.labels['app']` -> ['metadata.labels', 'app']; other paths have no subscript. */
function splitSubscript(path: string): { base: string; key?: string } {
  const m = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(path);
  return m ? { base: m[1]!, key: m[2]! } : { base: path };
}

/** The metadata fields both env and downwardAPI volumes support. */
export function extractMetadataField(pod: KubeObject, fieldPath: string): string {
  const { base, key } = splitSubscript(fieldPath);
  const meta = pod.metadata;
  switch (base) {
    case 'metadata.name': if (key === undefined) return meta.name ?? ''; break;
    case 'metadata.namespace': if (key === undefined) return meta.namespace ?? ''; break;
    case 'metadata.uid': if (key === undefined) return meta.uid ?? ''; break;
    case 'metadata.labels': return key === undefined ? formatMap(meta.labels) : meta.labels?.[key] ?? '';
    case 'metadata.annotations': return key === undefined ? formatMap(meta.annotations) : meta.annotations?.[key] ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

export interface PodRuntimeFacts { nodeName: string; podIps: string[]; hostIps: string[] }

/** Env-var fieldRef: metadata fields plus spec/status fields the kubelet fills in itself. */
export function extractEnvField(pod: KubeObject, fieldPath: string, facts: PodRuntimeFacts): string {
  const spec = (pod.spec ?? {}) as Obj;
  switch (fieldPath) {
    case 'spec.nodeName': return (spec.nodeName as string | undefined) ?? facts.nodeName;
    case 'spec.serviceAccountName': return (spec.serviceAccountName as string | undefined) ?? '';
    case 'status.hostIP': return facts.hostIps[0] ?? '';
    case 'status.hostIPs': return facts.hostIps.join(',');
    case 'status.podIP': return facts.podIps[0] ?? '';
    case 'status.podIPs': return facts.podIps.join(',');
  }
  return extractMetadataField(pod, fieldPath);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a > 0n) === (b > 0n) ? q + 1n : q;
}

function nanosOf(text: string, what: string): bigint {
  const parsed = parseQuantityExact(text);
  if (!parsed) throw new Error(`invalid quantity ${JSON.stringify(text)} for ${what}`);
  return parsed.nanos;
}

const NANO = 1_000_000_000n;
const NANO_PER_MILLI = 1_000_000n;

/** Rounded up like resource.Quantity.Value()/MilliValue(). */
function units(nanos: bigint, perUnit: bigint): bigint {
  return ceilDiv(nanos, perUnit);
}

/**
 * The value of `limits.cpu`, `requests.memory`, `limits.ephemeral-storage`, `limits.hugepages-2Mi`...
 * for `container`, divided by `divisor` and rounded up (cpu in millicores first, as the kubelet does).
 * Unset limits of cpu/memory/ephemeral-storage fall back to the node's allocatable.
 */
export function containerResourceValue(container: Obj, resource: string, divisor: string | undefined, allocatable: Record<string, string> = {}): string {
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  const name = resource.slice(dot + 1);
  const supported = ['cpu', 'memory', 'ephemeral-storage'].includes(name) || name.startsWith('hugepages-');
  if ((kind !== 'limits' && kind !== 'requests') || !supported) throw new Error(`unsupported container resource : ${resource}`);
  const resources = (container.resources ?? {}) as Obj;
  const declared = ((resources[kind] ?? {}) as Record<string, string>)[name];
  let value = declared;
  if (value === undefined && kind === 'limits' && !name.startsWith('hugepages-')) value = allocatable[name];
  const valueNanos = value === undefined ? 0n : nanosOf(String(value), resource);
  const divisorNanos = nanosOf(divisor === undefined || divisor === '' ? '1' : String(divisor), 'divisor');
  if (divisorNanos <= 0n) throw new Error(`invalid divisor ${divisor} for ${resource}`);
  const perUnit = name === 'cpu' ? NANO_PER_MILLI : NANO;
  return units(valueNanos, perUnit) === 0n ? '0' : ceilDiv(units(valueNanos, perUnit), units(divisorNanos, perUnit) || 1n).toString();
}
