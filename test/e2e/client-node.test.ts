// End to end: the official JavaScript client (@kubernetes/client-node) against the real
// `kijabi server`: kubeconfig loading, list/create through CoreV1Api, and a watch.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { eventually, startCluster, type TestCluster } from '../support/cluster.js';

describe('@kubernetes/client-node', () => {
  let cluster: TestCluster;
  let config: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    cluster = await startCluster();
    config = new KubeConfig();
    config.loadFromFile(cluster.kubeconfig);
    core = config.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await cluster?.stop();
  });

  test('KubeConfig.loadFromFile points at the cluster', () => {
    assert.equal(config.getCurrentCluster()?.server, `https://127.0.0.1:${cluster.port}`);
    assert.equal(config.getCurrentUser()?.token, cluster.token);
  });

  test('create and list ConfigMaps through CoreV1Api', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'from-js', labels: { origin: 'client-node' } }, data: { greeting: 'hello' } },
    });
    assert.equal(created.metadata?.name, 'from-js');
    assert.ok(created.metadata?.uid);
    assert.ok(created.metadata?.resourceVersion);
    assert.ok(created.metadata?.creationTimestamp instanceof Date);

    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'origin=client-node' });
    assert.deepEqual(list.items.map((item) => [item.metadata?.name, item.data?.greeting]), [['from-js', 'hello']]);
    assert.ok(list.metadata?.resourceVersion);

    const everything = await core.listNamespacedConfigMap({ namespace: 'default' });
    assert.ok(everything.items.some((item) => item.metadata?.name === 'kube-root-ca.crt' || item.metadata?.name === 'from-js'));

    await assert.rejects(
      core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-js' } } }),
      (err: { code?: number; body?: string }) => err.code === 409 && JSON.parse(err.body ?? '{}').reason === 'AlreadyExists',
    );
  });

  // Watch.watch resolves once the response headers arrive, as informers expect before they write.
  test('a Watch on configmaps receives ADDED and MODIFIED', { timeout: 12_000 }, async () => {
    const events: string[] = [];
    let ended: unknown = 'open';
    const watch = new Watch(config);
    const controller = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { labelSelector: 'watched=yes' },
      (type: string, obj: V1ConfigMap) => events.push(`${type} ${obj.metadata?.name} ${obj.data?.step ?? ''}`),
      (err: unknown) => (ended = err ?? 'closed'),
    );
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'seen', labels: { watched: 'yes' } }, data: { step: '1' } } });
      await eventually(async () => events.includes('ADDED seen 1'), { timeoutMs: 10_000, message: `no ADDED event: ${JSON.stringify(events)}` });
      await core.patchNamespacedConfigMap(
        { namespace: 'default', name: 'seen', body: [{ op: 'replace', path: '/data/step', value: '2' }] },
      );
      await eventually(async () => events.includes('MODIFIED seen 2'), { timeoutMs: 10_000, message: `no MODIFIED event: ${JSON.stringify(events)}` });
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'seen' });
      await eventually(async () => events.includes('DELETED seen 2'), { timeoutMs: 10_000, message: `no DELETED event: ${JSON.stringify(events)}` });
      assert.deepEqual(events, ['ADDED seen 1', 'MODIFIED seen 2', 'DELETED seen 2']);
      assert.equal(ended, 'open', 'the watch must stay open');
    } finally {
      controller.abort();
    }
  });
});
