import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPodOnlyFields, defaultPodSpec, defaultPullPolicy, validatePodSpec, validatePodTemplate } from './pod-spec.js';
import { computeQosClass } from './pod-qos.js';

type Json = Record<string, unknown>;

function spec(overrides: Json = {}, container: Json = {}): Json {
  const s: Json = { containers: [{ name: 'app', image: 'nginx:1.25', ...container }], ...overrides };
  defaultPodSpec(s);
  return s;
}
const lines = (s: Json, path = 'spec'): string[] => validatePodSpec(s, path).map((e) => `${e.field}: ${e.detail}`);

describe('defaultPodSpec', () => {
  test('pod-level and container defaults', () => {
    const s: Json = {
      containers: [{
        name: 'a', image: 'nginx', ports: [{ containerPort: 80 }],
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      }],
      volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 'x' } }],
    };
    defaultPodSpec(s);
    assert.equal(s.restartPolicy, 'Always');
    assert.equal(s.dnsPolicy, 'ClusterFirst');
    assert.equal(s.schedulerName, 'default-scheduler');
    assert.equal(s.terminationGracePeriodSeconds, 30);
    assert.deepEqual(s.securityContext, {});
    assert.equal(s.enableServiceLinks, undefined, 'templates do not get enableServiceLinks');
    const c = (s.containers as Json[])[0];
    assert.equal(c.imagePullPolicy, 'Always');
    assert.equal(c.terminationMessagePath, '/dev/termination-log');
    assert.equal(c.terminationMessagePolicy, 'File');
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual((c.env as Json[])[0].valueFrom, { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } });
    assert.deepEqual(s.volumes, [{ name: 'v', emptyDir: {} }, { name: 's', secret: { secretName: 'x', defaultMode: 420 } }]);
  });

  test('pod-only defaults', () => {
    const s: Json = { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } } }] };
    defaultPodOnlyFields(s);
    assert.equal(s.enableServiceLinks, true);
    assert.deepEqual((s.containers as Json[])[0].resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
  });

  const pulls: Array<[string, string]> = [
    ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.25', 'IfNotPresent'], ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'], ['nginx@sha256:abc', 'IfNotPresent'],
  ];
  for (const [image, want] of pulls) test(`pull policy ${image}`, () => assert.equal(defaultPullPolicy(image), want));
});

describe('validatePodSpec', () => {
  const cases: Array<[string, Json, string[]]> = [
    ['valid', spec(), []],
    ['no containers', (() => { const s = spec(); s.containers = []; return s; })(), ['spec.containers: Required value']],
    ['missing image', spec({}, { image: '' }), ['spec.containers[0].image: Required value']],
    ['bad container name', spec({}, { name: 'App_1' }), [
      `spec.containers[0].name: Invalid value: "App_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]],
    ['duplicate container names', spec({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }), ['spec.containers[1].name: Duplicate value: "a"']],
    ['bad port', spec({}, { ports: [{ containerPort: 70000 }] }), ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['bad protocol', spec({}, { ports: [{ containerPort: 80, protocol: 'tcp' }] }), ['spec.containers[0].ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"']],
    ['env name with =', spec({}, { env: [{ name: 'A=B', value: '1' }] }), [
      `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    ]],
    ['mount of unknown volume', spec({}, { volumeMounts: [{ name: 'data', mountPath: '/d' }] }), ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    ['duplicate volumes', spec({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }] }), ['spec.volumes[1].name: Duplicate value: "v"']],
    ['two volume sources', spec({ volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }), ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type']],
    ['bad restart policy', spec({ restartPolicy: 'Sometimes' }), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    ['bad dns policy', spec({ dnsPolicy: 'Cluster' }), ['spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']],
    ['request above limit', spec({}, { resources: { requests: { cpu: '2' }, limits: { cpu: '1000m' } } }), [
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]],
    ['bad quantity', spec({}, { resources: { limits: { memory: '1GB' } } }), [
      `spec.containers[0].resources.limits[memory]: Invalid value: "1GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]],
    ['probe with two handlers', spec({}, { readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } }), [
      'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    ]],
    ['probe without handler', spec({}, { livenessProbe: { periodSeconds: 5 } }), ['spec.containers[0].livenessProbe: Required value: must specify a handler type']],
    ['liveness success threshold', spec({}, { livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
    ['toleration operator', spec({ tolerations: [{ key: 'k', operator: 'Is' }] }), ['spec.tolerations[0].operator: Unsupported value: "Is": supported values: "Equal", "Exists"']],
    ['toleration without key', spec({ tolerations: [{ operator: 'Equal', value: 'v' }] }), [
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ]],
    ['toleration seconds need NoExecute', spec({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }), [
      "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ]],
    ['node selector value', spec({ nodeSelector: { disk: 'fast ssd' } }), [
      `spec.nodeSelector: Invalid value: "fast ssd": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ]],
    ['active deadline', spec({ activeDeadlineSeconds: 0 }), ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
    ['sysctl names: format, required, duplicates (with / as .)', spec({ securityContext: { sysctls: [{ name: 'Net.IPv4 x', value: '1' }, { value: '1' }, { name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'kernel/shm_rmid_forced', value: '0' }] } }), [
      'spec.securityContext.sysctls[0].name: Invalid value: "Net.IPv4 x": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$',
      'spec.securityContext.sysctls[1].name: Required value',
      'spec.securityContext.sysctls[3].name: Duplicate value: "kernel/shm_rmid_forced"',
    ]],
    ['restartPolicy on regular container', spec({}, { restartPolicy: 'Always' }), ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers']],
    ['probe on plain init container', spec({ initContainers: [{ name: 'init', image: 'x', readinessProbe: { exec: { command: ['a'] } } }] }), [
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
    ]],
    ['init container name clash', spec({ initContainers: [{ name: 'app', image: 'x' }] }), ['spec.initContainers[0].name: Duplicate value: "app"']],
  ];
  for (const [name, s, want] of cases) test(name, () => assert.deepEqual(lines(s), want));
});

describe('validatePodTemplate', () => {
  test('labels and nested paths', () => {
    const template = { metadata: { labels: { app: 'bad value!' } }, spec: { containers: [{ name: 'a', image: '' }] } };
    const fields = validatePodTemplate(template, 'spec.template').map((e) => e.field);
    assert.deepEqual(fields.sort(), ['spec.template.metadata.labels', 'spec.template.spec.containers[0].image', 'spec.template.spec.containers[0].imagePullPolicy', 'spec.template.spec.containers[0].terminationMessagePolicy', 'spec.template.spec.dnsPolicy', 'spec.template.spec.restartPolicy'].sort());
  });
  test('restart policies of the owner', () => {
    const template = { spec: spec({ restartPolicy: 'Never' }) };
    assert.deepEqual(validatePodTemplate(template, 'spec.template', { restartPolicies: ['Always'] }).map((e) => e.detail), ['Unsupported value: "Never": supported values: "Always"']);
  });
});

describe('computeQosClass', () => {
  const cases: Array<[string, Json[], string]> = [
    ['no resources', [{}], 'BestEffort'],
    ['limits only (requests default to them)', [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }], 'Guaranteed'],
    ['equal requests and limits', [{ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } } }], 'Guaranteed'],
    ['requests below limits', [{ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } } }], 'Burstable'],
    ['only one container limited', [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }, {}], 'Burstable'],
    ['cpu request only', [{ resources: { requests: { cpu: '100m' } } }], 'Burstable'],
  ];
  for (const [name, containers, want] of cases) test(name, () => assert.equal(computeQosClass({ containers }), want));
});
