// The kubeconfig the server writes: one cluster (with our CA inline), one admin user with a token.

import { stringify } from 'yaml';

export function kubeconfigYaml(options: { server: string; caPem: string; token: string; name?: string }): string {
  const name = options.name ?? 'default';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: options.server, 'certificate-authority-data': Buffer.from(options.caPem).toString('base64') } }],
    users: [{ name, user: { token: options.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
