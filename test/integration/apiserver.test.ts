// The real API server (in this process, over HTTPS, on a real SQLite file) driven through the
// real client library: resourceVersion semantics, selectors, paging, watch, status split,
// generation, finalizers, dry run, admission and the subresources.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { isApiError } from '../../src/api/errors.js';
import type { KubeObject, WatchEvent } from '../../src/api/meta.js';
import { findResource } from '../../src/api/resources.js';
import type { RunningServer } from '../../src/cmd/server.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { Informer } from '../../src/client/informer.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { PatchTypes, RestClient } from '../../src/client/rest-client.js';
import { eventually } from '../support/cluster.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICES = findResource('', 'v1', 'services')!;
const PODS = findResource('', 'v1', 'pods')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const PDBS = findResource('policy', 'v1', 'poddisruptionbudgets')!;

async function expectApiError(promise: Promise<unknown>, reason: string, code: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isApiError(err), `expected an ApiError, got ${String(err)}`);
    assert.equal(err.reason, reason);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

function configMap(name: string, namespace = 'default', labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

function deployment(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}

/** Sends a raw HTTPS request to the server (for malformed bodies and missing tokens). */
function raw(server: RunningServer, ca: string, options: { method: string; path: string; body?: string | Buffer; token?: string; contentType?: string }): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': options.contentType ?? 'application/json' };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    // Node sends a DELETE body without a length unless told: the server could not tell where it ends.
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    const req = httpsRequest({ host: '127.0.0.1', port: server.port, method: options.method, path: options.path, ca, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('API server through the client library', () => {
  let dir: string;
  let server: RunningServer;
  let client: RestClient;
  let ca: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kijabi-int-'));
    server = await startInProcessServer(dir, 'integration-token');
    client = RestClient.fromKubeconfig(server.kubeconfigPath);
    ca = loadKubeconfig(server.kubeconfigPath).ca!;
  });

  after(async () => {
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('create, get, and list with label and field selectors', async () => {
    await client.create(CONFIGMAPS, configMap('sel-a', 'default', { tier: 'web', env: 'prod' }));
    await client.create(CONFIGMAPS, configMap('sel-b', 'default', { tier: 'db', env: 'prod' }));
    await client.create(CONFIGMAPS, configMap('sel-c', 'default', { tier: 'web' }));
    const got = await client.get(CONFIGMAPS, 'default', 'sel-a');
    assert.equal(got.metadata.name, 'sel-a');
    assert.match(got.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.match(got.metadata.resourceVersion ?? '', /^\d+$/);
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await client.list(CONFIGMAPS, { namespace: 'default', labelSelector, fieldSelector })).items.map((i) => i.metadata.name).filter((n) => n?.startsWith('sel-')).sort();
    assert.deepEqual(await names('tier=web'), ['sel-a', 'sel-c']);
    assert.deepEqual(await names('tier in (web,db),env=prod'), ['sel-a', 'sel-b']);
    assert.deepEqual(await names('!env'), ['sel-c']);
    assert.deepEqual(await names(undefined, 'metadata.name=sel-b'), ['sel-b']);
    assert.deepEqual(await names('tier=web', 'metadata.name!=sel-a'), ['sel-c']);
    await expectApiError(client.list(CONFIGMAPS, { namespace: 'default', fieldSelector: 'spec.nodeName=x' }), 'BadRequest', 400, /field label not supported: spec.nodeName/);
    await expectApiError(client.get(CONFIGMAPS, 'default', 'nope'), 'NotFound', 404, /configmaps "nope" not found/);
  });

  test('writes whose result is not needed: stored, errors still reported, connection reusable', async () => {
    await client.createDiscardingResult(CONFIGMAPS, configMap('quiet', 'default', {}, { a: '1' }));
    await client.patchDiscardingResult(CONFIGMAPS, 'default', 'quiet', PatchTypes.merge, { data: { a: '2' } });
    assert.deepEqual((await client.get(CONFIGMAPS, 'default', 'quiet')).data, { a: '2' });
    await expectApiError(client.patchDiscardingResult(CONFIGMAPS, 'default', 'absent', PatchTypes.merge, { data: {} }), 'NotFound', 404, /configmaps "absent" not found/);
    await expectApiError(client.createDiscardingResult(CONFIGMAPS, configMap('quiet')), 'AlreadyExists', 409);
    // Many in a row on the pooled connections: each answer was read off its connection.
    for (let i = 0; i < 20; i++) await client.patchDiscardingResult(CONFIGMAPS, 'default', 'quiet', PatchTypes.merge, { data: { a: String(i) } });
    assert.deepEqual((await client.get(CONFIGMAPS, 'default', 'quiet')).data, { a: '19' });
  });

  test('paged lists are one consistent snapshot', async () => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    for (let i = 0; i < 25; i++) await client.create(CONFIGMAPS, configMap(`p-${String(i).padStart(2, '0')}`, 'paging'));
    const first = await client.list(CONFIGMAPS, { namespace: 'paging', limit: 10 });
    assert.equal(first.items.length, 10);
    assert.ok(first.metadata.continue);
    assert.equal(first.metadata.remainingItemCount, 15);
    await client.create(CONFIGMAPS, configMap('p-zz-late', 'paging'));
    const second = await client.list(CONFIGMAPS, { namespace: 'paging', limit: 10, continue: first.metadata.continue });
    const third = await client.list(CONFIGMAPS, { namespace: 'paging', limit: 10, continue: second.metadata.continue });
    assert.equal(third.items.length, 5);
    assert.equal(third.metadata.continue, undefined);
    const all = [...first.items, ...second.items, ...third.items].map((i) => i.metadata.name);
    assert.equal(new Set(all).size, 25);
    assert.ok(!all.includes('p-zz-late'), 'an object created after the first page is not in the snapshot');
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
  });

  test('a stale resourceVersion on update is a 409 Conflict', async () => {
    const created = await client.create(CONFIGMAPS, configMap('cas'));
    await client.update(CONFIGMAPS, { ...created, data: { a: '1' } });
    await expectApiError(
      client.update(CONFIGMAPS, { ...created, data: { a: '2' } }),
      'Conflict',
      409,
      /^Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again$/,
    );
  });

  test('concurrent patches of one object without a resourceVersion all succeed (the store retries, as Kubernetes does)', async () => {
    await client.create(CONFIGMAPS, configMap('contended'));
    const writers = 100;
    await Promise.all(Array.from({ length: writers }, (_, i) => client.patch(CONFIGMAPS, 'default', 'contended', PatchTypes.merge, { data: { [`k${i}`]: String(i) } })));
    const after = await client.get(CONFIGMAPS, 'default', 'contended');
    assert.equal(Object.keys((after as { data?: object }).data ?? {}).filter((k) => k.startsWith('k')).length, writers);
  });

  test('generation follows spec changes only, and status is written only through /status', async () => {
    const created = await client.create(DEPLOYMENTS, { ...deployment('gen'), status: { replicas: 99 } });
    assert.equal(created.metadata.generation, 1);
    assert.equal((created.status as { replicas?: number } | undefined)?.replicas, undefined, 'status is cleared on create');
    const labelled = await client.patch(DEPLOYMENTS, 'default', 'gen', PatchTypes.merge, { metadata: { labels: { x: 'y' } } });
    assert.equal(labelled.metadata.generation, 1);
    const scaled = await client.patch(DEPLOYMENTS, 'default', 'gen', PatchTypes.merge, { spec: { replicas: 3 }, status: { replicas: 7 } });
    assert.equal(scaled.metadata.generation, 2);
    assert.equal((scaled.status as { replicas?: number } | undefined)?.replicas, undefined, 'status ignored on the main resource');
    const status = await client.patch(DEPLOYMENTS, 'default', 'gen', PatchTypes.merge, { spec: { replicas: 9 }, status: { replicas: 3, observedGeneration: 2 } }, { subresource: 'status' });
    assert.equal((status.spec as { replicas: number }).replicas, 3, 'spec ignored on /status');
    assert.equal((status.status as { replicas: number }).replicas, 3);
    assert.equal(status.metadata.generation, 2);
    await expectApiError(client.patch(DEPLOYMENTS, 'default', 'gen', PatchTypes.merge, { spec: { replicas: -1 } }), 'Invalid', 422, /spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
  });

  test('watch delivers changes in order and turns selector transitions into ADDED and DELETED', async () => {
    const list = await client.list(CONFIGMAPS, { namespace: 'default' });
    const controller = new AbortController();
    const events: WatchEvent[] = [];
    const done = (async () => {
      for await (const event of client.watch(CONFIGMAPS, { namespace: 'default', labelSelector: 'watched=yes', resourceVersion: list.metadata.resourceVersion, signal: controller.signal })) {
        events.push(event as WatchEvent);
      }
    })();
    await client.create(CONFIGMAPS, configMap('w1', 'default', { watched: 'yes' }));
    await client.create(CONFIGMAPS, configMap('w2', 'default', { watched: 'no' }));
    await client.patch(CONFIGMAPS, 'default', 'w1', PatchTypes.merge, { data: { k: 'v' } });
    await client.patch(CONFIGMAPS, 'default', 'w2', PatchTypes.merge, { metadata: { labels: { watched: 'yes' } } });
    await client.patch(CONFIGMAPS, 'default', 'w1', PatchTypes.merge, { metadata: { labels: { watched: 'no' } } });
    await client.delete(CONFIGMAPS, 'default', 'w2');
    await eventually(async () => events.length >= 5, { message: `watch events: ${JSON.stringify(events.map((e) => e.type))}` });
    controller.abort();
    await done.catch(() => undefined);
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w1', 'MODIFIED w1', 'ADDED w2', 'DELETED w1', 'DELETED w2']);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs, 'resourceVersions increase');
  });

  test('an informer lists, then follows the watch', async () => {
    const informer = new Informer(client, CONFIGMAPS, { namespace: 'paging' });
    const controller = new AbortController();
    const running = informer.start(controller.signal);
    assert.ok(await informer.waitForSync(controller.signal));
    assert.equal(informer.lister().list('paging').length, 26);
    await client.delete(CONFIGMAPS, 'paging', 'p-00');
    await client.create(CONFIGMAPS, configMap('p-new', 'paging'));
    await eventually(async () => informer.lister().get('paging', 'p-new') && !informer.lister().get('paging', 'p-00'));
    controller.abort();
    await running.catch(() => undefined);
  });

  test('finalizers hold an object in deletion until they are removed', async () => {
    await client.create(CONFIGMAPS, { ...configMap('held'), metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] } });
    const deleting = (await client.delete(CONFIGMAPS, 'default', 'held')) as KubeObject;
    assert.ok(deleting.metadata.deletionTimestamp);
    const still = await client.get(CONFIGMAPS, 'default', 'held');
    assert.ok(still.metadata.deletionTimestamp);
    await client.patch(CONFIGMAPS, 'default', 'held', PatchTypes.json, [{ op: 'remove', path: '/metadata/finalizers' }]);
    await expectApiError(client.get(CONFIGMAPS, 'default', 'held'), 'NotFound', 404);
  });

  test('dry run stores nothing', async () => {
    const dry = await client.create(CONFIGMAPS, configMap('dry'), { dryRun: true });
    assert.equal(dry.metadata.name, 'dry');
    await expectApiError(client.get(CONFIGMAPS, 'default', 'dry'), 'NotFound', 404);
  });

  test('namespace lifecycle: no content in missing or terminating namespaces', async () => {
    await expectApiError(client.create(CONFIGMAPS, configMap('x', 'does-not-exist')), 'NotFound', 404, /namespaces "does-not-exist" not found/);
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ending' } });
    const deleting = (await client.delete(NAMESPACES, undefined, 'ending')) as KubeObject;
    assert.equal((deleting.status as { phase?: string }).phase, 'Terminating');
    await expectApiError(client.create(CONFIGMAPS, configMap('x', 'ending')), 'Forbidden', 403, /unable to create new content in namespace ending because it is being terminated/);
  });

  test('services get unique cluster IPs and node ports from their ranges', async () => {
    const svc = (name: string, type = 'ClusterIP'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type, selector: { app: name }, ports: [{ port: 80 }] } });
    const a = await client.create(SERVICES, svc('svc-a'));
    const b = await client.create(SERVICES, svc('svc-b', 'NodePort'));
    const ipA = (a.spec as { clusterIP: string }).clusterIP;
    const ipB = (b.spec as { clusterIP: string }).clusterIP;
    assert.match(ipA, /^10\.43\.\d+\.\d+$/);
    assert.notEqual(ipA, ipB);
    const port = (b.spec as { ports: { nodePort: number; targetPort: unknown; protocol: string }[] }).ports[0];
    assert.ok(port.nodePort >= 30000 && port.nodePort <= 32767);
    assert.equal(port.protocol, 'TCP');
    assert.equal(port.targetPort, 80);
  });

  test('scale, binding and eviction subresources', async () => {
    await client.create(DEPLOYMENTS, deployment('scaled', 2));
    const scale = await client.getScale(DEPLOYMENTS, 'default', 'scaled');
    assert.equal(scale.spec?.replicas, 2);
    assert.equal(scale.status?.selector, 'app=scaled');
    await client.patch(DEPLOYMENTS, 'default', 'scaled', PatchTypes.merge, { spec: { replicas: 5 } }, { subresource: 'scale' });
    assert.equal(((await client.get(DEPLOYMENTS, 'default', 'scaled')).spec as { replicas: number }).replicas, 5);

    await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bind-me', namespace: 'default', labels: { app: 'guarded' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    await client.bind('default', 'bind-me', 'node-1');
    const bound = await client.get(PODS, 'default', 'bind-me');
    assert.equal((bound.spec as { nodeName: string }).nodeName, 'node-1');
    const conditions = (bound.status as { conditions: { type: string; status: string }[] }).conditions;
    assert.ok(conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True'));
    await expectApiError(client.bind('default', 'bind-me', 'node-2'), 'Conflict', 409, /already assigned to node "node-1"/);

    await client.create(PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
    await expectApiError(client.evict('default', 'bind-me'), 'TooManyRequests', 429, /disruption budget/);
    // An Eviction naming another pod than the URL is refused before any budget is looked at.
    const mismatch = await raw(server, ca, { method: 'POST', path: '/api/v1/namespaces/default/pods/bind-me/eviction', token: 'integration-token', body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'other', namespace: 'default' } }) });
    assert.equal(mismatch.code, 400);
    assert.match(JSON.parse(mismatch.body).message, /name in URL does not match name in Eviction object/);
  });

  test('YAML request bodies are accepted', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  greeting: hello\n';
    const created = await raw(server, ca, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', token: 'integration-token', body: yaml, contentType: 'application/yaml' });
    assert.equal(created.code, 201, created.body);
    assert.deepEqual((await client.get(CONFIGMAPS, 'default', 'from-yaml')).data, { greeting: 'hello' });
    const broken = await raw(server, ca, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', token: 'integration-token', body: 'data: [unclosed', contentType: 'application/yaml' });
    assert.equal(broken.code, 400);
    assert.equal(JSON.parse(broken.body).reason, 'BadRequest');
  });

  test('bad requests get a Status and change nothing; the server keeps serving', async () => {
    const noToken = await raw(server, ca, { method: 'GET', path: '/api/v1/namespaces/default/configmaps' });
    assert.equal(noToken.code, 401);
    assert.equal(JSON.parse(noToken.body).reason, 'Unauthorized');
    assert.equal((await raw(server, ca, { method: 'GET', path: '/readyz' })).code, 200);
    const malformed = await raw(server, ca, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', token: 'integration-token', body: '{"apiVersion": "v1", "kind": ' });
    assert.equal(malformed.code, 400);
    assert.equal(JSON.parse(malformed.body).kind, 'Status');
    const tooLarge = await raw(server, ca, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', token: 'integration-token', body: JSON.stringify(configMap('huge', 'default', {}, { big: 'x'.repeat(3 * 1024 * 1024 + 10) })) });
    assert.equal(tooLarge.code, 413);
    const wrongKind = await raw(server, ca, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', token: 'integration-token', body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }) });
    assert.equal(wrongKind.code, 400);
    const badLabel = await raw(server, ca, { method: 'POST', path: '/api/v1/namespaces/default/configmaps', token: 'integration-token', body: JSON.stringify(configMap('bad-label', 'default', { ok: 'bad value!' })) });
    assert.equal(badLabel.code, 422);
    assert.match(JSON.parse(badLabel.body).message, /metadata.labels: Invalid value: "bad value!"/);
    await expectApiError(client.get(CONFIGMAPS, 'default', 'bad-label'), 'NotFound', 404);
    assert.equal((await client.get(CONFIGMAPS, 'default', 'sel-a')).metadata.name, 'sel-a');
    // A merge patch is checked on its own fields: Strict refuses an unknown one, a wrong type is always refused.
    const before = await client.get(CONFIGMAPS, 'default', 'sel-a');
    const patch = (body: object, query = '') => raw(server, ca, { method: 'PATCH', path: `/api/v1/namespaces/default/configmaps/sel-a${query}`, token: 'integration-token', body: JSON.stringify(body), contentType: 'application/merge-patch+json' });
    const strict = await patch({ data: { k: 'v' }, bogus: { deep: 1 } }, '?fieldValidation=Strict');
    assert.equal(strict.code, 400);
    assert.match(JSON.parse(strict.body).message, /strict decoding error: unknown field "bogus"/);
    const wrongType = await patch({ data: 'not a map' });
    assert.equal(wrongType.code, 400);
    assert.match(JSON.parse(wrongType.body).message, /cannot unmarshal string into Go struct field ConfigMap.data of type map/);
    const notAnObject = await patch(['replace'] as unknown as object);
    assert.equal(notAnObject.code, 400);
    assert.equal((await client.get(CONFIGMAPS, 'default', 'sel-a')).metadata.resourceVersion, before.metadata.resourceVersion, 'nothing was written');
    // A null only removes: an unknown field set to null leaves nothing unknown in the result, as in Kubernetes.
    const deletion = await patch({ data: { k: 'v' }, bogus: null }, '?fieldValidation=Strict');
    assert.equal(deletion.code, 200, deletion.body);
    assert.equal(((await client.get(CONFIGMAPS, 'default', 'sel-a')) as { data?: Record<string, string> }).data?.k, 'v');
    // DeleteOptions of the wrong type (in the body or the query) delete nothing.
    const badDelete = await raw(server, ca, { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/sel-a', token: 'integration-token', body: JSON.stringify({ gracePeriodSeconds: 'soon' }) });
    assert.equal(badDelete.code, 400);
    assert.match(JSON.parse(badDelete.body).message, /cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64/);
    const badQuery = await raw(server, ca, { method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/sel-a?gracePeriodSeconds=soon', token: 'integration-token' });
    assert.equal(badQuery.code, 400);
    assert.equal((await client.get(CONFIGMAPS, 'default', 'sel-a')).metadata.name, 'sel-a', 'still there');
    // A watch from a revision the store has not reached: waited for briefly, then Kubernetes' 504 in the stream.
    const future = await raw(server, ca, { method: 'GET', path: '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=999999999&timeoutSeconds=10', token: 'integration-token' });
    const futureEvent = JSON.parse(future.body.trim()) as { type: string; object: { code: number; reason: string; message: string } };
    assert.equal(futureEvent.type, 'ERROR');
    assert.equal(futureEvent.object.code, 504);
    assert.match(futureEvent.object.message, /^Timeout: Too large resource version: 999999999, current: \d+$/);
    // Integer query parameters that are not integers: a 400, not a watch that runs for an hour.
    for (const query of ['watch=true&timeoutSeconds=soon', 'limit=many']) {
      const bad = await raw(server, ca, { method: 'GET', path: `/api/v1/namespaces/default/configmaps?${query}`, token: 'integration-token' });
      assert.equal(bad.code, 400, query);
      assert.match(JSON.parse(bad.body).message, /strconv.ParseInt: parsing ".*": invalid syntax/);
    }
  });
});
