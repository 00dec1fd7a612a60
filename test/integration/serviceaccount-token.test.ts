// Service account tokens end to end inside one process: the real API server with its controllers,
// TokenRequest through the client, the token used as a bearer token, bound-pod invalidation, the
// kube-root-ca.crt publisher and the token volume admission adds to pods.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isApiError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource } from '../../src/api/resources.js';
import type { RunningServer } from '../../src/cmd/server.js';
import { startInProcessServer } from '../support/in-process-server.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { RestClient } from '../../src/client/rest-client.js';
import { WebSocket } from 'ws';
import { eventually } from '../support/cluster.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const PODS = findResource('', 'v1', 'pods')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;

describe('service account tokens', () => {
  let dir: string;
  let server: RunningServer;
  let admin: RestClient;
  const clients: RestClient[] = [];

  function clientWithToken(token: string): RestClient {
    const config = loadKubeconfig(server.kubeconfigPath);
    const client = new RestClient({ ...config, token });
    clients.push(client);
    return client;
  }

  function requestToken(namespace: string, name: string, spec: Record<string, unknown> = {}): Promise<KubeObject> {
    return admin.request<KubeObject>({ method: 'POST', path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kijabi-sa-'));
    server = await startInProcessServer(dir, 'sa-admin-token', { disableControllers: false });
    admin = RestClient.fromKubeconfig(server.kubeconfigPath);
    await eventually(() => admin.get(SERVICE_ACCOUNTS, 'default', 'default').catch(() => undefined), { message: 'default service account' });
  });

  after(async () => {
    for (const c of clients) c.close();
    admin?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a requested token authenticates as the service account, which may read discovery only', async () => {
    const answer = await requestToken('default', 'default', { expirationSeconds: 600 });
    const status = answer.status as { token: string; expirationTimestamp: string };
    assert.equal(answer.kind, 'TokenRequest');
    assert.match(status.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const lifetime = Date.parse(status.expirationTimestamp) - Date.now();
    assert.ok(lifetime > 590_000 && lifetime <= 600_000, `expires in ${lifetime} ms`);
    const sa = clientWithToken(status.token);
    const versions = await sa.request<{ kind: string }>({ method: 'GET', path: '/api' });
    assert.equal(versions.kind, 'APIVersions');
    const review = await sa.request<{ status: { userInfo: { username: string; groups: string[] } } }>({ method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    assert.equal(review.status.userInfo.username, 'system:serviceaccount:default:default');
    assert.deepEqual(review.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    await assert.rejects(sa.list(PODS, { namespace: 'default' }), (err: unknown) =>
      isApiError(err) && err.code === 403 && err.message === 'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"');
  });

  test('streaming requests are authorized too: logs and a WebSocket exec upgrade are 403 for a service account', async () => {
    const token = ((await requestToken('default', 'default')).status as { token: string }).token;
    await assert.rejects(clientWithToken(token).request({ method: 'GET', path: '/api/v1/namespaces/default/pods/any/log' }), (err: unknown) =>
      isApiError(err) && err.code === 403 && /pods "any" is forbidden: User "system:serviceaccount:default:default" cannot get resource "pods\/log"/.test(err.message));
    const { ca, server: url } = loadKubeconfig(server.kubeconfigPath);
    const wsUrl = `${url!.replace(/^https/, 'wss')}/api/v1/namespaces/default/pods/any/exec?command=true&stdout=true`;
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, ['v5.channel.k8s.io'], { ca, headers: { Authorization: `Bearer ${token}` } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('the upgrade was accepted')));
      ws.on('error', () => undefined);
    });
    assert.equal(status, 403);
  });

  test('TokenRequest validation and lookups', async () => {
    await assert.rejects(requestToken('default', 'missing'), (err: unknown) => isApiError(err) && err.code === 404 && /serviceaccounts "missing" not found/.test(err.message));
    await assert.rejects(requestToken('default', 'default', { expirationSeconds: 60 }), (err: unknown) => isApiError(err) && err.code === 422 && /may not specify a duration less than 10 minutes/.test(err.message));
    await assert.rejects(requestToken('default', 'default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nope' } }), (err: unknown) => isApiError(err) && err.code === 404);
    const otherAudience = (await requestToken('default', 'default', { audiences: ['vault'] })).status as { token: string };
    await assert.rejects(clientWithToken(otherAudience.token).request({ method: 'GET', path: '/api' }), (err: unknown) => isApiError(err) && err.code === 401);
  });

  test('TokenReview tells whom a token stands for, for the audiences asked', async () => {
    type Review = { kind: string; status: { authenticated: boolean; user: { username?: string; groups?: string[] }; audiences?: string[] } };
    const review = (token: string, audiences?: string[]) =>
      admin.request<Review>({ method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } } });
    const token = ((await requestToken('default', 'default')).status as { token: string }).token;
    const ok = await review(token);
    assert.equal(ok.kind, 'TokenReview');
    assert.equal(ok.status.authenticated, true);
    assert.equal(ok.status.user.username, 'system:serviceaccount:default:default');
    assert.deepEqual(ok.status.audiences, ['https://kubernetes.default.svc.cluster.local']);
    const vaultToken = ((await requestToken('default', 'default', { audiences: ['vault'] })).status as { token: string }).token;
    assert.equal((await review(vaultToken)).status.authenticated, false, 'not valid for the API server');
    const forVault = await review(vaultToken, ['vault']);
    assert.equal(forVault.status.authenticated, true);
    assert.deepEqual(forVault.status.audiences, ['vault']);
    assert.equal((await review('sa-admin-token')).status.user.username, 'system:admin');
    assert.equal((await review('sa-admin-token', ['vault'])).status.authenticated, false, 'static tokens are for the API server only');
    assert.equal((await review(`${token.slice(0, -4)}AAAA`)).status.authenticated, false, 'a tampered signature');
    await assert.rejects(review(''), (err: unknown) => isApiError(err) && err.code === 422);
    // Only system:masters may review tokens (Kubernetes gives it to system:auth-delegator too).
    await assert.rejects(clientWithToken(token).request({ method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } }), (err: unknown) => isApiError(err) && err.code === 403);
  });

  test('a token bound to a pod stops working when the pod is deleted', async () => {
    const pod: KubeObject = await admin.create<KubeObject>(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const spec = pod.spec as { volumes?: { name: string; projected?: unknown }[]; containers: { volumeMounts?: { mountPath: string; readOnly?: boolean }[] }[] };
    assert.ok(spec.volumes?.some((v) => /^kube-api-access-[a-z0-9]{5}$/.test(v.name) && v.projected), 'admission added the token volume');
    assert.deepEqual(spec.containers[0]!.volumeMounts?.map((m) => [m.mountPath, m.readOnly]), [['/var/run/secrets/kubernetes.io/serviceaccount', true]]);
    const answer = await requestToken('default', 'default', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: pod.metadata.uid } });
    const sa = clientWithToken((answer.status as { token: string }).token);
    await sa.request({ method: 'GET', path: '/api' });
    await admin.delete(PODS, 'default', 'bound', { gracePeriodSeconds: 0 });
    await eventually(async () => {
      try {
        await sa.request({ method: 'GET', path: '/api' });
        return false;
      } catch (err) {
        return isApiError(err) && err.code === 401;
      }
    }, { message: 'token of a deleted pod still accepted' });
  });

  test('pods that opt out get no token volume', async () => {
    const pod = await admin.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'optout', namespace: 'default' }, spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal((pod.spec as { volumes?: unknown[] }).volumes, undefined);
    await admin.delete(PODS, 'default', 'optout', { gracePeriodSeconds: 0 });
  });

  test('kube-root-ca.crt appears in new namespaces and comes back after deletion or edits', async () => {
    await admin.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rootca' } });
    const caPem = loadKubeconfig(server.kubeconfigPath).ca!;
    const first = await eventually(() => admin.get(CONFIGMAPS, 'rootca', 'kube-root-ca.crt').catch(() => undefined), { message: 'kube-root-ca.crt created' });
    assert.equal((first.data as Record<string, string>)['ca.crt'], caPem);
    await admin.delete(CONFIGMAPS, 'rootca', 'kube-root-ca.crt');
    await eventually(async () => {
      const cm = await admin.get(CONFIGMAPS, 'rootca', 'kube-root-ca.crt').catch(() => undefined);
      return cm && cm.metadata.uid !== first.metadata.uid;
    }, { message: 'kube-root-ca.crt recreated' });
    const current = await admin.get(CONFIGMAPS, 'rootca', 'kube-root-ca.crt');
    await admin.update(CONFIGMAPS, { ...current, data: { 'ca.crt': 'tampered' } });
    await eventually(async () => ((await admin.get(CONFIGMAPS, 'rootca', 'kube-root-ca.crt')).data as Record<string, string>)['ca.crt'] === caPem, { message: 'kube-root-ca.crt restored' });
  });
});
