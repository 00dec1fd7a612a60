// The serviceaccounts/token subresource (authentication.k8s.io/v1 TokenRequest), as Kubernetes'
// pkg/registry/core/serviceaccount/storage/token.go answers it: defaults, validation, the
// service account and the bound object looked up, a signed token returned and nothing stored.

import { badRequest, conflict, fieldErrors, invalid, notFound, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { rfc3339 } from '../../api/meta.js';
import type { ServiceAccountTokenSubject } from './claims.js';
import type { ServiceAccountTokenIssuer } from './token-issuer.js';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
export const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: BoundObjectReference;
}

const GROUP = 'authentication.k8s.io';

/** Fills defaults (audiences: the API server's; one hour) and validates; throws 422 as Kubernetes does. */
export function tokenRequestSpec(request: KubeObject, serviceAccount: { namespace: string; name: string }, defaultAudiences: string[]): TokenRequestSpec {
  const meta = (request.metadata ?? {}) as { name?: string; namespace?: string };
  if (meta.name && meta.name !== serviceAccount.name) {
    throw invalid('TokenRequest', GROUP, serviceAccount.name, [fieldErrors.invalid('metadata.name', meta.name, 'must match the service account name if specified')]);
  }
  if (meta.namespace && meta.namespace !== serviceAccount.namespace) {
    throw invalid('TokenRequest', GROUP, serviceAccount.name, [fieldErrors.invalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')]);
  }
  const spec = (request.spec ?? {}) as { audiences?: unknown; expirationSeconds?: unknown; boundObjectRef?: unknown };
  const errors: FieldError[] = [];
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) {
    errors.push(fieldErrors.invalid('spec.expirationSeconds', expirationSeconds, 'must be an integer'));
  } else if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errors.push(fieldErrors.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  } else if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    errors.push(fieldErrors.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  }
  // Kubernetes names no object in this error: the TokenRequest itself has no name.
  if (errors.length) throw invalid('TokenRequest', GROUP, '', errors);
  const result: TokenRequestSpec = { audiences: audiences.length ? audiences : [...defaultAudiences], expirationSeconds: expirationSeconds as number };
  if (spec.boundObjectRef && typeof spec.boundObjectRef === 'object') result.boundObjectRef = spec.boundObjectRef as BoundObjectReference;
  return result;
}

/** Reads objects in the service account's namespace; undefined when absent. Other errors propagate. */
export interface TokenRequestLookups {
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
  node(name: string): Promise<KubeObject | undefined>;
}

/** The token subject: the service account plus the bound object (and, for pods, their node). */
export async function resolveSubject(serviceAccount: KubeObject, ref: BoundObjectReference | undefined, lookups: TokenRequestLookups): Promise<ServiceAccountTokenSubject> {
  const namespace = serviceAccount.metadata.namespace ?? '';
  const saName = serviceAccount.metadata.name ?? '';
  const subject: ServiceAccountTokenSubject = { namespace, serviceAccount: { name: saName, uid: serviceAccount.metadata.uid ?? '' } };
  if (!ref) return subject;
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const name = ref.name ?? '';
  let bound: KubeObject | undefined;
  if (group === '' && ref.kind === 'Pod') {
    bound = await lookups.pod(namespace, name);
    if (!bound) throw notFoundBound('pods', name);
    const podSa = (bound.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName;
    if (podSa !== saName) throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    subject.pod = { name, uid: bound.metadata.uid ?? '' };
    const nodeName = (bound.spec as { nodeName?: string } | undefined)?.nodeName;
    const node = nodeName ? await lookups.node(nodeName) : undefined;
    if (node) subject.node = { name: nodeName!, uid: node.metadata.uid ?? '' };
  } else if (group === '' && ref.kind === 'Secret') {
    bound = await lookups.secret(namespace, name);
    if (!bound) throw notFoundBound('secrets', name);
    subject.secret = { name, uid: bound.metadata.uid ?? '' };
  } else {
    throw badRequest(`cannot bind token to object of type ${group}/${apiVersion.slice(apiVersion.indexOf('/') + 1)}, Kind=${ref.kind ?? ''}`);
  }
  if (ref.uid && ref.uid !== bound.metadata.uid) {
    throw conflict({ group, resource: ref.kind! }, name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return subject;
}

/** The same 404 a direct read of the object gives. */
function notFoundBound(resource: string, name: string) {
  return notFound({ group: '', resource }, name);
}

/** The TokenRequest answered: spec as defaulted, status with the token. */
export function issueTokenRequest(serviceAccount: KubeObject, spec: TokenRequestSpec, subject: ServiceAccountTokenSubject, issuer: ServiceAccountTokenIssuer, now: Date): KubeObject {
  const issued = issuer.issue(subject, spec.audiences, spec.expirationSeconds);
  const outSpec: Record<string, unknown> = { audiences: spec.audiences, expirationSeconds: spec.expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null };
  return {
    kind: 'TokenRequest',
    apiVersion: `${GROUP}/v1`,
    metadata: { name: serviceAccount.metadata.name, namespace: serviceAccount.metadata.namespace, creationTimestamp: rfc3339(now) },
    spec: outSpec,
    status: { token: issued.token, expirationTimestamp: rfc3339(issued.expiration) },
  };
}
