import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKubeconfig } from './kubeconfig.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const text = `
apiVersion: v1
kind: Config
current-context: main
clusters:
- name: kijabi
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: ${Buffer.from(PEM).toString('base64')}
- name: other
  cluster:
    server: https://127.0.0.1:7443
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: secret-token
contexts:
- name: main
  context: {cluster: kijabi, user: admin}
- name: side
  context: {cluster: other, user: admin}
`;

describe('parseKubeconfig', () => {
  test('reads the current context', () => {
    const c = parseKubeconfig(text);
    assert.equal(c.server, 'https://127.0.0.1:6443');
    assert.equal(c.token, 'secret-token');
    assert.equal(c.ca, PEM);
    assert.equal(c.caData, Buffer.from(PEM).toString('base64'));
    assert.equal(c.insecure, undefined);
  });
  test('reads a named context', () => {
    const c = parseKubeconfig(text, { context: 'side' });
    assert.equal(c.server, 'https://127.0.0.1:7443');
    assert.equal(c.insecure, true);
  });
  test('unknown context fails clearly', () => {
    assert.throws(() => parseKubeconfig(text, { context: 'nope' }), /context "nope" not found/);
  });
});
