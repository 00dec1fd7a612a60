// End to end: self-healing with the real kubectl and hollow nodes: a deleted pod is replaced, a Job
// stops at its backoffLimit, drain honours a PodDisruptionBudget, cordon/uncordon, and the pods of a
// node that stops heartbeating are evicted and replaced elsewhere after the toleration.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { KIJABI_BIN, eventually, startCluster, type TestCluster } from '../support/cluster.js';
import { startHollowNodes, type HollowNodesProcess } from '../support/hollow.js';
import { podServing, succeeded, type PodView } from './workloads-support.js';

const DEADLINE_MS = 30_000;
const LIFECYCLE_FLAGS = ['--node-monitor-grace-period', '5s', '--default-unreachable-toleration-seconds', '5', '--default-not-ready-toleration-seconds', '5'];

/** The node lifecycle flags are being wired into the server; run the node-loss test only once they are. */
function lifecycleFlagsWired(): boolean {
  const help = execFileSync(process.execPath, [KIJABI_BIN, 'server', '--help'], { encoding: 'utf8' });
  return LIFECYCLE_FLAGS.filter((f) => f.startsWith('--')).every((flag) => help.includes(flag));
}

const deployment = (name: string, replicas: number) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
    },
  });

describe('self-healing with kubectl', () => {
  const wired = lifecycleFlagsWired();
  let cluster: TestCluster;
  let nodes: HollowNodesProcess;
  let doomed: HollowNodesProcess | undefined;
  const kubectl = (args: string[], input?: string, timeoutMs?: number) => cluster.kubectl(args, { input, timeoutMs });
  const jsonOf = async <T = any>(args: string[]): Promise<T> => JSON.parse(succeeded(await kubectl([...args, '-o', 'json']))) as T;
  const podsOf = async (app: string) => (await jsonOf<{ items: PodView[] }>(['get', 'pods', '-l', `app=${app}`])).items;
  const rolloutStatus = async (name: string) => succeeded(await kubectl(['rollout', 'status', `deployment/${name}`, '--timeout=60s'], undefined, 70_000));

  before(async () => {
    cluster = await startCluster({ extraArgs: wired ? LIFECYCLE_FLAGS : [] });
    // Leases renewed every second so a 5 s grace period only catches the node we stop.
    nodes = await startHollowNodes({ kubeconfig: cluster.kubeconfig, count: 3, namePrefix: 'heal-node-', leaseIntervalSeconds: 1 });
  });

  after(async () => {
    await doomed?.stop('SIGKILL');
    await nodes?.stop();
    await cluster?.stop();
  });

  test('a deleted pod of a Deployment is replaced', async () => {
    succeeded(await kubectl(['apply', '-f', '-'], deployment('heal', 3)));
    await rolloutStatus('heal');
    const victim = (await podsOf('heal'))[0]!.metadata.name!;
    succeeded(await kubectl(['delete', 'pod', victim, '--wait=true']));
    await eventually(
      async () => {
        const pods = await podsOf('heal');
        return pods.length === 3 && !pods.some((p) => p.metadata.name === victim) && pods.every(podServing);
      },
      { timeoutMs: DEADLINE_MS, message: 'no replacement for the deleted pod' },
    );
  });

  test('a Job whose pods fail stops at backoffLimit with BackoffLimitExceeded', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'flaky' },
      // Two pods at once so backoffLimit+1 = 2 failures need no wait for the 10 s failure backoff.
      spec: { backoffLimit: 1, parallelism: 2, completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36', command: ['false'] }] } } },
    };
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify(job)));
    const running = await eventually(
      async () => {
        const pods = (await jsonOf<{ items: PodView[] }>(['get', 'pods', '-l', 'job-name=flaky'])).items.filter((p) => p.status?.phase === 'Running');
        return pods.length === 2 ? pods : undefined;
      },
      { timeoutMs: DEADLINE_MS, message: 'job pods never ran' },
    );
    // Hollow nodes report every pod Running; play the kubelet and fail the pods ourselves.
    const fail = async (name: string) =>
      succeeded(await kubectl(['patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False' }] } })]));
    await fail(running[0]!.metadata.name!);
    await eventually(async () => (await jsonOf(['get', 'job', 'flaky'])).status?.failed === 1, { timeoutMs: DEADLINE_MS, message: 'job never counted the failure' });
    const midway = await jsonOf(['get', 'job', 'flaky']);
    assert.ok(!(midway.status.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Failed' && c.status === 'True'), 'one failure is within backoffLimit 1');

    await fail(running[1]!.metadata.name!);
    const failed = await eventually(
      async () => {
        const j = await jsonOf(['get', 'job', 'flaky']);
        return (j.status?.conditions ?? []).find((c: { type: string; status: string }) => c.type === 'Failed' && c.status === 'True');
      },
      { timeoutMs: DEADLINE_MS, message: 'job never failed' },
    );
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    const final = await jsonOf(['get', 'job', 'flaky']);
    assert.equal(final.status.failed, 2);
    assert.ok(!final.status.active, 'no pods left active');
  });

  test('cordon and uncordon set and clear spec.unschedulable', async () => {
    const node = nodes.nodeNames[2]!;
    assert.match(succeeded(await kubectl(['cordon', node])), new RegExp(`node/${node} cordoned`));
    const cordoned = await jsonOf(['get', 'node', node]);
    assert.equal(cordoned.spec.unschedulable, true);
    assert.match(succeeded(await kubectl(['get', 'node', node])), /SchedulingDisabled/);
    assert.match(succeeded(await kubectl(['uncordon', node])), new RegExp(`node/${node} uncordoned`));
    assert.ok(!(await jsonOf(['get', 'node', node])).spec.unschedulable);
  });

  test('drain is blocked by a PodDisruptionBudget until it is relaxed', async () => {
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'logger' },
      spec: { selector: { matchLabels: { app: 'logger' } }, template: { metadata: { labels: { app: 'logger' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    })));
    succeeded(await kubectl(['apply', '-f', '-'], deployment('guarded', 3)));
    await rolloutStatus('guarded');
    succeeded(await kubectl(['create', 'poddisruptionbudget', 'guarded', '--selector=app=guarded', '--min-available=3']));
    await eventually(async () => (await jsonOf(['get', 'pdb', 'guarded'])).status?.currentHealthy === 3, { timeoutMs: DEADLINE_MS, message: 'PDB status never computed' });
    const node = (await podsOf('guarded'))[0]!.spec!.nodeName!;

    const blocked = await kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=8s'], undefined, 30_000);
    assert.notEqual(blocked.code, 0, 'drain must not finish while the budget forbids evictions');
    assert.match(blocked.stdout + blocked.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    assert.equal((await jsonOf(['get', 'node', node])).spec.unschedulable, true, 'drain cordons first');
    assert.ok((await podsOf('guarded')).some((p) => p.spec?.nodeName === node), 'the guarded pod is still there');

    succeeded(await kubectl(['patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']));
    const drained = await kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], undefined, 70_000);
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, new RegExp(`node/${node} drained`));
    assert.match(drained.stderr + drained.stdout, /ignoring DaemonSet-managed Pods/i);
    await eventually(
      async () => {
        const pods = await podsOf('guarded');
        return pods.length === 3 && pods.every((p) => podServing(p) && p.spec?.nodeName !== node);
      },
      { timeoutMs: DEADLINE_MS, message: 'evicted pods were not replaced on other nodes' },
    );
    assert.ok((await podsOf('logger')).some((p) => p.spec?.nodeName === node), 'DaemonSet pod stays on the drained node');
    succeeded(await kubectl(['uncordon', node]));
  });

  test('pods of a node that stops heartbeating are replaced elsewhere after the toleration', { todo: wired ? undefined : 'node lifecycle flags (--node-monitor-grace-period, --default-unreachable-toleration-seconds) not wired into `kijabi server` yet' }, async () => {
    if (!wired) return;
    doomed = await startHollowNodes({ kubeconfig: cluster.kubeconfig, count: 1, namePrefix: 'doomed-', leaseIntervalSeconds: 1 });
    const lost = doomed.nodeNames[0]!;
    // Only the doomed node takes new pods while the Deployment comes up.
    for (const name of nodes.nodeNames) succeeded(await kubectl(['cordon', name]));
    succeeded(await kubectl(['apply', '-f', '-'], deployment('lost', 2)));
    await rolloutStatus('lost');
    assert.ok((await podsOf('lost')).every((p) => p.spec?.nodeName === lost));
    for (const name of nodes.nodeNames) succeeded(await kubectl(['uncordon', name]));
    const tolerations = (await podsOf('lost'))[0]!.spec as { tolerations?: { key?: string; tolerationSeconds?: number }[] };
    assert.equal(tolerations.tolerations?.find((t) => t.key === 'node.kubernetes.io/unreachable')?.tolerationSeconds, 5, 'default toleration from the server flag');

    const stoppedAt = Date.now();
    await doomed.stop('SIGKILL');
    await eventually(
      async () => (await jsonOf(['get', 'node', lost])).spec.taints?.some((t: { key: string; effect: string }) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'),
      { timeoutMs: DEADLINE_MS, message: 'the silent node was never tainted unreachable' },
    );
    const ready = (await jsonOf(['get', 'node', lost])).status.conditions.find((c: { type: string }) => c.type === 'Ready');
    assert.equal(ready.status, 'Unknown');
    await eventually(
      async () => {
        const pods = await podsOf('lost');
        const serving = pods.filter((p) => podServing(p) && p.spec?.nodeName !== lost);
        return serving.length === 2;
      },
      { timeoutMs: DEADLINE_MS, message: 'pods of the lost node were not replaced' },
    );
    assert.ok(Date.now() - stoppedAt >= 5_000, 'not before grace period + toleration');
  });
});
