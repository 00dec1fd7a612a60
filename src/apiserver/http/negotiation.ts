// Content negotiation: what the client sent (JSON, YAML or Kubernetes protobuf) and what it wants
// back (plain JSON, a Table, aggregated discovery). Responses are always JSON; we never answer 406,
// because kubectl does not retry after one.

import { createRequire } from 'node:module';
import { badRequest, unsupportedMediaType } from '../../api/errors.js';
import { decodeProtobufObject, isKubernetesProtobuf } from '../protobuf/decode.js';

export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  return accept.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const record: Record<string, string> = {};
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq > 0) record[param.slice(0, eq).trim().toLowerCase()] = param.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params: record };
  });
}

/** The Table version asked for (`v1` or `v1beta1`), if the client prefers Table output. */
export function wantsTable(accept: string | undefined): string | undefined {
  for (const range of parseAccept(accept)) {
    if (range.params.as === 'Table' && range.params.g === 'meta.k8s.io') return range.params.v ?? 'v1';
    if (range.type === 'application/json' && !range.params.as) return undefined;
  }
  return undefined;
}

/** The aggregated discovery version asked for (`v2` or `v2beta1`), if any comes before plain JSON. */
export function wantsAggregatedDiscovery(accept: string | undefined): string | undefined {
  for (const range of parseAccept(accept)) {
    if (range.params.as === 'APIGroupDiscoveryList' && range.params.g === 'apidiscovery.k8s.io') return range.params.v ?? 'v2';
    if ((range.type === 'application/json' || range.type === '*/*') && !range.params.as) return undefined;
  }
  return undefined;
}

/** The YAML parser, loaded on first use: YAML bodies are rare and the library is large. */
const requireLazy = createRequire(import.meta.url);
export function parseYaml(text: string): unknown {
  return (requireLazy('yaml') as typeof import('yaml')).parse(text);
}

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Decodes a create/update body to a JSON value by its Content-Type. */
export function decodeBody(contentType: string | undefined, body: Buffer): unknown {
  const base = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (base === 'application/vnd.kubernetes.protobuf') {
    if (!isKubernetesProtobuf(body)) throw badRequest('the body of the request is not a Kubernetes protobuf message: missing the k8s\\0 prefix');
    return decodeProtobufObject(body);
  }
  const text = body.toString('utf8');
  if (base === 'application/json' || base === '' || base === '*/*') {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  }
  if (base === 'application/yaml' || base === 'application/x-yaml' || base === 'text/yaml') {
    try {
      return parseYaml(text);
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
  }
  throw unsupportedMediaType(base);
}

