// End to end: Deployments, DaemonSets, StatefulSets and CronJobs driven by the real kubectl against
// `bin/kijabi server` with three hollow nodes (simulated kubelets that report pods Running+Ready).
// Rollouts (status, history, undo, pause/resume, restart), maxUnavailable=0 checked on the watch
// stream, and a rollout that stalls on its progress deadline.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster, type TestCluster } from '../support/cluster.js';
import { startHollowNodes, type HollowNodesProcess } from '../support/hollow.js';
import { PodRecorder, podServing, succeeded, type PodView } from './workloads-support.js';

const DEADLINE_MS = 30_000;

interface ReplicaSetView {
  metadata: { name: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
  status?: { replicas?: number; readyReplicas?: number };
}

describe('workload controllers with kubectl', () => {
  let cluster: TestCluster;
  let nodes: HollowNodesProcess;
  let cronCreatedAt = 0;
  const kubectl = (args: string[], input?: string, timeoutMs?: number) => cluster.kubectl(args, { input, timeoutMs });
  const jsonOf = async <T = any>(args: string[]): Promise<T> => JSON.parse(succeeded(await kubectl([...args, '-o', 'json']))) as T;

  const replicaSetsOf = async (deployment: string): Promise<ReplicaSetView[]> => {
    const list = await jsonOf<{ items: ReplicaSetView[] }>(['get', 'replicasets']);
    return list.items.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deployment));
  };
  const imageOf = (rs: ReplicaSetView) => rs.spec.template.spec.containers[0]!.image;
  const templateImage = async (deployment: string) => (await jsonOf(['get', 'deployment', deployment])).spec.template.spec.containers[0].image as string;
  const rolloutStatus = async (deployment: string) => {
    const out = succeeded(await kubectl(['rollout', 'status', `deployment/${deployment}`, '--timeout=60s'], undefined, 70_000));
    assert.match(out, new RegExp(`deployment "${deployment}" successfully rolled out`));
  };

  before(async () => {
    cluster = await startCluster();
    nodes = await startHollowNodes({ kubeconfig: cluster.kubeconfig, count: 3, namePrefix: 'wl-node-' });
    // The CronJob runs while the other tests do; its test at the end only checks the result.
    succeeded(await kubectl(['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/1 * * * *', '--', 'true']));
    cronCreatedAt = Date.now();
  });

  after(async () => {
    await nodes?.stop();
    await cluster?.stop();
  });

  test('create, rollout status, set image, history with change-cause', async () => {
    succeeded(await kubectl(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=4']));
    succeeded(await kubectl(['annotate', 'deployment/web', 'kubernetes.io/change-cause=create nginx 1.27']));
    await rolloutStatus('web');
    const pods = await jsonOf<{ items: PodView[] }>(['get', 'pods', '-l', 'app=web']);
    assert.equal(pods.items.filter((p) => p.status?.phase === 'Running').length, 4);

    succeeded(await kubectl(['annotate', '--overwrite', 'deployment/web', 'kubernetes.io/change-cause=set image nginx 1.28']));
    succeeded(await kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']));
    await rolloutStatus('web');
    assert.equal(await templateImage('web'), 'nginx:1.28');

    const history = succeeded(await kubectl(['rollout', 'history', 'deployment/web']));
    const revisions = new Map(
      history
        .split('\n')
        .map((line) => /^(\d+)\s+(.*?)\s*$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [Number(m[1]), m[2]!]),
    );
    assert.deepEqual([...revisions.keys()], [1, 2], history);
    assert.equal(revisions.get(2), 'set image nginx 1.28', history);
    const detail = succeeded(await kubectl(['rollout', 'history', 'deployment/web', '--revision=1']));
    assert.match(detail, /nginx:1\.27/);
  });

  test('rollout undo restores the previous template and scales its ReplicaSet back up', async () => {
    const before = await replicaSetsOf('web');
    const old = before.find((rs) => imageOf(rs) === 'nginx:1.27');
    assert.ok(old, 'the revision 1 ReplicaSet is kept');
    assert.equal(old.spec.replicas, 0);

    assert.match(succeeded(await kubectl(['rollout', 'undo', 'deployment/web'])), /deployment\.apps\/web rolled back/);
    await rolloutStatus('web');
    assert.equal(await templateImage('web'), 'nginx:1.27');
    const after = await replicaSetsOf('web');
    assert.equal(after.length, 2, 'undo reuses the old ReplicaSet instead of making a new one');
    const revived = after.find((rs) => rs.metadata.name === old.metadata.name)!;
    assert.equal(revived.spec.replicas, 4);
    assert.equal(revived.status?.readyReplicas, 4);
    assert.equal(revived.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(after.find((rs) => rs.metadata.name !== old.metadata.name)!.spec.replicas, 0);

    // Revisions are now 2 (1.28) and 3 (1.27): go back to 2 by number.
    succeeded(await kubectl(['rollout', 'undo', 'deployment/web', '--to-revision=2']));
    await rolloutStatus('web');
    assert.equal(await templateImage('web'), 'nginx:1.28');
    const rejected = await kubectl(['rollout', 'undo', 'deployment/web', '--to-revision=42']);
    assert.notEqual(rejected.code, 0);
    assert.match(rejected.stderr, /unable to find specified revision 42/);
  });

  test('rollout pause holds template changes until resume', async () => {
    succeeded(await kubectl(['rollout', 'pause', 'deployment/web']));
    succeeded(await kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.29']));
    await eventually(
      async () => {
        const d = await jsonOf(['get', 'deployment', 'web']);
        const progressing = (d.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Progressing');
        return d.status?.observedGeneration === d.metadata.generation && progressing?.reason === 'DeploymentPaused';
      },
      { timeoutMs: DEADLINE_MS, message: 'paused deployment never reported DeploymentPaused' },
    );
    assert.equal((await replicaSetsOf('web')).filter((rs) => imageOf(rs) === 'nginx:1.29').length, 0, 'no ReplicaSet while paused');
    const blocked = await kubectl(['rollout', 'undo', 'deployment/web']);
    assert.notEqual(blocked.code, 0, 'undo is refused while paused');
    assert.match(blocked.stderr, /paused/);

    succeeded(await kubectl(['rollout', 'resume', 'deployment/web']));
    await rolloutStatus('web');
    assert.equal((await replicaSetsOf('web')).find((rs) => imageOf(rs) === 'nginx:1.29')?.status?.readyReplicas, 4);
  });

  test('rollout restart makes a new ReplicaSet with the same image', async () => {
    const before = new Set((await replicaSetsOf('web')).map((rs) => rs.metadata.name));
    assert.match(succeeded(await kubectl(['rollout', 'restart', 'deployment/web'])), /deployment\.apps\/web restarted/);
    await rolloutStatus('web');
    const created = (await replicaSetsOf('web')).filter((rs) => !before.has(rs.metadata.name));
    assert.equal(created.length, 1);
    assert.equal(imageOf(created[0]!), 'nginx:1.29');
    assert.equal(created[0]!.spec.replicas, 4);
    const d = await jsonOf(['get', 'deployment', 'web']);
    assert.ok(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
  });

  test('maxUnavailable=0: the watch stream never shows fewer than 4 serving pods', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'surge' },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'surge' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { app: 'surge' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      },
    };
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify(manifest)));
    await rolloutStatus('surge');

    let lowest = Infinity;
    let highest = 0;
    const recorder = new PodRecorder(cluster.kubeconfig, 'default', 'app=surge', (pods) => {
      let serving = 0;
      for (const pod of pods.values()) if (podServing(pod)) serving++;
      lowest = Math.min(lowest, serving);
      highest = Math.max(highest, pods.size);
    });
    await recorder.start();
    assert.equal([...recorder.pods.values()].filter(podServing).length, 4);
    succeeded(await kubectl(['set', 'image', 'deployment/surge', 'nginx=nginx:1.28']));
    await rolloutStatus('surge');
    // rollout status returns once old pods are gone from the ReplicaSet's count; let their deletions arrive.
    await eventually(async () => recorder.pods.size === 4 && [...recorder.pods.values()].every((p) => p.spec?.containers?.[0]?.image === 'nginx:1.28'), {
      timeoutMs: DEADLINE_MS,
      message: 'old pods never went away',
    });
    await recorder.stop();
    const added = recorder.events.filter((e) => e.type === 'ADDED').length;
    const deleted = recorder.events.filter((e) => e.type === 'DELETED').length;
    assert.ok(added >= 4 && deleted >= 4, `the watch saw the rollout (added ${added}, deleted ${deleted})`);
    assert.equal(lowest, 4, `serving pods dropped to ${lowest}`);
    assert.ok(highest <= 5 + 1, `maxSurge 1 bounds the pod count (saw ${highest}, terminating pods included)`);
  });

  test('a rollout that cannot progress stops at ProgressDeadlineExceeded while old pods keep running', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'stuck' },
      spec: {
        replicas: 2,
        progressDeadlineSeconds: 10,
        selector: { matchLabels: { app: 'stuck' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { app: 'stuck' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      },
    };
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify(manifest)));
    await rolloutStatus('stuck');
    const oldPods = (await jsonOf<{ items: PodView[] }>(['get', 'pods', '-l', 'app=stuck'])).items.map((p) => p.metadata.name).sort();

    // No node carries this label, so the new pods stay Pending and never become available.
    succeeded(await kubectl(['patch', 'deployment/stuck', '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { nodeSelector: { 'kijabi.test/nowhere': 'true' } } } } })]));
    const status = await kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=60s'], undefined, 70_000);
    assert.notEqual(status.code, 0, 'rollout status must fail');
    assert.match(status.stderr, /deployment "stuck" exceeded its progress deadline/);

    const d = await jsonOf(['get', 'deployment', 'stuck']);
    const progressing = d.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
    assert.equal(progressing.status, 'False');
    assert.equal(progressing.reason, 'ProgressDeadlineExceeded');
    const pods = (await jsonOf<{ items: PodView[] }>(['get', 'pods', '-l', 'app=stuck'])).items;
    const running = pods.filter((p) => p.status?.phase === 'Running').map((p) => p.metadata.name).sort();
    assert.deepEqual(running, oldPods, 'the old ReplicaSet keeps serving');
    const pending = pods.filter((p) => !p.spec?.nodeName);
    assert.equal(pending.length, 1, 'maxSurge 1: one new pod waits for a node');
  });

  test('a DaemonSet runs one pod on every node', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36', command: ['sleep', 'infinity'] }] } },
      },
    };
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify(manifest)));
    const nodeNames = (await jsonOf<{ items: { metadata: { name: string } }[] }>(['get', 'nodes'])).items.map((n) => n.metadata.name).sort();
    assert.equal(nodeNames.length, 3);
    const out = succeeded(await kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s'], undefined, 70_000));
    assert.match(out, /daemon set "agent" successfully rolled out/);
    const ds = await jsonOf(['get', 'daemonset', 'agent']);
    assert.equal(ds.status.desiredNumberScheduled, 3);
    assert.equal(ds.status.numberReady, 3);
    const pods = (await jsonOf<{ items: PodView[] }>(['get', 'pods', '-l', 'app=agent'])).items;
    assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), nodeNames, 'exactly one pod per node');
  });

  const statefulSet = (name: string, app: string, mountClaim: boolean) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas: 2,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ...(mountClaim ? { volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] } : {}) }] },
      },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });

  test('a StatefulSet template may mount a volumeClaimTemplate by name', async () => {
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify(statefulSet('mounted', 'mounted', true))));
    const out = succeeded(await kubectl(['rollout', 'status', 'statefulset/mounted', '--timeout=60s'], undefined, 70_000));
    assert.match(out, /partitioned roll out complete|successfully rolled out|2 pods at revision/);
    const pod = await jsonOf(['get', 'pod', 'mounted-0']);
    assert.equal(pod.spec.volumes.find((v: { name: string }) => v.name === 'www').persistentVolumeClaim.claimName, 'www-mounted-0');
  });

  test('a StatefulSet creates web-0 then web-1, each with its own PVC', async () => {
    const recorder = new PodRecorder(cluster.kubeconfig, 'default', 'app=sts');
    await recorder.start();
    succeeded(await kubectl(['apply', '-f', '-'], JSON.stringify(statefulSet('web', 'sts', false))));
    const out = succeeded(await kubectl(['rollout', 'status', 'statefulset/web', '--timeout=60s'], undefined, 70_000));
    assert.match(out, /partitioned roll out complete|successfully rolled out|2 pods at revision/);
    await recorder.stop();

    const firstReady = recorder.events.findIndex((e) => e.name === 'web-0' && e.ready);
    const web1Added = recorder.events.findIndex((e) => e.name === 'web-1' && e.type === 'ADDED');
    assert.ok(firstReady >= 0 && web1Added >= 0, JSON.stringify(recorder.events));
    assert.ok(firstReady < web1Added, 'OrderedReady: web-1 is created only after web-0 is Ready');

    const claims = await jsonOf<{ items: { metadata: { name: string; uid: string }; spec: { volumeName?: string; storageClassName?: string }; status?: { phase?: string } }[] }>(['get', 'pvc']);
    const byName = new Map(claims.items.map((c) => [c.metadata.name, c]));
    for (const [ordinal, name] of ['www-web-0', 'www-web-1'].entries()) {
      const claim = byName.get(name);
      assert.ok(claim, `PVC ${name} exists`);
      // The default local-path class provisioned a volume on the pod's node before the pod was bound.
      assert.equal(claim.spec.storageClassName, 'local-path');
      assert.equal(claim.status?.phase, 'Bound');
      assert.equal(claim.spec.volumeName, `pvc-${claim.metadata.uid}`);
      const volume = await jsonOf(['get', 'pv', claim.spec.volumeName!]);
      const pod = await jsonOf(['get', 'pod', `web-${ordinal}`]);
      assert.deepEqual(volume.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, [pod.spec.nodeName]);
    }
    const web0 = await jsonOf(['get', 'pod', 'web-0']);
    assert.equal(web0.spec.volumes.find((v: { name: string }) => v.name === 'www').persistentVolumeClaim.claimName, 'www-web-0');
    assert.equal(web0.spec.hostname, 'web-0');
    assert.equal(web0.spec.subdomain, 'web');
  });

  test('a CronJob every minute creates a Job', async () => {
    const job = await eventually(
      async () => {
        const jobs = await jsonOf<{ items: { metadata: { name: string; ownerReferences?: { kind: string; name: string }[] } }[] }>(['get', 'jobs']);
        return jobs.items.find((j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === 'tick'));
      },
      { timeoutMs: Math.max(5_000, cronCreatedAt + 75_000 - Date.now()), intervalMs: 1000, message: 'CronJob tick made no Job within 75 s' },
    );
    assert.match(job.metadata.name, /^tick-\d+$/);
    const cron = await jsonOf(['get', 'cronjob', 'tick']);
    assert.ok(cron.status?.lastScheduleTime, 'lastScheduleTime is set');
  });
});
