// Issues and checks service account tokens with one signing key: the cryptography and the claim
// rules, without any lookup of the objects a token names (see bound-objects.ts for that).

import { randomUUID } from 'node:crypto';
import { buildClaims, checkClaims, DEFAULT_ISSUER, type ServiceAccountTokenSubject } from './claims.js';
import { JwtError, keyIdOf, looksLikeJwt, signJwt, verifyJwtSignature } from './jwt.js';
import type { SigningKey } from './signing-key.js';

export interface TokenIssuerOptions {
  key: SigningKey;
  issuer?: string;
  /** Audiences the API server accepts; the first is the default of a TokenRequest. Default: [issuer]. */
  audiences?: string[];
  now?: () => Date;
}

export interface IssuedToken {
  token: string;
  expiration: Date;
}

export type TokenCheck = { ok: true; subject: ServiceAccountTokenSubject } | { ok: false; reason: string };

export class ServiceAccountTokenIssuer {
  readonly issuer: string;
  readonly audiences: string[];
  private readonly keyId: string;
  private readonly now: () => Date;

  constructor(private readonly options: TokenIssuerOptions) {
    this.issuer = options.issuer ?? DEFAULT_ISSUER;
    this.audiences = options.audiences?.length ? options.audiences : [this.issuer];
    this.keyId = keyIdOf(options.key.publicKey);
    this.now = options.now ?? (() => new Date());
  }

  issue(subject: ServiceAccountTokenSubject, audiences: string[], expirationSeconds: number): IssuedToken {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const claims = buildClaims({ issuer: this.issuer, audiences, subject, nowSeconds, expirationSeconds, tokenId: randomUUID() });
    return { token: signJwt({ ...claims }, this.options.key.privateKey, this.keyId), expiration: new Date(claims.exp * 1000) };
  }

  /** True when the token has the shape of one of ours, so other authenticators need not see it. */
  handles(token: string): boolean {
    return looksLikeJwt(token);
  }

  /** Checks signature and claims; `audiences` (default: the API server's) must include one of the token's. */
  check(token: string, audiences: readonly string[] = this.audiences): TokenCheck {
    let claims: Record<string, unknown>;
    try {
      claims = verifyJwtSignature(token, this.options.key.publicKey);
    } catch (err) {
      if (err instanceof JwtError) return { ok: false, reason: err.message };
      throw err;
    }
    return checkClaims(claims, { issuer: this.issuer, audiences, nowSeconds: Math.floor(this.now().getTime() / 1000) });
  }
}
