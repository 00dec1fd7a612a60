// End to end: deletion semantics: finalizers, owner-reference cascades (background, foreground,
// orphan) run by the in-server garbage collector, and namespace teardown.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT, eventually, startCluster, type KubectlResult, type TestCluster } from '../support/cluster.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'e2e');
const DEADLINE_MS = 15_000;

function succeeded(result: KubectlResult): string {
  assert.equal(result.code, 0, `kubectl failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** A ConfigMap manifest owned by another ConfigMap. */
function dependentManifest(name: string, owner: { name: string; uid: string }): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.name, uid: owner.uid, blockOwnerDeletion: true }] },
    data: { owner: owner.name },
  });
}

describe('kubectl deletion lifecycle', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, { input });
  const jsonOf = async (args: string[]) => JSON.parse(succeeded(await kubectl([...args, '-o', 'json']))) as Record<string, any>;
  const exists = async (args: string[]) => {
    const result = await kubectl(['get', ...args, '-o', 'name']);
    if (result.code !== 0 && !/NotFound/.test(result.stderr)) throw new Error(result.stderr);
    return result.code === 0;
  };
  const gone = (args: string[], message: string) => eventually(async () => !(await exists(args)), { timeoutMs: DEADLINE_MS, message });

  /** Creates an owner ConfigMap and two dependents that point at its uid. */
  async function family(prefix: string): Promise<{ owner: string; dependents: string[] }> {
    const owner = `${prefix}-owner`;
    succeeded(await kubectl(['create', 'configmap', owner]));
    const uid = succeeded(await kubectl(['get', 'configmap', owner, '-o', 'jsonpath={.metadata.uid}']));
    const dependents = [`${prefix}-a`, `${prefix}-b`];
    for (const name of dependents) {
      assert.equal(succeeded(await kubectl(['apply', '-f', '-'], dependentManifest(name, { name: owner, uid }))), `configmap/${name} created\n`);
    }
    return { owner, dependents };
  }

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('a finalizer holds a deleted object until it is removed', async () => {
    assert.equal(succeeded(await kubectl(['apply', '-f', join(FIXTURES, 'configmap-finalizer.yaml')])), 'configmap/held created\n');
    assert.equal(succeeded(await kubectl(['delete', 'configmap', 'held', '--wait=false'])), 'configmap "held" deleted\n');
    const held = await jsonOf(['get', 'configmap', 'held']);
    assert.match(held.metadata.deletionTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
    // Deleting again is accepted and changes nothing.
    succeeded(await kubectl(['delete', 'configmap', 'held', '--wait=false']));
    assert.equal((await jsonOf(['get', 'configmap', 'held'])).metadata.deletionTimestamp, held.metadata.deletionTimestamp);

    const patched = succeeded(await kubectl(['patch', 'configmap', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']));
    assert.match(patched, /^configmap\/held patched/);
    await gone(['configmap', 'held'], 'configmap held still exists after its finalizer was removed');
  });

  test('background cascade deletes the dependents', async () => {
    const { owner, dependents } = await family('bg');
    assert.equal(succeeded(await kubectl(['delete', 'configmap', owner])), `configmap "${owner}" deleted\n`);
    assert.equal(await exists(['configmap', owner]), false);
    for (const name of dependents) await gone(['configmap', name], `dependent ${name} was not collected`);
  });

  test('foreground cascade keeps the owner until its dependents are gone', async () => {
    const { owner, dependents } = await family('fg');
    // One dependent is held by a finalizer, so the owner must wait for it.
    succeeded(await kubectl(['patch', 'configmap', dependents[0]!, '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']));
    succeeded(await kubectl(['delete', 'configmap', owner, '--cascade=foreground', '--wait=false']));

    const waiting = await jsonOf(['get', 'configmap', owner]);
    assert.ok(waiting.metadata.deletionTimestamp, 'owner is terminating');
    assert.ok(waiting.metadata.finalizers.includes('foregroundDeletion'), `owner finalizers: ${JSON.stringify(waiting.metadata.finalizers)}`);
    await gone(['configmap', dependents[1]!], 'the free dependent was not deleted');
    await eventually(async () => Boolean((await jsonOf(['get', 'configmap', dependents[0]!])).metadata.deletionTimestamp), {
      timeoutMs: DEADLINE_MS,
      message: 'the held dependent was not marked for deletion',
    });
    assert.equal(await exists(['configmap', owner]), true, 'owner must wait for the held dependent');

    succeeded(await kubectl(['patch', 'configmap', dependents[0]!, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']));
    await gone(['configmap', dependents[0]!], 'the released dependent was not deleted');
    await gone(['configmap', owner], 'the owner was not deleted after its dependents');
  });

  test('orphan cascade keeps the dependents and strips their owner references', async () => {
    const { owner, dependents } = await family('orphan');
    succeeded(await kubectl(['delete', 'configmap', owner, '--cascade=orphan']));
    await gone(['configmap', owner], 'the owner was not deleted');
    for (const name of dependents) {
      const dependent = await jsonOf(['get', 'configmap', name]);
      assert.equal(dependent.metadata.ownerReferences, undefined, `${name} still has ownerReferences`);
      assert.equal(dependent.metadata.deletionTimestamp, undefined);
    }
  });

  test('deleting a namespace empties it, then removes it', async () => {
    succeeded(await kubectl(['create', 'namespace', 'doomed']));
    succeeded(await kubectl(['create', 'configmap', 'inside', '-n', 'doomed', '--from-literal=a=b']));
    succeeded(await kubectl(['create', 'secret', 'generic', 'hidden', '-n', 'doomed', '--from-literal=a=b']));
    succeeded(await kubectl(['create', 'deployment', 'app', '-n', 'doomed', '--image=nginx:1.25']));
    // A finalizer on one object keeps the namespace Terminating long enough to observe.
    succeeded(await kubectl(['patch', 'configmap', 'inside', '-n', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']));

    assert.equal(succeeded(await kubectl(['delete', 'namespace', 'doomed', '--wait=false'])), 'namespace "doomed" deleted\n');
    const terminating = await jsonOf(['get', 'namespace', 'doomed']);
    assert.ok(terminating.metadata.deletionTimestamp, 'namespace has a deletionTimestamp');
    assert.equal(terminating.status.phase, 'Terminating');
    assert.match(succeeded(await kubectl(['get', 'namespace', 'doomed'])), /^doomed\s+Terminating\s+\d+s$/m);

    const refused = await kubectl(['create', 'configmap', 'late', '-n', 'doomed']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /unable to create new content in namespace doomed because it is being terminated/);

    await gone(['secret', 'hidden', '-n', 'doomed'], 'secret in the namespace was not deleted');
    await gone(['deployment', 'app', '-n', 'doomed'], 'deployment in the namespace was not deleted');
    await eventually(async () => Boolean((await jsonOf(['get', 'configmap', 'inside', '-n', 'doomed'])).metadata.deletionTimestamp), {
      timeoutMs: DEADLINE_MS,
      message: 'held configmap was not marked for deletion',
    });
    assert.equal(await exists(['namespace', 'doomed']), true, 'the namespace waits for its last object');

    succeeded(await kubectl(['patch', 'configmap', 'inside', '-n', 'doomed', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']));
    await gone(['namespace', 'doomed'], 'namespace was not removed');
    assert.equal(await exists(['configmap', 'inside', '-n', 'doomed']), false);
  });
});
