import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceEnvironment, serviceVariables } from './service-env.js';

const api = { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } };
const web = { metadata: { name: 'my-web', namespace: 'shop' }, spec: { clusterIP: '10.43.7.9', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] } };

test('one Service\'s variables, as the kubelet writes them', () => {
  assert.deepEqual(Object.fromEntries(serviceVariables(api)), {
    KUBERNETES_SERVICE_HOST: '10.43.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.43.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.43.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.43.0.1',
  });
  const vars = Object.fromEntries(serviceVariables(web));
  assert.equal(vars.MY_WEB_SERVICE_PORT_DNS, '53');
  assert.equal(vars.MY_WEB_PORT_53_UDP, 'udp://10.43.7.9:53');
  assert.equal(vars.MY_WEB_PORT, 'tcp://10.43.7.9:80');
  assert.deepEqual(serviceVariables({ metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }), []);
});

test('which Services a pod sees: its namespace\'s (with service links) and always the API server\'s', () => {
  const other = { metadata: { name: 'elsewhere', namespace: 'other' }, spec: { clusterIP: '10.43.1.1', ports: [{ port: 1 }] } };
  const names = (env: string[]) => [...new Set(env.map((e) => e.split('_')[0]))].sort();
  assert.deepEqual(names(serviceEnvironment([api, web, other], 'shop', true)), ['KUBERNETES', 'MY']);
  assert.deepEqual(names(serviceEnvironment([api, web, other], 'shop', false)), ['KUBERNETES']);
  assert.deepEqual(names(serviceEnvironment([web], 'default', true)), []);
});
