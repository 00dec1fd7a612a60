// Tokens for `serviceAccountToken` projected sources: asked from the API (TokenRequest bound to
// the pod) and reused until the kubelet's rule says to renew them, i.e. once 80% of their lifetime
// has passed or they are 24 hours old. Decisions are pure; the cache does the asking.

import type { KubeObject } from '../../api/meta.js';

/** Asks the API for a token: POST .../serviceaccounts/{name}/token with a TokenRequest body. */
export interface TokenRequester {
  requestServiceAccountToken(namespace: string, serviceAccount: string, tokenRequest: KubeObject): Promise<KubeObject>;
}

export interface TokenSource {
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

export interface CachedToken {
  token: string;
  /** ms since the epoch */
  issuedAt: number;
  expiresAt: number;
}

const DEFAULT_EXPIRATION_SECONDS = 3600;
const MAX_TOKEN_AGE_MS = 24 * 3600 * 1000;

/** True when the token is past 80% of its lifetime or older than a day (`jitterMs` spreads renewals). */
export function tokenNeedsRefresh(cached: CachedToken, nowMs: number, jitterMs = 0): boolean {
  const lifetime = cached.expiresAt - cached.issuedAt;
  if (nowMs >= cached.issuedAt + MAX_TOKEN_AGE_MS - jitterMs) return true;
  return nowMs >= cached.expiresAt - lifetime * 0.2 - jitterMs;
}

export function tokenRequestFor(pod: KubeObject, source: TokenSource): KubeObject {
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: {},
    spec: {
      audiences: source.audience ? [source.audience] : [],
      expirationSeconds: source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
    },
  };
}

export class ServiceAccountTokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly requester: TokenRequester | undefined, private readonly now: () => number = Date.now) {}

  /** The token for this pod and source, fresh from the API when there is none or it is due. */
  async token(pod: KubeObject, source: TokenSource): Promise<string> {
    const key = `${pod.metadata.uid ?? ''}|${source.audience ?? ''}|${source.expirationSeconds ?? ''}`;
    const cached = this.tokens.get(key);
    const now = this.now();
    if (cached && !tokenNeedsRefresh(cached, now, Math.random() * 10_000)) return cached.token;
    if (!this.requester) throw new Error('failed to fetch token: this node agent cannot request tokens');
    const namespace = pod.metadata.namespace ?? 'default';
    const serviceAccount = ((pod.spec ?? {}) as { serviceAccountName?: string }).serviceAccountName || 'default';
    let answer: KubeObject;
    try {
      answer = await this.requester.requestServiceAccountToken(namespace, serviceAccount, tokenRequestFor(pod, source));
    } catch (err) {
      throw new Error(`failed to fetch token: ${err instanceof Error ? err.message : String(err)}`);
    }
    const status = (answer.status ?? {}) as { token?: string; expirationTimestamp?: string };
    if (!status.token) throw new Error('failed to fetch token: the API returned no token');
    const expiresAt = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : now + (source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS) * 1000;
    this.tokens.set(key, { token: status.token, issuedAt: now, expiresAt });
    return status.token;
  }

  forget(podUid: string): void {
    for (const key of this.tokens.keys()) if (key.startsWith(`${podUid}|`)) this.tokens.delete(key);
  }
}
