// The admin bearer token: given with --token, else generated once and kept in the data dir
// (like k3s's server token), so restarts keep existing kubeconfigs working.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BoundObjectChecker } from '../serviceaccount/bound-objects.js';
import { serviceAccountUsername, type ServiceAccountTokenSubject } from '../serviceaccount/claims.js';
import type { ServiceAccountTokenIssuer } from '../serviceaccount/token-issuer.js';

export function ensureToken(tokenPath: string, given?: string): string {
  if (given) {
    mkdirSync(dirname(tokenPath), { recursive: true, mode: 0o700 });
    writeFileSync(tokenPath, `${given}\n`, { mode: 0o600 });
    return given;
  }
  if (existsSync(tokenPath)) {
    const stored = readFileSync(tokenPath, 'utf8').trim();
    if (stored) return stored;
  }
  const token = randomBytes(24).toString('hex');
  mkdirSync(dirname(tokenPath), { recursive: true, mode: 0o700 });
  writeFileSync(tokenPath, `${token}\n`, { mode: 0o600 });
  return token;
}

export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  /** Authenticator-specific attributes (service accounts: the pod the token is bound to). */
  extra?: Record<string, string[]>;
}

/**
 * Checks `Authorization: Bearer <token>`: first against the known static tokens in constant time,
 * then, when service account tokens are enabled, as a JWT signed by our key whose service account
 * and bound object still exist.
 */
export class TokenAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();
  private serviceAccounts?: { issuer: ServiceAccountTokenIssuer; bound: BoundObjectChecker };

  addToken(token: string, user: UserInfo): void {
    this.tokens.set(token, user);
  }

  useServiceAccountTokens(issuer: ServiceAccountTokenIssuer, bound: BoundObjectChecker): void {
    this.serviceAccounts = { issuer, bound };
  }

  authenticate(authorization: string | undefined): UserInfo | undefined {
    if (!authorization) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return undefined;
    return this.staticToken(match[1]) ?? this.serviceAccountToken(match[1]);
  }

  /**
   * A TokenReview: whom `token` authenticates for one of `audiences` (default: the API server's),
   * and the audiences it was accepted for. Static tokens are valid only for the API server.
   */
  review(token: string, audiences: readonly string[] = []): { user?: UserInfo; audiences: string[] } {
    const apiAudiences = this.serviceAccounts?.issuer.audiences ?? [];
    const wanted = audiences.length ? [...audiences] : [...apiAudiences];
    const staticUser = this.staticToken(token);
    if (staticUser) {
      const accepted = audiences.length ? wanted.filter((a) => apiAudiences.includes(a)) : wanted;
      return audiences.length && accepted.length === 0 ? { audiences: [] } : { user: staticUser, audiences: accepted };
    }
    const user = this.serviceAccountToken(token, wanted);
    return user ? { user, audiences: wanted } : { audiences: [] };
  }

  private serviceAccountToken(token: string, audiences?: readonly string[]): UserInfo | undefined {
    if (!this.serviceAccounts?.issuer.handles(token)) return undefined;
    const checked = this.serviceAccounts.issuer.check(token, audiences);
    if (!checked.ok) return undefined;
    const { subject } = checked;
    if (!this.serviceAccounts.bound.stillBound(subject)) return undefined;
    return serviceAccountUser(subject);
  }

  private staticToken(token: string): UserInfo | undefined {
    const presented = Buffer.from(token);
    for (const [token, user] of this.tokens) {
      const known = Buffer.from(token);
      if (known.length === presented.length && timingSafeEqual(known, presented)) return user;
    }
    return undefined;
  }
}

/** The user a service account token stands for, with the groups and extras Kubernetes gives it. */
export function serviceAccountUser(subject: ServiceAccountTokenSubject): UserInfo {
  const extra: Record<string, string[]> = {};
  if (subject.pod) {
    extra['authentication.kubernetes.io/pod-name'] = [subject.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [subject.pod.uid];
  }
  if (subject.node) {
    extra['authentication.kubernetes.io/node-name'] = [subject.node.name];
    extra['authentication.kubernetes.io/node-uid'] = [subject.node.uid];
  }
  return {
    name: serviceAccountUsername(subject.namespace, subject.serviceAccount.name),
    uid: subject.serviceAccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${subject.namespace}`, 'system:authenticated'],
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}
