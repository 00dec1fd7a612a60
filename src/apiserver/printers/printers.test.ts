import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { PRINTERS } from './index.js';
import { summarizePod } from './pods.js';
import { servicePorts } from './network.js';
import { formatLabelSelector } from './columns.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const CREATED = '2025-06-01T11:55:00Z'; // five minutes before NOW

function pod(fields: { spec?: object; status?: object; deletionTimestamp?: string }): KubeObject {
  return {
    metadata: { name: 'p', namespace: 'default', creationTimestamp: CREATED, deletionTimestamp: fields.deletionTimestamp },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...fields.spec },
    status: fields.status ?? {},
  };
}

const running = { running: { startedAt: CREATED } };

describe('pod status cell', () => {
  const cases: { name: string; pod: KubeObject; ready: string; status: string; restarts?: string }[] = [
    { name: 'pending, unscheduled', pod: pod({ status: { phase: 'Pending' } }), ready: '0/1', status: 'Pending' },
    {
      name: 'container creating',
      pod: pod({ status: { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } }),
      ready: '0/1',
      status: 'ContainerCreating',
    },
    {
      name: 'running and ready',
      pod: pod({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }] } }),
      ready: '1/1',
      status: 'Running',
      restarts: '0',
    },
    {
      name: 'completed',
      pod: pod({ status: { phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } }),
      ready: '0/1',
      status: 'Completed',
    },
    {
      name: 'error',
      pod: pod({ status: { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 1, reason: 'Error' } } }] } }),
      ready: '0/1',
      status: 'Error',
    },
    {
      name: 'exit code without reason',
      pod: pod({ status: { phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137 } } }] } }),
      ready: '0/1',
      status: 'ExitCode:137',
    },
    {
      name: 'crash loop with restarts two minutes ago',
      pod: pod({
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 2,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1, finishedAt: '2025-06-01T11:58:00Z' } },
            },
          ],
        },
      }),
      ready: '0/1',
      status: 'CrashLoopBackOff',
      restarts: '2 (2m ago)',
    },
    {
      name: 'init container running',
      pod: pod({
        spec: { initContainers: [{ name: 'init', image: 'busybox' }] },
        status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: running }], containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }] },
      }),
      ready: '0/1',
      status: 'Init:0/1',
    },
    {
      name: 'init container failing',
      pod: pod({
        spec: { initContainers: [{ name: 'init', image: 'busybox' }] },
        status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      }),
      ready: '0/1',
      status: 'Init:CrashLoopBackOff',
    },
    {
      name: 'sidecar counts towards ready',
      pod: pod({
        spec: { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
          initContainerStatuses: [{ name: 'proxy', started: true, ready: true, state: running }],
          containerStatuses: [{ name: 'app', ready: true, state: running }],
        },
      }),
      ready: '2/2',
      status: 'Running',
    },
    {
      name: 'terminating',
      pod: pod({ deletionTimestamp: '2025-06-01T11:59:00Z', status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: running }] } }),
      ready: '1/1',
      status: 'Terminating',
    },
    {
      name: 'node lost',
      pod: pod({ deletionTimestamp: '2025-06-01T11:59:00Z', status: { phase: 'Running', reason: 'NodeLost' } }),
      ready: '0/1',
      status: 'Unknown',
    },
    {
      name: 'scheduling gated',
      pod: pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } }),
      ready: '0/1',
      status: 'SchedulingGated',
    },
    {
      name: 'one finished, one running, not ready',
      pod: pod({
        spec: { containers: [{ name: 'a' }, { name: 'b' }] },
        status: { phase: 'Running', containerStatuses: [{ name: 'a', ready: true, state: running }, { name: 'b', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
      }),
      ready: '1/2',
      status: 'NotReady',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const summary = summarizePod(c.pod, NOW);
      assert.equal(summary.ready, c.ready);
      assert.equal(summary.status, c.status);
      if (c.restarts !== undefined) assert.equal(summary.restarts, c.restarts);
    });
  }

  test('full row carries wide cells with <none> defaults', () => {
    const row = PRINTERS['/pods'].cells(pod({ status: { phase: 'Pending' } }), NOW);
    assert.deepEqual(row, ['p', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
    assert.equal(PRINTERS['/pods'].columns.length, row.length);
  });
});

describe('service cells', () => {
  test('ports with and without node ports', () => {
    assert.equal(servicePorts([{ port: 80, protocol: 'TCP' }]), '80/TCP');
    assert.equal(servicePorts([{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]), '80:30080/TCP,53/UDP');
    assert.equal(servicePorts([]), '<none>');
  });

  test('row for ClusterIP and LoadBalancer services', () => {
    const printer = PRINTERS['/services'];
    const base = { metadata: { name: 'web', creationTimestamp: CREATED } };
    assert.deepEqual(printer.cells({ ...base, spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } } }, NOW), [
      'web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '5m', 'app=web',
    ]);
    assert.deepEqual(printer.cells({ ...base, spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } }, NOW), [
      'web', 'LoadBalancer', '10.96.0.11', '<pending>', '443:31443/TCP', '5m', '<none>',
    ]);
  });
});

describe('workload rows', () => {
  test('deployment row', () => {
    const deployment: KubeObject = {
      metadata: { name: 'web', creationTimestamp: CREATED },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(PRINTERS['apps/deployments'].cells(deployment, NOW), ['web', '2/3', 3, 2, '5m', 'nginx,log', 'nginx:1.27,busybox', 'app=web']);
  });

  test('job status and completions', () => {
    const job: KubeObject = {
      metadata: { name: 'pi', creationTimestamp: CREATED },
      spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
      status: { succeeded: 1, startTime: '2025-06-01T11:55:00Z', completionTime: '2025-06-01T11:55:42Z', conditions: [{ type: 'Complete', status: 'True' }] },
    };
    assert.deepEqual(PRINTERS['batch/jobs'].cells(job, NOW).slice(0, 5), ['pi', 'Complete', '1/1', '42s', '5m']);
  });

  test('storage class marked default', () => {
    const sc: KubeObject = { metadata: { name: 'standard', creationTimestamp: CREATED, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kijabi.io/local' };
    assert.deepEqual(PRINTERS['storage.k8s.io/storageclasses'].cells(sc, NOW), ['standard (default)', 'kijabi.io/local', 'Delete', 'Immediate', false, '5m']);
  });

  test('node status and roles', () => {
    const node: KubeObject = {
      metadata: { name: 'n1', creationTimestamp: CREATED, labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' }, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
    };
    assert.deepEqual(PRINTERS['/nodes'].cells(node, NOW).slice(0, 6), ['n1', 'Ready,SchedulingDisabled', 'control-plane', '5m', 'v1.32.0', '10.0.0.1']);
  });

  test('selector formatting', () => {
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(
      formatLabelSelector({ matchLabels: { tier: 'web', app: 'x' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'legacy', operator: 'DoesNotExist' }] }),
      'app=x,env in (dev,prod),!legacy,tier=web',
    );
  });
});

test('every printer has one Name column of format name and cells matching its columns', () => {
  const sample: KubeObject = { metadata: { name: 'x', creationTimestamp: CREATED } };
  for (const [key, printer] of Object.entries(PRINTERS)) {
    assert.equal(printer.columns.filter((c) => c.format === 'name').length, 1, key);
    assert.equal(printer.cells(sample, NOW).length, printer.columns.length, key);
  }
});
