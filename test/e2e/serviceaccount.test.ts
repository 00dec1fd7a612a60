// Service account tokens and fsGroup with the real kubectl, the in-process agent and real crun:
// `kubectl create token`, the kube-api-access volume inside a busybox pod, and fsGroup ownership.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../support/cluster.js';
import { nodeClusterSkipReason, startNodeCluster, type NodeCluster } from '../support/node-cluster.js';

const skip = nodeClusterSkipReason();
type Json = Record<string, any>;
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('service account tokens and fsGroup end to end', { skip }, () => {
  let cluster: NodeCluster;

  before(async () => {
    cluster = await startNodeCluster({ crashBackoffMs: 1000 });
  });

  after(async () => {
    await cluster?.stop();
  });

  const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> =>
    eventually(fn, { timeoutMs, intervalMs: 300, message: `${what}\n--- server log tail ---\n${cluster.logs().slice(-3000)}` });

  const runPod = async (name: string, spec: Json): Promise<void> => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, ...spec, containers: spec.containers.map((c: Json) => ({ image: cluster.busybox, ...c })) } };
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor(`pod ${name} Running`, async () => (await cluster.getJson<Json>(['pod', name])).status?.phase === 'Running');
  };

  test('kubectl create token prints a JWT that kubectl --token accepts', async () => {
    await waitFor('default service account', async () => (await cluster.kubectl(['get', 'sa', 'default'])).code === 0);
    const created = await cluster.kubectl(['create', 'token', 'default', '--duration', '10m']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const whoami = await cluster.kubectl(['auth', 'whoami', '--token', token]);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /system:serviceaccount:default:default/);
    const pods = await cluster.kubectl(['get', 'pods', '--token', token]);
    assert.notEqual(pods.code, 0);
    assert.match(pods.stderr, /pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"/);
  });

  test('a pod sees token, ca.crt and namespace, and its token authenticates', async () => {
    await runPod('sa-reader', { containers: [{ name: 'main', command: ['sleep', '3600'] }] });
    const ls = await cluster.kubectl(['exec', 'sa-reader', '--', 'ls', SA_DIR]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(ls.stdout.trim().split(/\s+/).sort(), ['ca.crt', 'namespace', 'token']);
    assert.equal((await cluster.kubectl(['exec', 'sa-reader', '--', 'cat', `${SA_DIR}/namespace`])).stdout, 'default');
    assert.match((await cluster.kubectl(['exec', 'sa-reader', '--', 'cat', `${SA_DIR}/ca.crt`])).stdout, /BEGIN CERTIFICATE/);
    const token = (await cluster.kubectl(['exec', 'sa-reader', '--', 'cat', `${SA_DIR}/token`])).stdout.trim();
    const raw = await cluster.kubectl(['get', '--raw', '/api', '--token', token]);
    assert.equal(raw.code, 0, raw.stderr);
    assert.match(raw.stdout, /APIVersions/);
    const whoami = await cluster.kubectl(['auth', 'whoami', '--token', token, '-o', 'json']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.deepEqual(JSON.parse(whoami.stdout).status.userInfo.extra['authentication.kubernetes.io/pod-name'], ['sa-reader']);
  });

  test('fsGroup: the container has the group and files in an emptyDir belong to it', async () => {
    await runPod('fsgroup', {
      securityContext: { fsGroup: 2000 },
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [{ name: 'main', command: ['sh', '-c', 'touch /data/f; sleep 3600'], volumeMounts: [{ name: 'scratch', mountPath: '/data' }] }],
    });
    const id = await cluster.kubectl(['exec', 'fsgroup', '--', 'id']);
    assert.match(id.stdout, /groups=.*2000/);
    const listing = await waitFor('file written', async () => {
      const r = await cluster.kubectl(['exec', 'fsgroup', '--', 'ls', '-ln', '/data']);
      return r.stdout.includes(' f') ? r.stdout : undefined;
    });
    assert.match(listing, /^-\S+\s+\d+\s+\d+\s+2000\s+.*\sf$/m);
    const dir = await cluster.kubectl(['exec', 'fsgroup', '--', 'stat', '-c', '%g %A', '/data']);
    assert.equal(dir.stdout.trim(), '2000 drwxrwsrwx');
  });
});
