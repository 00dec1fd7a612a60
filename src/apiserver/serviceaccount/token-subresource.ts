// HTTP side of serviceaccounts/token and authentication.k8s.io SelfSubjectReview and TokenReview. The token issuer
// is registered per store, so several API servers in one process (tests) each sign with their own key.

import { fieldErrors, invalid, isApiError, methodNotAllowed, serviceUnavailable } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { rfc3339 } from '../../api/meta.js';
import type { Store } from '../../store/store.js';
import type { UserInfo } from '../auth/token.js';
import type { ResourceRegistry } from '../registry/registry.js';
import type { ServiceAccountTokenIssuer } from './token-issuer.js';
import { issueTokenRequest, resolveSubject, tokenRequestSpec, type TokenRequestLookups } from './token-request.js';

const issuers = new WeakMap<Store, ServiceAccountTokenIssuer>();

/** Makes the API server over `store` answer serviceaccounts/token with tokens from `issuer`. */
export function serveServiceAccountTokens(store: Store, issuer: ServiceAccountTokenIssuer): void {
  issuers.set(store, issuer);
}

type Lookup = (group: string, resource: string) => ResourceRegistry | undefined;

async function getOrUndefined(registry: ResourceRegistry | undefined, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  if (!registry) return undefined;
  try {
    return await registry.get(namespace, name);
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** POST .../serviceaccounts/{name}/token: the TokenRequest with its token in status. */
export async function answerTokenRequest(serviceAccounts: ResourceRegistry, namespace: string, name: string, verb: string, body: KubeObject, lookup: Lookup, now: Date): Promise<KubeObject> {
  if (verb !== 'create') throw methodNotAllowed();
  const issuer = issuers.get(serviceAccounts.deps.store);
  if (!issuer) throw serviceUnavailable('service account tokens are not enabled on this server');
  const spec = tokenRequestSpec(body, { namespace, name }, issuer.audiences);
  const serviceAccount = await serviceAccounts.get(namespace, name);
  const lookups: TokenRequestLookups = {
    pod: (ns, n) => getOrUndefined(lookup('', 'pods'), ns, n),
    secret: (ns, n) => getOrUndefined(lookup('', 'secrets'), ns, n),
    node: (n) => getOrUndefined(lookup('', 'nodes'), undefined, n),
  };
  const subject = await resolveSubject(serviceAccount, spec.boundObjectRef, lookups);
  return issueTokenRequest(serviceAccount, spec, subject, issuer, now);
}

/** POST /apis/authentication.k8s.io/v1/selfsubjectreviews: who the server takes the caller to be. */
export function answerSelfSubjectReview(user: UserInfo | undefined, now: Date): KubeObject {
  const userInfo: Record<string, unknown> = { username: user?.name ?? '', groups: user?.groups ?? [] };
  if (user?.uid) userInfo.uid = user.uid;
  if (user?.extra) userInfo.extra = user.extra;
  return {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: rfc3339(now) },
    status: { userInfo },
  };
}

/** The authenticator's answer for one token (see TokenAuthenticator.review). */
export type TokenReviewer = (token: string, audiences: string[]) => { user?: UserInfo; audiences: string[] };

/** POST /apis/authentication.k8s.io/v1/tokenreviews: whether `spec.token` is valid, and for whom. */
export function answerTokenReview(body: KubeObject, review: TokenReviewer, now: Date): KubeObject {
  const spec = (body.spec ?? {}) as { token?: unknown; audiences?: unknown };
  if (typeof spec.token !== 'string' || spec.token === '') throw invalid('TokenReview', 'authentication.k8s.io', '', [fieldErrors.required('spec.token')]);
  const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
  const result = review(spec.token, audiences);
  const status: Record<string, unknown> = { authenticated: result.user !== undefined };
  if (result.user) {
    const user: Record<string, unknown> = { username: result.user.name, groups: result.user.groups };
    if (result.user.uid) user.uid = result.user.uid;
    if (result.user.extra) user.extra = result.user.extra;
    status.user = user;
    status.audiences = result.audiences;
  } else {
    status.user = {};
  }
  return {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: rfc3339(now) },
    spec: { token: spec.token, ...(audiences.length ? { audiences } : {}) },
    status,
  };
}
