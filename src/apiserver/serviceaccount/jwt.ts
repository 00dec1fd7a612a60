// Compact JWS with RS256 (RSASSA-PKCS1-v1_5 over SHA-256), the form Kubernetes' service account
// tokens take. Only what those tokens need: one key, one algorithm, JSON claims. No I/O.

import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface JwtHeader {
  alg: 'RS256';
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
  const header: JwtHeader = { alg: 'RS256', kid: keyId };
  const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Three dot-separated segments whose header names RS256: worth a signature check. */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0]) return false;
  try {
    const header = decodeSegment(parts[0], 'header') as Partial<JwtHeader> | null;
    return header !== null && typeof header === 'object' && header.alg === 'RS256';
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
  if (!header || typeof header !== 'object' || header.alg !== 'RS256') throw new JwtError('unsupported signing algorithm');
  if (!/^[A-Za-z0-9_-]+$/.test(signaturePart)) throw new JwtError('malformed signature');
  const ok = verify('sha256', Buffer.from(`${headerPart}.${claimsPart}`), publicKey, Buffer.from(signaturePart, 'base64url'));
  if (!ok) throw new JwtError('invalid signature');
  const claims = decodeSegment(claimsPart, 'claims');
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new JwtError('malformed claims');
  return claims as JwtClaims;
}
