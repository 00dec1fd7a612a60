// End to end: what kubectl and raw HTTPS clients see when a request is wrong: validation errors,
// strict field validation, authentication, malformed and oversized bodies.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, startCluster, type KubectlResult, type TestCluster } from '../support/cluster.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'e2e');
const fixture = (name: string) => join(FIXTURES, name);

const RFC1123_SUBDOMAIN_MESSAGE =
  `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;

function succeeded(result: KubectlResult): string {
  assert.equal(result.code, 0, `kubectl failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

interface RawResponse {
  status: number;
  body: string;
}

describe('kubectl and HTTPS error handling', () => {
  let cluster: TestCluster;
  let ca: string;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, { input });

  /** One HTTPS request to the server, trusting its CA from the kubeconfig. */
  function raw(method: string, path: string, options: { token?: string; body?: string | Buffer; contentType?: string } = {}): Promise<RawResponse> {
    return new Promise((resolveResponse, reject) => {
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (options.token) headers.Authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) {
        headers['Content-Type'] = options.contentType ?? 'application/json';
        headers['Content-Length'] = Buffer.byteLength(options.body);
      }
      const req = request({ host: '127.0.0.1', port: cluster.port, path, method, headers, ca }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }

  before(async () => {
    cluster = await startCluster();
    const config = parse(readFileSync(cluster.kubeconfig, 'utf8')) as { clusters: { cluster: { 'certificate-authority-data': string } }[] };
    ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString('utf8');
  });
  after(async () => {
    await cluster?.stop();
  });

  test('an invalid object name is rejected with the RFC 1123 message', async () => {
    const created = await kubectl(['create', 'configmap', 'Invalid_Name']);
    assert.equal(created.code, 1);
    assert.equal(created.stderr, `error: failed to create configmap: ConfigMap "Invalid_Name" is invalid: metadata.name: Invalid value: "Invalid_Name": ${RFC1123_SUBDOMAIN_MESSAGE}\n`);

    const applied = await kubectl(['apply', '-f', fixture('configmap-invalid-name.yaml')]);
    assert.equal(applied.code, 1);
    assert.equal(applied.stderr, `The ConfigMap "Invalid_Name" is invalid: metadata.name: Invalid value: "Invalid_Name": ${RFC1123_SUBDOMAIN_MESSAGE}\n`);
  });

  test('negative replicas are a 422 Invalid', async () => {
    const applied = await kubectl(['apply', '-f', fixture('deployment-negative-replicas.yaml')]);
    assert.equal(applied.code, 1);
    assert.equal(applied.stderr, 'The Deployment "negative" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n');

    const manifest = JSON.stringify(parse(readFileSync(fixture('deployment-negative-replicas.yaml'), 'utf8')));
    const response = await raw('POST', '/apis/apps/v1/namespaces/default/deployments', { token: cluster.token, body: manifest });
    assert.equal(response.status, 422);
    const status = JSON.parse(response.body);
    assert.equal(status.reason, 'Invalid');
    assert.deepEqual(status.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }]);
  });

  test('unknown fields: strict validation fails, warn validation warns', async () => {
    const strict = await kubectl(['apply', '--validate=strict', '-f', fixture('deployment-unknown-field.yaml')]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /^Error from server \(BadRequest\): error when creating ".*deployment-unknown-field\.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.bogusField"$/m);
    assert.match((await kubectl(['get', 'deployment', 'strict'])).stderr, /deployments\.apps "strict" not found/);

    const warned = await kubectl(['apply', '--validate=warn', '-f', fixture('deployment-unknown-field.yaml')]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.equal(warned.stdout, 'deployment.apps/strict created\n');
    assert.equal(warned.stderr, 'Warning: unknown field "spec.bogusField"\n');
    assert.equal(succeeded(await kubectl(['get', 'deployment', 'strict', '-o', 'jsonpath={.spec.replicas}'])), '1');
    assert.equal(JSON.parse(succeeded(await kubectl(['get', 'deployment', 'strict', '-o', 'json']))).spec.bogusField, undefined, 'unknown fields are dropped');
  });

  test('a merge patch is checked for unknown fields and wrong types at the paths it sets', async () => {
    const name = 'patched';
    succeeded(await kubectl(['create', 'deployment', name, '--image=nginx']));
    const unknown = '{"spec":{"bogus":1,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:2","junk":true}]}}}}';
    const warned = await kubectl(['patch', 'deployment', name, '--type=merge', '-p', unknown]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.equal(warned.stderr, 'Warning: unknown field "spec.bogus"\nWarning: unknown field "spec.template.spec.containers[0].junk"\n');
    const stored = JSON.parse(succeeded(await kubectl(['get', 'deployment', name, '-o', 'json'])));
    assert.equal(stored.spec.template.spec.containers[0].image, 'nginx:2');
    assert.equal(stored.spec.template.spec.containers[0].junk, undefined);
    const wrongType = await kubectl(['patch', 'deployment', name, '--type=merge', '-p', '{"spec":{"replicas":"two"}}']);
    assert.equal(wrongType.code, 1);
    assert.match(wrongType.stderr, /^Error from server \(BadRequest\): .*cannot unmarshal string into Go struct field .*replicas of type int32/m);
    assert.equal(succeeded(await kubectl(['get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}'])), '1');
  });

  test('invalid YAML is a kubectl client error', async () => {
    const result = await kubectl(['create', '-f', fixture('invalid.yaml')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: error parsing .*invalid\.yaml: error converting YAML to JSON: yaml: line \d+: /);
  });

  test('a wrong token is Unauthorized', async () => {
    const result = await kubectl(['--token=wrong', 'get', 'pods']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: You must be logged in to the server \(Unauthorized\)$/m);
  });

  test('raw HTTPS without a token: 401 on resources, health and version stay public', async () => {
    const denied = await raw('GET', '/api/v1/pods');
    assert.equal(denied.status, 401);
    assert.deepEqual(JSON.parse(denied.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });

    for (const path of ['/healthz', '/readyz', '/livez']) {
      const health = await raw('GET', path);
      assert.equal(health.status, 200, path);
      assert.equal(health.body, 'ok', path);
    }
    const version = await raw('GET', '/version');
    assert.equal(version.status, 200);
    assert.match(JSON.parse(version.body).gitVersion, /^v1\.\d+\.\d+/);

    const allowed = await raw('GET', '/api/v1/namespaces/default/configmaps', { token: cluster.token });
    assert.equal(allowed.status, 200);
    assert.equal(JSON.parse(allowed.body).kind, 'ConfigMapList');
  });

  test('malformed JSON is a 400 Status and the server keeps serving', async () => {
    const response = await raw('POST', '/api/v1/namespaces/default/configmaps', { token: cluster.token, body: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {' });
    assert.equal(response.status, 400);
    const status = JSON.parse(response.body);
    assert.equal(status.kind, 'Status');
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.code, 400);

    const next = await raw('POST', '/api/v1/namespaces/default/configmaps', {
      token: cluster.token,
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-garbage' }, data: { ok: 'yes' } }),
    });
    assert.equal(next.status, 201, next.body);
    assert.equal(succeeded(await kubectl(['get', 'configmap', 'after-garbage', '-o', 'jsonpath={.data.ok}'])), 'yes');
  });

  test('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
    const huge = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { blob: 'x'.repeat(3 * 1024 * 1024 + 16) } });
    const response = await raw('POST', '/api/v1/namespaces/default/configmaps', { token: cluster.token, body: huge });
    assert.equal(response.status, 413);
    const status = JSON.parse(response.body);
    assert.equal(status.reason, 'RequestEntityTooLarge');
    assert.equal(status.code, 413);
    assert.match((await kubectl(['get', 'configmap', 'huge'])).stderr, /configmaps "huge" not found/);
    assert.equal((await raw('GET', '/readyz')).status, 200);
  });

  test('413 carries the Kubernetes message', async () => {
    const huge = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { blob: 'x'.repeat(3 * 1024 * 1024 + 16) } });
    const response = await raw('POST', '/api/v1/namespaces/default/configmaps', { token: cluster.token, body: huge });
    assert.equal(JSON.parse(response.body).message, 'Request entity too large: limit is 3145728');
  });
});
