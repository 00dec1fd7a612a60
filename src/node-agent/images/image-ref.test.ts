import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, normalizeImageRef } from './image-ref.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('normalizeImageRef', () => {
  const cases: Array<[string, { registry: string; repository: string; tag?: string; digest?: string; canonical: string }]> = [
    ['busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', canonical: 'docker.io/library/busybox:latest' }],
    ['busybox:1.36', { registry: 'docker.io', repository: 'library/busybox', tag: '1.36', canonical: 'docker.io/library/busybox:1.36' }],
    ['bitnami/nginx:1.2', { registry: 'docker.io', repository: 'bitnami/nginx', tag: '1.2', canonical: 'docker.io/bitnami/nginx:1.2' }],
    ['docker.io/busybox', { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', canonical: 'docker.io/library/busybox:latest' }],
    ['index.docker.io/library/busybox:1', { registry: 'docker.io', repository: 'library/busybox', tag: '1', canonical: 'docker.io/library/busybox:1' }],
    ['registry.k8s.io/pause:3.9', { registry: 'registry.k8s.io', repository: 'pause', tag: '3.9', canonical: 'registry.k8s.io/pause:3.9' }],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest', canonical: 'localhost/app:latest' }],
    ['localhost:5000/a/b:v1', { registry: 'localhost:5000', repository: 'a/b', tag: 'v1', canonical: 'localhost:5000/a/b:v1' }],
    ['127.0.0.1:5000/library/busybox:web', { registry: '127.0.0.1:5000', repository: 'library/busybox', tag: 'web', canonical: '127.0.0.1:5000/library/busybox:web' }],
    ['[::1]:5000/busybox', { registry: '[::1]:5000', repository: 'busybox', tag: 'latest', canonical: '[::1]:5000/busybox:latest' }],
    [`busybox@${DIGEST}`, { registry: 'docker.io', repository: 'library/busybox', digest: DIGEST, canonical: `docker.io/library/busybox@${DIGEST}` }],
    [`quay.io/x/y:1.0@${DIGEST}`, { registry: 'quay.io', repository: 'x/y', tag: '1.0', digest: DIGEST, canonical: `quay.io/x/y@${DIGEST}` }],
    ['ghcr.io/o/my_app__x-y.z:v1.0-rc_1', { registry: 'ghcr.io', repository: 'o/my_app__x-y.z', tag: 'v1.0-rc_1', canonical: 'ghcr.io/o/my_app__x-y.z:v1.0-rc_1' }],
  ];
  for (const [input, expected] of cases) {
    test(input, () => {
      const ref = normalizeImageRef(input);
      assert.deepEqual(
        { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest, canonical: ref.canonical },
        { tag: undefined, digest: undefined, ...expected },
      );
      assert.equal(ref.name, `${expected.registry}/${expected.repository}`);
    });
  }

  const invalid = ['', 'BusyBox', 'busybox:', 'busybox@sha256:123', 'a//b', '-x', 'busybox:tag with space', 'a'.repeat(64), 'host.io/', 'busybox:-bad'];
  for (const input of invalid) {
    test(`rejects ${JSON.stringify(input.slice(0, 20))}`, () => {
      assert.throws(() => normalizeImageRef(input), /reference/);
    });
  }
});

test('familiarName shortens Hub names only', () => {
  assert.equal(familiarName('docker.io/library/busybox'), 'busybox');
  assert.equal(familiarName('docker.io/bitnami/nginx'), 'bitnami/nginx');
  assert.equal(familiarName('127.0.0.1:5000/library/busybox'), '127.0.0.1:5000/library/busybox');
});
