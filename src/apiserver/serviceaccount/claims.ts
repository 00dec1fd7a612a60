// Service account token claims as Kubernetes issues them (pkg/serviceaccount/claims.go): the
// standard JWT claims plus a private `kubernetes.io` claim naming the namespace, the service
// account and the object the token is bound to. Pure: the clock and the id are passed in.

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
/** Clock skew tolerated on exp/nbf, as Kubernetes' validator allows. */
export const LEEWAY_SECONDS = 60;

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface ServiceAccountTokenSubject {
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export interface IssueInput {
  issuer: string;
  audiences: string[];
  subject: ServiceAccountTokenSubject;
  nowSeconds: number;
  expirationSeconds: number;
  tokenId: string;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

export function buildClaims(input: IssueInput): ServiceAccountClaims {
  const { subject } = input;
  const kubernetes: KubernetesClaim = { namespace: subject.namespace, serviceaccount: subject.serviceAccount };
  if (subject.pod) kubernetes.pod = subject.pod;
  if (subject.secret) kubernetes.secret = subject.secret;
  if (subject.node) kubernetes.node = subject.node;
  return {
    aud: input.audiences,
    exp: input.nowSeconds + input.expirationSeconds,
    iat: input.nowSeconds,
    iss: input.issuer,
    jti: input.tokenId,
    'kubernetes.io': kubernetes,
    nbf: input.nowSeconds,
    sub: serviceAccountUsername(subject.namespace, subject.serviceAccount.name),
  };
}

export type ClaimsCheck = { ok: true; subject: ServiceAccountTokenSubject } | { ok: false; reason: string };

function isRef(value: unknown): value is ObjectRef {
  const ref = value as Partial<ObjectRef> | undefined;
  return typeof ref === 'object' && ref !== null && typeof ref.name === 'string' && typeof ref.uid === 'string' && ref.name !== '';
}

/**
 * Checks issuer, audience, times and shape of verified claims. `aud` may be a string or a list (RFC
 * 7519); the token is accepted when one of its audiences is one of ours.
 */
export function checkClaims(claims: Record<string, unknown>, expected: { issuer: string; audiences: readonly string[]; nowSeconds: number }): ClaimsCheck {
  if (claims.iss !== expected.issuer) return { ok: false, reason: 'wrong issuer' };
  const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!aud.some((a) => typeof a === 'string' && expected.audiences.includes(a))) return { ok: false, reason: 'token audiences do not match' };
  if (typeof claims.exp !== 'number' || expected.nowSeconds > claims.exp + LEEWAY_SECONDS) return { ok: false, reason: 'token has expired' };
  if (typeof claims.nbf === 'number' && expected.nowSeconds < claims.nbf - LEEWAY_SECONDS) return { ok: false, reason: 'token is not valid yet' };
  const k = claims['kubernetes.io'] as Partial<KubernetesClaim> | undefined;
  if (!k || typeof k !== 'object' || typeof k.namespace !== 'string' || !isRef(k.serviceaccount)) return { ok: false, reason: 'token has no kubernetes.io claim' };
  if (claims.sub !== serviceAccountUsername(k.namespace, k.serviceaccount.name)) return { ok: false, reason: 'subject does not match the kubernetes.io claim' };
  const subject: ServiceAccountTokenSubject = { namespace: k.namespace, serviceAccount: { name: k.serviceaccount.name, uid: k.serviceaccount.uid } };
  for (const key of ['pod', 'secret', 'node'] as const) {
    const ref = k[key];
    if (ref === undefined) continue;
    if (!isRef(ref)) return { ok: false, reason: `malformed ${key} reference` };
    subject[key] = { name: ref.name, uid: ref.uid };
  }
  return { ok: true, subject };
}
