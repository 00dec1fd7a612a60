// The strategic merge patch bodies kubectl 1.32 sends (kubectl-wire.md §7.2), applied to
// Deployment/Pod/Node-shaped objects described by a small test registry.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch } from './strategic-merge.js';
import { podLikeTypes } from './testing/fixture-types.js';

const types = podLikeTypes();

function deployment(containers: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers } },
      ...extra,
    },
  };
}

interface Case {
  name: string;
  typeName: string;
  live: unknown;
  patch: unknown;
  expected: unknown;
}

const lastApplied = '{"apiVersion":"apps/v1","kind":"Deployment"}\n';

const cases: Case[] = [
  {
    name: 'apply: replicas, $setElementOrder, env delete, image',
    typeName: 'test.Deployment',
    live: deployment([{ name: 'nginx', image: 'nginx:1.26', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, protocol: 'TCP' }] }]),
    patch: {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], image: 'nginx:1.27', name: 'nginx' }],
          },
        },
      },
    },
    expected: (() => {
      const d = deployment([{ name: 'nginx', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
      (d.metadata as { annotations: Record<string, string> }).annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied;
      (d.spec as { replicas: number }).replicas = 3;
      return d;
    })(),
  },
  {
    name: 'set image keeps a server-only sidecar in place',
    typeName: 'test.Deployment',
    live: deployment([{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }]),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.28', name: 'nginx' }] } } } },
    expected: deployment([{ name: 'nginx', image: 'nginx:1.28' }, { name: 'sidecar', image: 'busybox' }]),
  },
  {
    name: 'rollout restart adds a template annotation',
    typeName: 'test.Deployment',
    live: deployment([{ name: 'nginx', image: 'nginx' }]),
    patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-29T22:24:15Z' } } } } },
    expected: (() => {
      const d = deployment([{ name: 'nginx', image: 'nginx' }]);
      const template = (d.spec as { template: { metadata: Record<string, unknown> } }).template;
      template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-11-29T22:24:15Z' };
      return d;
    })(),
  },
  {
    name: 'rollout pause',
    typeName: 'test.Deployment',
    live: deployment([]),
    patch: { spec: { paused: true } },
    expected: deployment([], { paused: true }),
  },
  {
    name: 'rollout resume deletes paused',
    typeName: 'test.Deployment',
    live: deployment([], { paused: true }),
    patch: { spec: { paused: null } },
    expected: deployment([]),
  },
  {
    name: 'cordon',
    typeName: 'test.Node',
    live: { metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } },
    patch: { spec: { unschedulable: true } },
    expected: { metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24', unschedulable: true } },
  },
  {
    name: 'uncordon',
    typeName: 'test.Node',
    live: { metadata: { name: 'n1' }, spec: { unschedulable: true } },
    patch: { spec: { unschedulable: null } },
    expected: { metadata: { name: 'n1' }, spec: {} },
  },
  {
    name: 'debug adds an ephemeral container to a pod without any',
    typeName: 'test.Pod',
    live: { metadata: { name: 'tmp' }, spec: { containers: [{ name: 'tmp', image: 'busybox' }] } },
    patch: {
      spec: {
        ephemeralContainers: [
          { name: 'debugger-abcde', image: 'busybox', command: ['true'], stdin: true, targetContainerName: 'tmp', terminationMessagePolicy: 'File', resources: {} },
        ],
      },
    },
    expected: {
      metadata: { name: 'tmp' },
      spec: {
        containers: [{ name: 'tmp', image: 'busybox' }],
        ephemeralContainers: [
          { name: 'debugger-abcde', image: 'busybox', command: ['true'], stdin: true, targetContainerName: 'tmp', terminationMessagePolicy: 'File', resources: {} },
        ],
      },
    },
  },
  {
    name: 'a second ephemeral container goes first, as Kubernetes orders new items',
    typeName: 'test.Pod',
    live: { metadata: { name: 'tmp' }, spec: { ephemeralContainers: [{ name: 'debugger-1', image: 'busybox' }] } },
    patch: { spec: { ephemeralContainers: [{ name: 'debugger-2', image: 'busybox' }] } },
    expected: { metadata: { name: 'tmp' }, spec: { ephemeralContainers: [{ name: 'debugger-2', image: 'busybox' }, { name: 'debugger-1', image: 'busybox' }] } },
  },
  {
    name: 'ports merge by containerPort, volumeMounts by mountPath',
    typeName: 'test.Pod',
    live: {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
    },
    patch: {
      spec: {
        containers: [
          {
            name: 'c',
            '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }],
            ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443, name: 'https' }],
            volumeMounts: [{ mountPath: '/data', readOnly: true }],
          },
        ],
      },
    },
    expected: {
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'c',
            ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443, name: 'https' }],
            volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
          },
        ],
      },
    },
  },
  {
    name: 'tolerations and command are atomic',
    typeName: 'test.Pod',
    live: { metadata: {}, spec: { tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'c', command: ['sh', '-c', 'x'] }] } },
    patch: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', command: ['true'] }] } },
    expected: { metadata: {}, spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', command: ['true'] }] } },
  },
  {
    name: 'finalizers merge as a set and $deleteFromPrimitiveList removes',
    typeName: 'test.Pod',
    live: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] } },
    expected: { metadata: { finalizers: ['c', 'b'] } },
  },
  {
    name: 'strategy switch to Recreate with $retainKeys drops rollingUpdate',
    typeName: 'test.Deployment',
    live: deployment([]),
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expected: (() => {
      const d = deployment([]);
      (d.spec as { strategy: unknown }).strategy = { type: 'Recreate' };
      return d;
    })(),
  },
  {
    name: 'label and nodeSelector maps merge, null deletes',
    typeName: 'test.Pod',
    live: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { nodeSelector: { disk: 'ssd' } } },
    patch: { metadata: { labels: { tier: null, env: 'prod' } }, spec: { nodeSelector: { zone: 'a' } } },
    expected: { metadata: { labels: { app: 'web', env: 'prod' } }, spec: { nodeSelector: { disk: 'ssd', zone: 'a' } } },
  },
  {
    name: 'free-form field inside a typed object follows merge patch rules',
    typeName: 'test.Pod',
    live: { metadata: {}, spec: { containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'a', apiVersion: 'v1' } } }] }] } },
    patch: { spec: { containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'b', apiVersion: null } } }] }] } },
    expected: { metadata: {}, spec: { containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'b' } } }] }] } },
  },
  {
    name: 'diff-style patch carrying resourceVersion',
    typeName: 'test.Deployment',
    live: deployment([]),
    patch: { metadata: { resourceVersion: '42' }, spec: { replicas: 5 } },
    expected: (() => {
      const d = deployment([]);
      (d.metadata as Record<string, unknown>).resourceVersion = '42';
      (d.spec as { replicas: number }).replicas = 5;
      return d;
    })(),
  },
];

describe('strategicMergePatch: kubectl bodies', () => {
  for (const c of cases) {
    test(c.name, () => {
      const liveBefore = structuredClone(c.live);
      const patchBefore = structuredClone(c.patch);
      assert.deepEqual(strategicMergePatch(c.live, c.patch, c.typeName, types), c.expected);
      assert.deepEqual(c.live, liveBefore);
      assert.deepEqual(c.patch, patchBefore);
    });
  }
});
