import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { ObjectSource } from '../volumes/object-source.js';
import { expandVariables, resolveEnv } from './env.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function fakeSource(): ObjectSource {
  const configMaps: Record<string, KubeObject> = {
    'default/cfg': { metadata: { name: 'cfg', namespace: 'default' }, data: { MODE: 'fast', LEVEL: '3', 'bad=key': 'x' } },
  };
  const secrets: Record<string, KubeObject> = {
    'default/mysecret': { metadata: { name: 'mysecret', namespace: 'default' }, data: { password: b64('s3cr3t') } },
  };
  return {
    getConfigMap: async (ns, name) => configMaps[`${ns}/${name}`],
    getSecret: async (ns, name) => secrets[`${ns}/${name}`],
  };
}

const pod: KubeObject = {
  metadata: { name: 'web-1', namespace: 'default', uid: 'uid-123', labels: { app: 'web', tier: 'front' }, annotations: { note: 'a "quoted" value' } },
  spec: { nodeName: 'node-a', serviceAccountName: 'builder' },
  status: {},
};

const extra = { nodeName: 'node-a', podIp: '10.244.0.5', hostIp: '192.168.1.2', serviceEnv: ['WEB_SERVICE_HOST=10.96.0.9', 'MODE=from-service'], allocatable: { cpu: '4', memory: '8Gi' } };

describe('expandVariables', () => {
  const vars = new Map([['A', 'x'], ['B', 'y']]);
  const cases: [string, string][] = [
    ['$(A)', 'x'],
    ['$(A)-$(B)', 'x-y'],
    ['$$(A)', '$(A)'],
    ['$(MISSING)', '$(MISSING)'],
    ['$(A', '$(A'],
    ['cost $5', 'cost $5'],
    ['trailing $', 'trailing $'],
    ['$$$$', '$$'],
    ['', ''],
  ];
  for (const [input, want] of cases) test(JSON.stringify(input), () => assert.equal(expandVariables(input, (n) => vars.get(n)), want));
});

describe('resolveEnv', () => {
  const ok: { name: string; container: Record<string, unknown>; want: string[] }[] = [
    { name: 'image env first, then service links', container: { name: 'c' }, want: ['PATH=/bin', 'WEB_SERVICE_HOST=10.96.0.9', 'MODE=from-service'] },
    {
      name: 'envFrom overrides service env; env overrides envFrom; prefix',
      container: { name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'mysecret' } }], env: [{ name: 'LEVEL', value: '9' }] },
      want: ['PATH=/bin', 'WEB_SERVICE_HOST=10.96.0.9', 'MODE=fast', 'LEVEL=9', 'S_password=s3cr3t'],
    },
    {
      name: '$(VAR) sees earlier env, envFrom and service env, not later env',
      container: { name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }], env: [
        { name: 'A', value: 'a-$(LEVEL)-$(WEB_SERVICE_HOST)' }, { name: 'B', value: '$(A)/$(C)/$$(A)' }, { name: 'C', value: 'c' }] },
      want: ['PATH=/bin', 'WEB_SERVICE_HOST=10.96.0.9', 'MODE=fast', 'LEVEL=3', 'A=a-3-10.96.0.9', 'B=a-3-10.96.0.9/$(C)/$(A)', 'C=c'],
    },
    {
      name: 'fieldRef values',
      container: { name: 'c', env: [
        { name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'NOTE', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['note']" } } },
        { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'HOSTS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
      ] },
      want: ['PATH=/bin', 'WEB_SERVICE_HOST=10.96.0.9', 'MODE=from-service', 'N=web-1', 'NS=default', 'UID=uid-123', 'APP=web', 'NOTE=a "quoted" value',
        'LABELS=app="web"\ntier="front"', 'NODE=node-a', 'SA=builder', 'HOST=192.168.1.2', 'HOSTS=192.168.1.2', 'IP=10.244.0.5', 'IPS=10.244.0.5'],
    },
    {
      name: 'resourceFieldRef with divisor, cpu rounds up, unset limits use allocatable',
      container: { name: 'c', resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m' } }, env: [
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'REQ_MEM', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
      ] },
      want: ['PATH=/bin', 'WEB_SERVICE_HOST=10.96.0.9', 'MODE=from-service', 'CPU=1', 'CPU_M=250', 'REQ_M=100', 'MEM_MI=64', 'REQ_MEM=0'],
    },
    {
      name: 'unset limits fall back to node allocatable',
      container: { name: 'c', env: [
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Gi' } } },
      ] },
      want: ['PATH=/bin', 'WEB_SERVICE_HOST=10.96.0.9', 'MODE=from-service', 'CPU=4', 'MEM=8'],
    },
    {
      name: 'key refs, optional absent sources are skipped',
      container: { name: 'c', envFrom: [{ configMapRef: { name: 'nope', optional: true } }, { secretRef: { name: 'nope', optional: true } }], env: [
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'mysecret', key: 'password' } } },
        { name: 'M', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
        { name: 'X1', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing', optional: true } } },
        { name: 'X2', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'X3', valueFrom: { secretKeyRef: { name: 'mysecret', key: 'missing', optional: true } } },
        { name: 'X4', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'EMPTY' },
      ] },
      want: ['PATH=/bin', 'WEB_SERVICE_HOST=10.96.0.9', 'MODE=from-service', 'PW=s3cr3t', 'M=fast', 'EMPTY='],
    },
  ];
  for (const c of ok) {
    test(c.name, async () => assert.deepEqual(await resolveEnv(pod, c.container, ['PATH=/bin'], fakeSource(), extra), c.want));
  }

  const failures: { name: string; env?: unknown[]; envFrom?: unknown[]; message: string }[] = [
    { name: 'missing secret key', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'mysecret', key: 'missing' } } }], message: "couldn't find key missing in Secret default/mysecret" },
    { name: 'missing secret', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }], message: 'secret "nope" not found' },
    { name: 'missing configmap key', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing' } } }], message: "couldn't find key missing in ConfigMap default/cfg" },
    { name: 'missing configmap', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }], message: 'configmap "x" not found' },
    { name: 'envFrom missing configmap', envFrom: [{ configMapRef: { name: 'x' } }], message: 'configmap "x" not found' },
    { name: 'envFrom missing secret', envFrom: [{ secretRef: { name: 'x' } }], message: 'secret "x" not found' },
    { name: 'unsupported fieldPath', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }], message: 'unsupported fieldPath: spec.hostname' },
    { name: 'unsupported resource', env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }], message: 'unsupported container resource : limits.gpu' },
  ];
  for (const c of failures) {
    test(`error: ${c.name}`, async () => {
      await assert.rejects(resolveEnv(pod, { name: 'c', env: c.env, envFrom: c.envFrom }, [], fakeSource(), extra),
        (err: Error & { reason?: string }) => err.reason === 'CreateContainerConfigError' && err.message === c.message);
    });
  }

  test('invalid envFrom keys are skipped with the kubelet event', async () => {
    const events: string[] = [];
    const env = await resolveEnv(pod, { name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] }, [], fakeSource(), { nodeName: 'n', onEvent: (r, m) => events.push(`${r}: ${m}`) });
    assert.deepEqual(env, ['MODE=fast', 'LEVEL=3']);
    assert.deepEqual(events, ['InvalidEnvironmentVariableNames: Keys [bad=key] from the EnvFrom configMap default/cfg were skipped since they are considered invalid environment variable names.']);
  });
});
