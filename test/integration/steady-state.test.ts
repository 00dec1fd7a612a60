// A cluster with nothing to do writes nothing: once workloads and Services have settled, the
// controllers, scheduler and hollow nodes must not keep rewriting objects (two controllers that
// disagree about an object's shape would otherwise spin forever and burn a core).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource } from '../../src/api/resources.js';
import type { RunningServer } from '../../src/cmd/server.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { createLogger } from '../../src/client/log.js';
import { RestClient } from '../../src/client/rest-client.js';
import { HollowNodes } from '../../src/hollow-nodes/hollow-nodes.js';
import { eventually } from '../support/cluster.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SERVICES = findResource('', 'v1', 'services')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const STATEFULSETS = findResource('apps', 'v1', 'statefulsets')!;
const DAEMONSETS = findResource('apps', 'v1', 'daemonsets')!;
const JOBS = findResource('batch', 'v1', 'jobs')!;
const ENDPOINTSLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

const template = (app: string, restartPolicy = 'Always') => ({
  metadata: { labels: { app } },
  spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }] },
});

describe('a settled cluster stays quiet', () => {
  let dir: string;
  let server: RunningServer;
  let client: RestClient;
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  let hollow: Promise<void> | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kijabi-quiet-'));
    server = await startInProcessServer(join(dir, 'data'), 'quiet-token', {
      disableScheduler: false,
      disableControllers: false,
    });
    client = RestClient.fromKubeconfig(server.kubeconfigPath);
    // Leases renew once a minute here, so any write during the quiet window is a controller's.
    const nodes = new HollowNodes({ client, count: 2, cpu: '4', memory: '8Gi', pods: 110, namePrefix: 'quiet-', leaseIntervalMs: 60_000, log: createLogger('test', { level: 'warn' }) });
    hollow = nodes.start(stop.signal).catch(() => undefined);
  });

  after(async () => {
    stop.abort();
    await hollow;
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('no writes once workloads and services are settled', async () => {
    const ns = 'default';
    await client.create(DEPLOYMENTS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web') } } as KubeObject);
    await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as KubeObject);
    await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-named', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 80 }] } } as KubeObject);
    await client.create(STATEFULSETS, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: ns }, spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') } } as KubeObject);
    await client.create(DAEMONSETS, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: ns }, spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') } } as KubeObject);
    await client.create(JOBS, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: ns }, spec: { template: template('once', 'Never') } } as KubeObject);

    await eventually(async () => {
      const deploy = await client.get(DEPLOYMENTS, ns, 'web');
      const sts = await client.get(STATEFULSETS, ns, 'db');
      const slices = await client.list(ENDPOINTSLICES, { namespace: ns, labelSelector: 'kubernetes.io/service-name=web' });
      return (
        (deploy.status as { availableReplicas?: number } | undefined)?.availableReplicas === 3 &&
        (sts.status as { readyReplicas?: number } | undefined)?.readyReplicas === 2 &&
        slices.items.some((s) => ((s as { endpoints?: unknown[] }).endpoints ?? []).length === 3)
      );
    }, { timeoutMs: 30_000, message: 'workloads did not settle' });

    // Let the last status updates land, then watch the store's revision for a while.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const revision = async () => Number((await client.list(CONFIGMAPS, { namespace: 'kube-system', limit: 1 })).metadata.resourceVersion);
    const before = await revision();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const writes = (await revision()) - before;
    assert.ok(writes <= 2, `${writes} writes happened in a settled cluster`);
  });
});
