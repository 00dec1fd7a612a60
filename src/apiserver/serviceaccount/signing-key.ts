// The key that signs service account tokens: made on first start and kept beside the cluster CA
// (`sa.key`, 0600, and `sa.pub`), as kubeadm keeps it. New keys are ECDSA P-256 (ES256 tokens,
// which Kubernetes accepts): every pod start has a token signed, and an RSA-2048 signature cost
// the API server's thread about half a millisecond, an ES256 one a few tens of microseconds. An
// RSA key from an older data dir keeps working (RS256). Generation runs on libuv's thread pool
// (async generateKeyPair), so the event loop stays free; later starts only read the file.

import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function signingKeyPaths(tlsDir: string): { key: string; pub: string } {
  return { key: join(tlsDir, 'sa.key'), pub: join(tlsDir, 'sa.pub') };
}

export async function ensureServiceAccountKey(tlsDir: string): Promise<SigningKey> {
  const paths = signingKeyPaths(tlsDir);
  if (existsSync(paths.key)) {
    const privateKey = createPrivateKey(readFileSync(paths.key, 'utf8'));
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'prime256v1' });
  // Written under a temporary name first: a crash never leaves half a key that later starts would read.
  const temporary = `${paths.key}.tmp`;
  writeFileSync(temporary, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(paths.pub, publicKey.export({ type: 'spki', format: 'pem' }));
  renameSync(temporary, paths.key);
  return { privateKey, publicKey };
}
