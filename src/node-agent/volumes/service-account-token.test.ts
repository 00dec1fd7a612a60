import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/meta.js';
import { ServiceAccountTokenCache, tokenNeedsRefresh, tokenRequestFor } from './service-account-token.js';

const HOUR = 3600_000;

test('renewal after 80% of the lifetime or after a day', () => {
  const cases: Array<[number, number, number, boolean]> = [
    // issuedAt, expiresAt, now, needs refresh
    [0, HOUR, 0, false],
    [0, HOUR, 0.79 * HOUR, false],
    [0, HOUR, 0.8 * HOUR, true],
    [0, HOUR, 2 * HOUR, true],
    [0, 48 * HOUR, 23 * HOUR, false],
    [0, 48 * HOUR, 24 * HOUR, true],
  ];
  for (const [issuedAt, expiresAt, now, want] of cases) assert.equal(tokenNeedsRefresh({ token: 't', issuedAt, expiresAt }, now), want, `${issuedAt} ${expiresAt} ${now}`);
});

const pod: KubeObject = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' }, spec: { serviceAccountName: 'builder' } };

test('the TokenRequest binds the token to the pod', () => {
  assert.deepEqual(tokenRequestFor(pod, { path: 'token', expirationSeconds: 3607 }).spec, {
    audiences: [], expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'u1' },
  });
  assert.deepEqual((tokenRequestFor(pod, { path: 't', audience: 'vault' }).spec as { audiences: string[] }).audiences, ['vault']);
});

test('tokens are reused until due, and failures name the cause', async () => {
  let now = 0;
  const asked: string[] = [];
  let fail = false;
  const cache = new ServiceAccountTokenCache({
    async requestServiceAccountToken(ns, sa) {
      if (fail) throw new Error('serviceaccounts "builder" not found');
      asked.push(`${ns}/${sa}`);
      return { metadata: {}, status: { token: `tok${asked.length}`, expirationTimestamp: new Date(now + HOUR).toISOString() } };
    },
  }, () => now);
  assert.equal(await cache.token(pod, { path: 'token' }), 'tok1');
  now = 0.5 * HOUR;
  assert.equal(await cache.token(pod, { path: 'token' }), 'tok1');
  now = 0.9 * HOUR;
  assert.equal(await cache.token(pod, { path: 'token' }), 'tok2');
  assert.deepEqual(asked, ['ns/builder', 'ns/builder']);
  fail = true;
  cache.forget('u1');
  await assert.rejects(cache.token(pod, { path: 'token' }), /failed to fetch token: serviceaccounts "builder" not found/);
  await assert.rejects(new ServiceAccountTokenCache(undefined).token(pod, { path: 'token' }), /failed to fetch token/);
});
