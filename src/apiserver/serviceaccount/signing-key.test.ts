import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { algorithmOf, signJwt, verifyJwtSignature } from './jwt.js';
import { ensureServiceAccountKey, signingKeyPaths } from './signing-key.js';

const base = mkdtempSync(join(tmpdir(), 'kjb-sakey-'));
after(() => rmSync(base, { recursive: true, force: true }));

describe('service account signing key', () => {
  test('a new cluster gets an EC P-256 key (ES256), private to root, the same on the next start', async () => {
    const dir = join(base, 'new');
    const first = await ensureServiceAccountKey(dir);
    assert.equal(algorithmOf(first.privateKey), 'ES256');
    assert.equal(statSync(signingKeyPaths(dir).key).mode & 0o777, 0o600);
    const again = await ensureServiceAccountKey(dir);
    const token = signJwt({ sub: 'x' }, first.privateKey);
    assert.deepEqual(verifyJwtSignature(token, again.publicKey), { sub: 'x' });
  });

  test('an RSA key of an older data dir is kept and signs RS256', async () => {
    const dir = join(base, 'old');
    mkdirSync(dir);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(signingKeyPaths(dir).key, rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    const loaded = await ensureServiceAccountKey(dir);
    assert.equal(algorithmOf(loaded.privateKey), 'RS256');
    assert.deepEqual(verifyJwtSignature(signJwt({ sub: 'y' }, loaded.privateKey), rsa.publicKey), { sub: 'y' });
  });
});
