// The kubeconfig the server writes: one cluster (with our CA inline), one admin user with a token.
// A fixed shape, so it is written directly rather than by loading a YAML library at every start;
// values are JSON-quoted, which YAML reads as plain strings.

export function kubeconfigYaml(options: { server: string; caPem: string; token: string; name?: string }): string {
  const name = JSON.stringify(options.name ?? 'default');
  const q = (value: string) => JSON.stringify(value);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${q(options.server)}`,
    `    certificate-authority-data: ${q(Buffer.from(options.caPem).toString('base64'))}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    `    token: ${q(options.token)}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    '    namespace: default',
    `current-context: ${name}`,
    'preferences: {}',
    '',
  ].join('\n');
}
