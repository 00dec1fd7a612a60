// End to end: client-side and server-side apply, dry runs and optimistic concurrency, driven
// through the real kubectl against the real `kijabi server`.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT, startCluster, type KubectlResult, type TestCluster } from '../support/cluster.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'e2e');
const fixture = (name: string) => join(FIXTURES, name);

function succeeded(result: KubectlResult): string {
  assert.equal(result.code, 0, `kubectl failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

describe('kubectl apply', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, { input });
  const jsonOf = async (args: string[]) => JSON.parse(succeeded(await kubectl([...args, '-o', 'json']))) as Record<string, any>;

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('client-side apply creates, configures, then leaves an unchanged object alone', async () => {
    assert.equal(succeeded(await kubectl(['apply', '-f', fixture('deployment-v1.yaml')])), 'deployment.apps/web created\n');
    const first = await jsonOf(['get', 'deployment', 'web']);
    assert.equal(first.metadata.generation, 1);
    const lastApplied = first.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    assert.ok(lastApplied, 'last-applied-configuration annotation is missing');
    assert.equal(JSON.parse(lastApplied).spec.template.spec.containers[0].image, 'nginx:1.25');

    assert.equal(succeeded(await kubectl(['apply', '-f', fixture('deployment-v2.yaml')])), 'deployment.apps/web configured\n');
    const second = await jsonOf(['get', 'deployment', 'web']);
    assert.equal(second.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(second.metadata.generation, 2);
    assert.equal(JSON.parse(second.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).spec.template.spec.containers[0].image, 'nginx:1.27');

    assert.equal(succeeded(await kubectl(['apply', '-f', fixture('deployment-v2.yaml')])), 'deployment.apps/web unchanged\n');
    const third = await jsonOf(['get', 'deployment', 'web']);
    assert.equal(third.metadata.generation, 2);
    // Not the resourceVersion: the deployment controller may write status in between.
    // Nor the revision annotation: the deployment controller sets it when it sees the new template.
    const appliedConfig = (o: typeof third) => o.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    const applied = (o: typeof third) => ({ spec: o.spec, labels: o.metadata.labels, lastApplied: appliedConfig(o), kubectl: o.metadata.managedFields?.filter((f: { manager?: string }) => f.manager?.startsWith('kubectl')) });
    assert.deepEqual(applied(third), applied(second), 'an unchanged apply must not write');

    // Metadata-only changes do not bump the generation.
    succeeded(await kubectl(['label', 'deployment', 'web', 'tier=front']));
    assert.equal((await jsonOf(['get', 'deployment', 'web'])).metadata.generation, 2);
  });

  test('server-side apply reports conflicts between field managers and records both managers', async () => {
    assert.equal(
      succeeded(await kubectl(['apply', '--server-side', '--field-manager=alice', '-f', fixture('ssa-replicas-alice.yaml')])),
      'deployment.apps/shared serverside-applied\n',
    );
    const conflict = await kubectl(['apply', '--server-side', '--field-manager=bob', '-f', fixture('ssa-replicas-bob.yaml')]);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "alice": \.spec\.replicas/);
    assert.equal((await jsonOf(['get', 'deployment', 'shared'])).spec.replicas, 2);

    assert.equal(
      succeeded(await kubectl(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', fixture('ssa-replicas-bob.yaml')])),
      'deployment.apps/shared serverside-applied\n',
    );
    const applied = await jsonOf(['get', 'deployment', 'shared', '--show-managed-fields']);
    assert.equal(applied.spec.replicas, 4);
    // Controllers may add their own Update entries (status, revision annotation); only appliers matter here.
    const managers = (applied.metadata.managedFields as { manager: string; operation: string }[]).filter((m) => m.operation === 'Apply').map((m) => `${m.manager}/${m.operation}`).sort();
    assert.deepEqual(managers, ['alice/Apply', 'bob/Apply']);
    const bob = applied.metadata.managedFields.find((m: { manager: string }) => m.manager === 'bob');
    assert.ok(bob.fieldsV1['f:spec']['f:replicas'], 'bob owns spec.replicas after forcing');
    const alice = applied.metadata.managedFields.find((m: { manager: string }) => m.manager === 'alice');
    assert.equal(alice.fieldsV1['f:spec']['f:replicas'], undefined, 'alice lost spec.replicas to bob');
  });

  test('a creator owns what it sent and the defaults, not what the server or admission added', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'owned', labels: { app: 'owned' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } };
    succeeded(await kubectl(['create', '-f', '-'], JSON.stringify(pod)));
    const created = await jsonOf(['get', 'pod', 'owned', '--show-managed-fields']);
    // Admission and the server did add these...
    assert.ok(created.spec.volumes?.some((v: { name: string }) => v.name.startsWith('kube-api-access-')), 'the token volume was added');
    assert.equal(created.status.phase, 'Pending');
    // ...but, as in Kubernetes, only the request and its defaults are the creator's.
    const entry = created.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl-create');
    assert.ok(entry, JSON.stringify(created.metadata.managedFields));
    const fields = entry.fieldsV1;
    assert.ok(fields['f:metadata']['f:labels']['f:app'], 'sent');
    assert.ok(fields['f:spec']['f:containers']['k:{"name":"main"}']['f:image'], 'sent');
    assert.ok(fields['f:spec']['f:dnsPolicy'] && fields['f:spec']['f:containers']['k:{"name":"main"}']['f:terminationMessagePath'], 'defaults');
    assert.equal(fields['f:status'], undefined, 'status is set by the server');
    assert.equal(fields['f:spec']['f:volumes'], undefined, 'the token volume comes from admission');
    assert.equal(fields['f:spec']['f:containers']['k:{"name":"main"}']['f:volumeMounts'], undefined);
  });

  test('--dry-run=server create and apply store nothing', async () => {
    assert.equal(succeeded(await kubectl(['create', 'configmap', 'dry', '--from-literal=a=b', '--dry-run=server'])), 'configmap/dry created (server dry run)\n');
    const missing = await kubectl(['get', 'configmap', 'dry']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "dry" not found/);

    assert.equal(succeeded(await kubectl(['apply', '-f', fixture('pod.yaml'), '--dry-run=server'])), 'pod/lonely created (server dry run)\n');
    assert.match((await kubectl(['get', 'pod', 'lonely'])).stderr, /pods "lonely" not found/);
  });

  // kubectl sends dryRun in the DeleteOptions body, not in the query string.
  test('--dry-run=server delete deletes nothing', async () => {
    succeeded(await kubectl(['create', 'configmap', 'keep', '--from-literal=a=b']));
    assert.equal(succeeded(await kubectl(['delete', 'configmap', 'keep', '--dry-run=server'])), 'configmap "keep" deleted (server dry run)\n');
    assert.equal((await jsonOf(['get', 'configmap', 'keep'])).data.a, 'b');
  });

  test('replace with a stale resourceVersion is a Conflict', async () => {
    succeeded(await kubectl(['create', 'configmap', 'racy', '--from-literal=v=1']));
    const stale = await jsonOf(['get', 'configmap', 'racy']);
    succeeded(await kubectl(['patch', 'configmap', 'racy', '--type=merge', '-p', '{"data":{"v":"2"}}']));
    stale.data.v = '3';
    const result = await kubectl(['replace', '-f', '-'], JSON.stringify(stale));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "racy": the object has been modified; please apply your changes to the latest version and try again/);
    assert.equal((await jsonOf(['get', 'configmap', 'racy'])).data.v, '2');

    // The same manifest without a resourceVersion replaces unconditionally.
    delete stale.metadata.resourceVersion;
    assert.equal(succeeded(await kubectl(['replace', '-f', '-'], JSON.stringify(stale))), 'configmap/racy replaced\n');
    assert.equal((await jsonOf(['get', 'configmap', 'racy'])).data.v, '3');
  });
});
