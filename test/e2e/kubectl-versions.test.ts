// End to end: a smoke run with the older and newer kubectl binaries found on the machine, so
// the server is not tuned to one client version only.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startCluster, type KubectlResult, type TestCluster } from '../support/cluster.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'e2e');
const SDK_BIN = '/usr/lib/google-cloud-sdk/bin';
// kubectl 1.28 reads /openapi/v2 (protobuf) for client-side apply.
const VERSIONS: { version: string; todo?: string }[] = [{ version: '1.28' }, { version: '1.33' }];

function succeeded(result: KubectlResult): string {
  assert.equal(result.code, 0, `kubectl failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

describe('other kubectl versions', () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  for (const { version, todo } of VERSIONS) {
    const binary = join(SDK_BIN, `kubectl.${version}`);
    test(`kubectl ${version}: apply, get, describe, delete`, { skip: existsSync(binary) ? false : `${binary} is not installed`, todo }, async () => {
      const kubectl = (args: string[]) => cluster.kubectl(args, { binary });
      const namespace = `v${version.replace('.', '-')}`;
      assert.match(succeeded(await kubectl(['version', '-o', 'json'])), new RegExp(`"minor": "${version.split('.')[1]}`));
      succeeded(await kubectl(['create', 'namespace', namespace]));
      const ns = ['-n', namespace];

      assert.equal(succeeded(await kubectl(['apply', ...ns, '-f', join(FIXTURES, 'deployment-v1.yaml')])), 'deployment.apps/web created\n');
      assert.equal(succeeded(await kubectl(['apply', ...ns, '-f', join(FIXTURES, 'deployment-v2.yaml')])), 'deployment.apps/web configured\n');
      assert.equal(succeeded(await kubectl(['get', ...ns, 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])), 'nginx:1.27');

      const table = succeeded(await kubectl(['get', ...ns, 'deployments']));
      assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
      assert.match(table, /^web\s+\d\/2\s+\d\s+\d\s+\d+s$/m);
      const wide = succeeded(await kubectl(['get', ...ns, 'deployments', '-o', 'wide']));
      assert.match(wide, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
      assert.match(wide, /\sweb\s+nginx:1\.27\s+app=web$/m);

      const described = succeeded(await kubectl(['describe', ...ns, 'deployment', 'web']));
      assert.match(described, /^Name:\s+web$/m);
      assert.match(described, /^Labels:\s+app=web$/m);
      assert.match(described, /^Events:/m);

      assert.equal(succeeded(await kubectl(['delete', ...ns, 'deployment', 'web'])), 'deployment.apps "web" deleted\n');
      const missing = await kubectl(['get', ...ns, 'deployment', 'web']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Error from server \(NotFound\): deployments\.apps "web" not found/);
    });
  }
});
