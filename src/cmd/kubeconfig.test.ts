import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { kubeconfigYaml } from './kubeconfig.js';

test('the written kubeconfig is the YAML kubectl expects', () => {
  const text = kubeconfigYaml({ server: 'https://127.0.0.1:6443', caPem: '-----BEGIN CERTIFICATE-----\nx\n', token: 'a"b:c' });
  assert.deepEqual(parse(text), {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('-----BEGIN CERTIFICATE-----\nx\n').toString('base64') } }],
    users: [{ name: 'default', user: { token: 'a"b:c' } }],
    contexts: [{ name: 'default', context: { cluster: 'default', user: 'default', namespace: 'default' } }],
    'current-context': 'default',
    preferences: {},
  });
});
