import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { DEFAULT_ISSUER } from './claims.js';
import { algorithmOf, signJwt, verifyJwtSignature } from './jwt.js';
import { ServiceAccountTokenIssuer } from './token-issuer.js';

const keyA = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyB = generateKeyPairSync('rsa', { modulusLength: 2048 });
const T0 = new Date('2025-01-01T00:00:00Z');
const subject = { namespace: 'default', serviceAccount: { name: 'default', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' } };

function issuerAt(now: Date, key = keyA) {
  return new ServiceAccountTokenIssuer({ key, now: () => now });
}

describe('service account tokens', () => {
  test('claims as Kubernetes issues them', () => {
    const { token, expiration } = issuerAt(T0).issue(subject, [DEFAULT_ISSUER], 3600);
    const claims = verifyJwtSignature(token, keyA.publicKey);
    const now = T0.getTime() / 1000;
    assert.equal(claims.iss, DEFAULT_ISSUER);
    assert.equal(claims.sub, 'system:serviceaccount:default:default');
    assert.deepEqual(claims.aud, [DEFAULT_ISSUER]);
    assert.equal(claims.iat, now);
    assert.equal(claims.nbf, now);
    assert.equal(claims.exp, now + 3600);
    assert.equal(typeof claims.jti, 'string');
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'default', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' } });
    assert.equal(expiration.getTime(), T0.getTime() + 3600_000);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, string>;
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid);
  });

  test('checks reject what Kubernetes rejects', () => {
    const good = issuerAt(T0).issue(subject, [DEFAULT_ISSUER], 3600).token;
    const [h, c, s] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url')}.${s}`;
    const cases: Array<{ name: string; token: string; at: Date; ok: boolean; reason?: RegExp }> = [
      { name: 'valid', token: good, at: T0, ok: true },
      { name: 'within leeway after expiry', token: good, at: new Date(T0.getTime() + 3650_000), ok: true },
      { name: 'expired', token: good, at: new Date(T0.getTime() + 3700_000), ok: false, reason: /expired/ },
      { name: 'not yet valid', token: good, at: new Date(T0.getTime() - 120_000), ok: false, reason: /not valid yet/ },
      { name: 'other key', token: issuerAt(T0, keyB).issue(subject, [DEFAULT_ISSUER], 3600).token, at: T0, ok: false, reason: /signature/ },
      { name: 'other audience', token: issuerAt(T0).issue(subject, ['vault'], 3600).token, at: T0, ok: false, reason: /audiences/ },
      { name: 'tampered claims', token: tampered, at: T0, ok: false, reason: /signature/ },
      { name: 'garbage', token: 'a.b.c', at: T0, ok: false },
      { name: 'wrong issuer', token: signJwt({ ...claims, iss: 'https://elsewhere' }, keyA.privateKey), at: T0, ok: false, reason: /issuer/ },
      { name: 'subject mismatch', token: signJwt({ ...claims, sub: 'system:serviceaccount:default:other' }, keyA.privateKey), at: T0, ok: false, reason: /subject/ },
    ];
    for (const c of cases) {
      const result = issuerAt(c.at).check(c.token);
      assert.equal(result.ok, c.ok, c.name);
      if (!result.ok && c.reason) assert.match(result.reason, c.reason, c.name);
      if (result.ok) assert.deepEqual(result.subject, subject, c.name);
    }
  });

  test('only JWT-shaped tokens are taken for service account tokens', () => {
    const issuer = issuerAt(T0);
    assert.equal(issuer.handles('0123456789abcdef'), false);
    assert.equal(issuer.handles(issuer.issue(subject, [DEFAULT_ISSUER], 600).token), true);
  });
});

describe('signing keys: ES256 with the EC P-256 keys new clusters make, RS256 with older RSA keys', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const claims = { iss: DEFAULT_ISSUER, sub: 'x' };

  test('the algorithm follows the key and the signature verifies', () => {
    for (const [key, alg] of [[ec, 'ES256'], [keyA, 'RS256']] as const) {
      const token = signJwt(claims, key.privateKey);
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, string>;
      assert.equal(header.alg, alg);
      assert.deepEqual(verifyJwtSignature(token, key.publicKey), claims);
      if (alg === 'ES256') assert.equal(Buffer.from(token.split('.')[2]!, 'base64url').length, 64, 'r || s, not DER');
    }
  });

  test('an issuer with an EC key issues tokens it accepts, and rejects tampering', () => {
    const issuer = new ServiceAccountTokenIssuer({ key: ec, now: () => T0 });
    const { token } = issuer.issue(subject, [DEFAULT_ISSUER], 3600);
    assert.equal(issuer.handles(token), true);
    const result = issuer.check(token);
    assert.ok(result.ok);
    const [h, c] = token.split('.') as [string, string, string];
    assert.equal(issuer.check(`${h}.${c}.${Buffer.alloc(64).toString('base64url')}`).ok, false);
  });

  test('the header cannot choose the algorithm: an RS256 token is not checked against an EC key, nor ES256 against RSA', () => {
    assert.throws(() => verifyJwtSignature(signJwt(claims, keyA.privateKey), ec.publicKey), /unsupported signing algorithm/);
    assert.throws(() => verifyJwtSignature(signJwt(claims, ec.privateKey), keyA.publicKey), /unsupported signing algorithm/);
  });

  test('keys of other types or curves are refused', () => {
    assert.throws(() => algorithmOf(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey), /unsupported signing key: ec secp384r1/);
    assert.throws(() => algorithmOf(generateKeyPairSync('ed25519').privateKey), /unsupported signing key: ed25519/);
  });
});
