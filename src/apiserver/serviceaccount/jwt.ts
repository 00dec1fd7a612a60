// Compact JWS, the form Kubernetes' service account tokens take: ES256 (ECDSA P-256 over SHA-256)
// with the keys new clusters make, RS256 (RSASSA-PKCS1-v1_5 over SHA-256) with RSA keys of older
// data dirs; the algorithm follows the key, as Kubernetes does. Only what those tokens need: one
// key, JSON claims. No I/O.

import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'ES256';

export interface JwtHeader {
  alg: JwtAlgorithm;
  kid: string;
  typ?: string;
}

export type JwtClaims = Record<string, unknown>;

export class JwtError extends Error {}

/**
 * The key id Kubernetes puts in the header: the unpadded base64url SHA-256 of the public key in
 * DER (SubjectPublicKeyInfo) form, so verifiers can pick the key without trying each one.
 */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** The algorithm a key signs with; a key of another type or curve is refused. */
export function algorithmOf(key: KeyObject): JwtAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new JwtError(`unsupported signing key: ${key.asymmetricKeyType ?? key.type}${key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''} (RSA or EC P-256)`);
}

const SUPPORTED: ReadonlySet<string> = new Set<JwtAlgorithm>(['RS256', 'ES256']);

/** JWS signatures of ECDSA are r || s of fixed size, not DER. */
const signatureOptions = (key: KeyObject, alg: JwtAlgorithm) => (alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key);

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeSegment(segment: string, what: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new JwtError(`malformed ${what}`);
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError(`malformed ${what}`);
  }
}

export function signJwt(claims: JwtClaims, privateKey: KeyObject, keyId = keyIdOf(privateKey)): string {
  const alg = algorithmOf(privateKey);
  const header: JwtHeader = { alg, kid: keyId };
  const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), signatureOptions(privateKey, alg));
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Three dot-separated segments whose header names an algorithm we sign with: worth a signature check. */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0]) return false;
  try {
    const header = decodeSegment(parts[0], 'header') as Partial<JwtHeader> | null;
    return header !== null && typeof header === 'object' && typeof header.alg === 'string' && SUPPORTED.has(header.alg);
  } catch {
    return false;
  }
}

/** The claims of a token whose signature `publicKey` made; throws JwtError otherwise. Times are not checked here. */
export function verifyJwtSignature(token: string, publicKey: KeyObject): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError('not a compact JWS');
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  const header = decodeSegment(headerPart, 'header') as Partial<JwtHeader> | null;
  // The key decides the algorithm: a header cannot talk the verifier into another one.
  const alg = algorithmOf(publicKey);
  if (!header || typeof header !== 'object' || header.alg !== alg) throw new JwtError('unsupported signing algorithm');
  if (!/^[A-Za-z0-9_-]+$/.test(signaturePart)) throw new JwtError('malformed signature');
  const ok = verify('sha256', Buffer.from(`${headerPart}.${claimsPart}`), signatureOptions(publicKey, alg), Buffer.from(signaturePart, 'base64url'));
  if (!ok) throw new JwtError('invalid signature');
  const claims = decodeSegment(claimsPart, 'claims');
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new JwtError('malformed claims');
  return claims as JwtClaims;
}
