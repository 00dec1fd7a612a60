import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { choosePlatformManifest, formatRegistryErrors, isIndexDocument, parseAuthenticateHeader, reasonForStatus, MEDIA_OCI_MANIFEST } from './registry-client.js';
import { isLoopbackHost, registryKey, resolveEndpoints } from './registries.js';

describe('formatRegistryErrors', () => {
  const cases: Array<[string, number, string]> = [
    ['{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"nope"}}]}', 404, 'manifest unknown'],
    ['{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}', 401, 'unauthorized: authentication required'],
    ['{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}', 403, 'denied: requested access to the resource is denied'],
    ['', 404, 'not found'],
    ['<html>bad gateway</html>', 502, 'unexpected status 502'],
    ['plain text problem', 500, 'plain text problem'],
  ];
  for (const [body, status, expected] of cases) test(`${status} ${body.slice(0, 30)}`, () => assert.equal(formatRegistryErrors(body, status), expected));
});

test('reasonForStatus', () => {
  assert.equal(reasonForStatus(401, 'unauthorized'), 'Unauthorized');
  assert.equal(reasonForStatus(404, 'manifest unknown'), 'ImageNotFound');
  assert.equal(reasonForStatus(503, 'x'), 'RegistryUnavailable');
  assert.equal(reasonForStatus(400, 'x'), 'ErrImagePull');
});

test('parseAuthenticateHeader handles quoted commas', () => {
  const parsed = parseAuthenticateHeader('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"');
  assert.deepEqual(parsed, { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:a/b:pull,push' } });
  assert.deepEqual(parseAuthenticateHeader('Basic realm="kijabi-test"'), { scheme: 'basic', params: { realm: 'kijabi-test' } });
});

test('choosePlatformManifest picks linux/<arch> and skips attestations', () => {
  const d = (digest: string, os: string, architecture: string, variant?: string) => ({ mediaType: MEDIA_OCI_MANIFEST, digest, size: 1, platform: { os, architecture, ...(variant ? { variant } : {}) } });
  const index = { schemaVersion: 2, manifests: [d('a', 'unknown', 'unknown'), d('b', 'linux', 'arm64', 'v8'), d('c', 'linux', 'amd64'), d('e', 'windows', 'amd64')] };
  assert.equal(choosePlatformManifest(index, 'amd64')?.digest, 'c');
  assert.equal(choosePlatformManifest(index, 'arm64')?.digest, 'b');
  assert.equal(choosePlatformManifest(index, 's390x'), undefined);
  assert.equal(isIndexDocument(undefined, { manifests: [] }), true);
  assert.equal(isIndexDocument(MEDIA_OCI_MANIFEST, { manifests: [] }), false);
});

describe('registries config', () => {
  test('loopback detection', () => {
    for (const h of ['127.0.0.1:5000', 'localhost', 'localhost:80', '[::1]:5000', '127.9.8.7']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['10.0.0.1:5000', 'registry.local', 'localhost.example.com']) assert.equal(isLoopbackHost(h), false, h);
  });

  test('registryKey of dockerconfigjson entries', () => {
    assert.equal(registryKey('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(registryKey('quay.io'), 'quay.io');
    assert.equal(registryKey('http://127.0.0.1:5000'), '127.0.0.1:5000');
  });

  test('mirrors first, then upstream, with per-host config and pull secrets', () => {
    const endpoints = resolveEndpoints(
      'docker.io',
      {
        mirrors: { 'docker.io': { endpoint: ['https://mirror.example.com:8443/v2', 'http://127.0.0.1:5000'] } },
        configs: { 'mirror.example.com:8443': { auth: { username: 'm', password: 'p' }, tls: { insecure_skip_verify: true } } },
      },
      [{ registry: 'https://index.docker.io/v1/', auth: Buffer.from('hub:secret').toString('base64') }],
    );
    assert.deepEqual(endpoints, [
      { baseUrl: 'https://mirror.example.com:8443', host: 'mirror.example.com:8443', tls: { insecure_skip_verify: true }, credentials: { username: 'm', password: 'p' } },
      { baseUrl: 'http://127.0.0.1:5000', host: '127.0.0.1:5000' },
      { baseUrl: 'https://registry-1.docker.io', host: 'registry-1.docker.io', credentials: { username: 'hub', password: 'secret' } },
    ]);
  });

  test('plain http for loopback registries without configuration; https otherwise', () => {
    assert.equal(resolveEndpoints('127.0.0.1:5000', undefined)[0]?.baseUrl, 'http://127.0.0.1:5000');
    assert.equal(resolveEndpoints('[::1]:5000', undefined)[0]?.baseUrl, 'http://[::1]:5000');
    assert.equal(resolveEndpoints('quay.io', undefined)[0]?.baseUrl, 'https://quay.io');
  });
});
