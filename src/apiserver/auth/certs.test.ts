import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTls } from './certs.js';

test('certificates are made once and kept while the host names stay the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kijabi-tls-'));
  try {
    const hosts = ['localhost', '127.0.0.1', '::1', 'example.test'];
    const first = await ensureTls(dir, hosts);
    assert.match(first.certPem, /BEGIN CERTIFICATE/);
    const made = statSync(join(dir, 'serving-kube-apiserver.crt')).mtimeMs;
    const second = await ensureTls(dir, hosts);
    assert.equal(second.certPem, first.certPem, 'same hosts (including an IPv6 address): the certificate is reused');
    assert.equal(statSync(join(dir, 'serving-kube-apiserver.crt')).mtimeMs, made);
    const third = await ensureTls(dir, [...hosts, 'other.test']);
    assert.notEqual(third.certPem, first.certPem, 'a new host name gets a new certificate');
    assert.equal(third.caCertPem, first.caCertPem, 'from the same CA');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
