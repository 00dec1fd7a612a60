import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, type ClaimLike, type VolumeLike } from '../../../machinery/volumes/claim-matching.js';
import { schedulerConfigFrom } from '../../config.js';
import { CycleState } from '../../framework/cycle-state.js';
import { Framework } from '../../framework/runtime.js';
import { FitError, PodPlacer } from '../../framework/schedule-cycle.js';
import { Snapshot } from '../../framework/snapshot.js';
import type { Node, Pod } from '../../framework/types.js';
import { makeNode, makePod, nodeInfoWith } from '../../testing/builders.js';
import { bumped, claim, claimsPod, FakeClock, fakeWrites, NS, plugin, podWith, provisioner, pvController, volume, World, ZONE, type PluginOptions, type Write } from '../../testing/volumes.js';
import { newRegistry } from '../registry.js';
import {
  ERR_REASON_BIND_CONFLICT,
  ERR_REASON_NODE_CONFLICT,
  ERR_REASON_PV_NOT_EXIST,
  ERR_REASON_UNBOUND_IMMEDIATE,
  type VolumeBindingDeps,
  type VolumeWrites,
  type WaitClock,
} from './volume-binding.js';

const NODE_A = makeNode('a', { labels: { [ZONE]: 'z1' } });
const NODE_B = makeNode('b', { labels: { [ZONE]: 'z2' } });

describe('VolumeBinding PreFilter', () => {
  interface Case {
    name: string;
    pod: Pod;
    claims?: ClaimLike[];
    pvs?: VolumeLike[];
    /** 'Skip', 'Success', or the UnschedulableAndUnresolvable reason. */
    want: string;
  }
  const bareEphemeral = podWith([{ name: 'scratch', ephemeral: { volumeClaimTemplate: {} } }]);
  const cases: Case[] = [
    { name: 'no volumes: Skip', pod: makePod(), want: 'Skip' },
    { name: 'volumes without claims: Skip', pod: podWith([{ name: 'cache' }, { name: 'token' }]), want: 'Skip' },
    { name: 'claim not found', pod: claimsPod('data'), want: 'persistentvolumeclaim "data" not found' },
    { name: 'ephemeral claim not created yet', pod: bareEphemeral, want: 'waiting for ephemeral volume controller to create the persistentvolumeclaim "web-scratch"' },
    {
      name: 'ephemeral claim the pod does not own',
      pod: bareEphemeral,
      claims: [claim('web-scratch', { ownerUid: 'someone-else' })],
      want: 'PVC default/web-scratch was not created for pod default/web (pod is not owner)',
    },
    { name: 'claim being deleted', pod: claimsPod('data'), claims: [claim('data', { deleting: true })], want: 'persistentvolumeclaim "data" is being deleted' },
    {
      name: 'claim lost its volume',
      pod: claimsPod('data'),
      claims: [claim('data', { volumeName: 'gone', bound: true, phase: 'Lost' })],
      want: 'persistentvolumeclaim "data" bound to non-existent persistentvolume "gone"',
    },
    { name: 'the first problem wins', pod: claimsPod('data', 'missing'), claims: [claim('data', { deleting: true })], want: 'persistentvolumeclaim "data" is being deleted' },
    { name: 'unbound Immediate claim', pod: claimsPod('data'), claims: [claim('data', { storageClass: 'fast' })], want: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'unbound claim, mode unset means Immediate', pod: claimsPod('data'), claims: [claim('data', { storageClass: 'unset' })], want: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'unbound claim, class missing', pod: claimsPod('data'), claims: [claim('data', { storageClass: 'nope' })], want: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'unbound claim, no class', pod: claimsPod('data'), claims: [claim('data', { storageClass: '' })], want: ERR_REASON_UNBOUND_IMMEDIATE },
    {
      name: 'claim pre-bound by name is the PV controller’s, even if it waits for a consumer',
      pod: claimsPod('data'),
      claims: [claim('data', { volumeName: 'pv-1' })],
      want: ERR_REASON_UNBOUND_IMMEDIATE,
    },
    { name: 'unbound WaitForFirstConsumer claim', pod: claimsPod('data'), claims: [claim('data')], want: 'Success' },
    { name: 'bound claim', pod: claimsPod('data'), claims: [claim('data', { storageClass: 'fast', volumeName: 'pv-1', bound: true })], want: 'Success' },
    {
      name: 'ephemeral claim owned by the pod',
      pod: { ...bareEphemeral, metadata: { ...bareEphemeral.metadata, uid: 'pod-uid' } },
      claims: [claim('web-scratch', { ownerUid: 'pod-uid' })],
      want: 'Success',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = plugin(new World(c.claims, c.pvs));
      const out = p.preFilter(new CycleState(), c.pod, Snapshot.build([], []));
      const status = out?.status;
      if (c.want === 'Skip' || c.want === 'Success') {
        assert.equal(status?.code ?? 'Success', c.want);
        return;
      }
      assert.equal(status?.code, 'UnschedulableAndUnresolvable');
      assert.deepEqual(status?.reasons, [c.want]);
    });
  }
});

describe('VolumeBinding Filter', () => {
  interface Case {
    name: string;
    pod: Pod;
    claims: ClaimLike[];
    pvs: VolumeLike[];
    node: Node;
    /** Expected reasons; [] means the node passes. */
    want: string[];
  }
  const data = claim('data');
  const logs = claim('logs', { storage: '2Gi' });
  const boundData = claim('data', { volumeName: 'pv-b', bound: true });
  const dyn = claim('dyn', { storageClass: 'dynamic' });
  const dynOnA = claim('dyn', { storageClass: 'dynamic', selectedNode: 'a' });
  const zoned = claim('zoned', { storageClass: 'zoned' });
  const cases: Case[] = [
    { name: 'bound: volume local to this node', pod: claimsPod('data'), claims: [boundData], pvs: [volume('pv-b', { node: 'b', claimRef: boundData })], node: NODE_B, want: [] },
    { name: 'bound: volume local to another node', pod: claimsPod('data'), claims: [boundData], pvs: [volume('pv-b', { node: 'b', claimRef: boundData })], node: NODE_A, want: [ERR_REASON_NODE_CONFLICT] },
    { name: 'bound: volume without node affinity', pod: claimsPod('data'), claims: [boundData], pvs: [volume('pv-b', { claimRef: boundData })], node: NODE_A, want: [] },
    { name: 'bound: volume does not exist', pod: claimsPod('data'), claims: [boundData], pvs: [], node: NODE_A, want: [ERR_REASON_PV_NOT_EXIST] },
    { name: 'to bind: a free volume on this node', pod: claimsPod('data'), claims: [data], pvs: [volume('pv-a', { node: 'a' })], node: NODE_A, want: [] },
    { name: 'to bind: the only free volume is on another node', pod: claimsPod('data'), claims: [data], pvs: [volume('pv-a', { node: 'a' })], node: NODE_B, want: [ERR_REASON_BIND_CONFLICT] },
    { name: 'to bind: volume too small', pod: claimsPod('logs'), claims: [logs], pvs: [volume('pv-a', { node: 'a' })], node: NODE_A, want: [ERR_REASON_BIND_CONFLICT] },
    { name: 'to bind: volume of another class', pod: claimsPod('data'), claims: [data], pvs: [volume('pv-a', { node: 'a', storageClass: 'fast' })], node: NODE_A, want: [ERR_REASON_BIND_CONFLICT] },
    {
      name: 'to bind: volume taken by another claim',
      pod: claimsPod('data'),
      claims: [data],
      pvs: [volume('pv-a', { node: 'a', claimRef: claim('other') })],
      node: NODE_A,
      want: [ERR_REASON_BIND_CONFLICT],
    },
    { name: 'to bind: volume pre-bound to this claim', pod: claimsPod('data'), claims: [data], pvs: [volume('pv-a', { node: 'a', claimRef: data, phase: 'Available' })], node: NODE_A, want: [] },
    {
      name: 'to bind: volume pre-bound to this claim on another node',
      pod: claimsPod('data'),
      claims: [data],
      pvs: [volume('pv-a', { node: 'a', claimRef: data, phase: 'Available' }), volume('pv-b', { node: 'b' })],
      node: NODE_B,
      want: [ERR_REASON_BIND_CONFLICT],
    },
    {
      name: 'to bind: two claims need two volumes',
      pod: claimsPod('data', 'logs'),
      claims: [data, logs],
      pvs: [volume('pv-a', { node: 'a', storage: '5Gi' })],
      node: NODE_A,
      want: [ERR_REASON_BIND_CONFLICT],
    },
    {
      name: 'to bind: two claims, two volumes',
      pod: claimsPod('data', 'logs'),
      claims: [data, logs],
      pvs: [volume('pv-a1', { node: 'a', storage: '5Gi' }), volume('pv-a2', { node: 'a', storage: '2Gi' })],
      node: NODE_A,
      want: [],
    },
    { name: 'to provision: no free volume, the class has a provisioner', pod: claimsPod('dyn'), claims: [dyn], pvs: [], node: NODE_B, want: [] },
    { name: 'to provision: the class’s topology admits the node', pod: claimsPod('zoned'), claims: [zoned], pvs: [], node: NODE_A, want: [] },
    { name: 'to provision: the class’s topology excludes the node', pod: claimsPod('zoned'), claims: [zoned], pvs: [], node: NODE_B, want: [ERR_REASON_BIND_CONFLICT] },
    {
      name: 'to provision: a free static volume on another node does not stop provisioning here',
      pod: claimsPod('dyn'),
      claims: [dyn],
      pvs: [volume('pv-a', { node: 'a', storageClass: 'dynamic' })],
      node: NODE_B,
      want: [],
    },
    { name: 'selected node: fits that node', pod: claimsPod('dyn'), claims: [dynOnA], pvs: [], node: NODE_A, want: [] },
    { name: 'selected node: no other node', pod: claimsPod('dyn'), claims: [dynOnA], pvs: [volume('pv-b', { node: 'b', storageClass: 'dynamic' })], node: NODE_B, want: [ERR_REASON_BIND_CONFLICT] },
    { name: 'selected node, but the class cannot provision', pod: claimsPod('data'), claims: [claim('data', { selectedNode: 'a' })], pvs: [volume('pv-a', { node: 'a' })], node: NODE_A, want: [ERR_REASON_BIND_CONFLICT] },
    {
      name: 'one static volume and one claim to provision',
      pod: claimsPod('data', 'zoned'),
      claims: [data, zoned],
      pvs: [volume('pv-a', { node: 'a' })],
      node: NODE_A,
      want: [],
    },
    {
      name: 'one claim fits, the other cannot be provisioned here',
      pod: claimsPod('dyn', 'zoned'),
      claims: [dyn, zoned],
      pvs: [],
      node: NODE_B,
      want: [ERR_REASON_BIND_CONFLICT],
    },
    {
      name: 'bound and to bind both fail: reasons in Kubernetes order',
      pod: claimsPod('data', 'logs'),
      claims: [boundData, logs],
      pvs: [volume('pv-b', { node: 'b', claimRef: boundData })],
      node: NODE_A,
      want: [ERR_REASON_NODE_CONFLICT, ERR_REASON_BIND_CONFLICT],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = plugin(new World(c.claims, c.pvs));
      const state = new CycleState();
      const out = p.preFilter(state, c.pod, Snapshot.build([], []));
      assert.equal(out?.status, undefined, 'PreFilter passes');
      const status = p.filter(state, c.pod, nodeInfoWith(c.node));
      assert.deepEqual(status?.reasons ?? [], c.want);
      if (c.want.length > 0) assert.equal(status?.code, 'UnschedulableAndUnresolvable');
    });
  }
});

describe('VolumeBinding Reserve, PreBind and Unreserve', () => {
  const signal = new AbortController().signal;

  /** A plugin with the pod reserved on `nodeName`; by default the PV controller answers PreBind's writes. */
  function reserved(world: World, pod: Pod, nodeName: string, o: PluginOptions = {}) {
    const p = plugin(world, { nodes: [NODE_A, NODE_B], clock: new FakeClock(() => pvController(world)), ...o });
    const state = new CycleState();
    assert.equal(p.preFilter(state, pod, Snapshot.build([], []))?.status, undefined);
    assert.equal(p.reserve(state, pod, nodeName), undefined);
    return { p, state };
  }

  test('writes the volume claimRef (and nothing on the claim), then waits for the PV controller', async () => {
    const data = claim('data');
    const world = new World([data], [volume('pv-a', { node: 'a' }), volume('pv-b', { node: 'b' })]);
    const original = world.pvs[0]!;
    const log: Write[] = [];
    const pod = claimsPod('data');
    const clock = new FakeClock(() => pvController(world));
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites(log, { world }), clock });
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    assert.equal(log.length, 1);
    const [kind, written] = log[0]!;
    assert.equal(kind, 'volume');
    const pv = written as VolumeLike;
    assert.equal(pv.metadata.name, 'pv-a');
    assert.equal(pv.metadata.resourceVersion, '3', 'the update carries the version it was read at');
    assert.deepEqual(pv.spec?.claimRef, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: 'data', uid: 'uid-data', resourceVersion: '7' });
    assert.equal(pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER], 'yes');
    // The informer's object is untouched.
    assert.equal(original.spec?.claimRef, undefined);
    assert.equal(clock.sleeps, 1, 'PreBind returned once the PV controller had bound the claim');
    assert.equal(world.claim(NS, 'data')?.spec?.volumeName, 'pv-a');
  });

  test('claims get the smallest volumes that fit, smallest request first', async () => {
    const small = claim('small', { storage: '1Gi' });
    const big = claim('big', { storage: '2Gi' });
    const world = new World([big, small], [volume('pv-3g', { node: 'a', storage: '3Gi' }), volume('pv-2g', { node: 'a', storage: '2Gi' })]);
    const log: Write[] = [];
    const pod = claimsPod('big', 'small');
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites(log, { world }) });
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    const chosen = log.filter((w) => w[0] === 'volume').map((w) => `${(w[1] as VolumeLike).spec?.claimRef?.name}->${(w[1] as VolumeLike).metadata.name}`);
    assert.deepEqual(chosen, ['small->pv-2g', 'big->pv-3g']);
  });

  test('a volume pre-bound to the claim needs no write, but the PV controller must still bind it', async () => {
    const data = claim('data');
    const world = new World([data], [volume('pv-a', { node: 'a', claimRef: data, phase: 'Available' })]);
    const log: Write[] = [];
    const pod = claimsPod('data');
    const clock = new FakeClock((n) => n === 3 && pvController(world));
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites(log, { world }), clock });
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    assert.deepEqual(log, []);
    assert.equal(clock.sleeps, 3);
  });

  test('a pod whose claims are all bound writes nothing and does not wait', async () => {
    const data = claim('data', { volumeName: 'pv-a', bound: true });
    const world = new World([data], [volume('pv-a', { node: 'a', claimRef: data })]);
    const log: Write[] = [];
    const pod = claimsPod('data');
    const clock = new FakeClock();
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites(log), clock });
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    assert.deepEqual(log, []);
    assert.equal(clock.sleeps, 0);
  });

  test('the assumed volume is not offered to another claim until Unreserve', () => {
    const world = new World([claim('data'), claim('other')], [volume('pv-a', { node: 'a' })]);
    const first = claimsPod('data');
    const { p, state } = reserved(world, first, 'a');
    assert.equal(p.assumed.size, 1);

    const second = claimsPod('other');
    const check = (): string[] => {
      const s = new CycleState();
      p.preFilter(s, second, Snapshot.build([], []));
      return p.filter(s, second, nodeInfoWith(NODE_A))?.reasons ?? [];
    };
    assert.deepEqual(check(), [ERR_REASON_BIND_CONFLICT]);
    p.unreserve(state, first, 'a');
    assert.equal(p.assumed.size, 0);
    assert.deepEqual(check(), []);
  });

  test('an assumption gives way once the informer has a newer version', () => {
    const world = new World([claim('data')], [volume('pv-a', { node: 'a' })]);
    const { p } = reserved(world, claimsPod('data'), 'a');
    assert.ok(p.assumed.get('pv-a')?.spec?.claimRef);
    // Our write (or anyone's) comes back with a new resourceVersion: the API's object wins.
    world.pvs = [{ ...volume('pv-a', { node: 'a' }), metadata: { name: 'pv-a', resourceVersion: '4' } }];
    assert.equal(p.assumed.get('pv-a')?.spec?.claimRef, undefined);
    assert.equal(p.assumed.size, 0);
  });

  test('a failed write is an Error status; the framework names the plugin', async () => {
    const world = new World([claim('data')], [volume('pv-a', { node: 'a' })]);
    const pod = claimsPod('data');
    const conflict = 'Operation cannot be fulfilled on persistentvolumes "pv-a": the object has been modified; please apply your changes to the latest version and try again';
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites([], { fail: conflict }) });
    assert.deepEqual(await p.preBind(state, pod, 'a', signal), { code: 'Error', reasons: [conflict] });

    const fw = frameworkWith(world, Snapshot.build([NODE_A], []), { writes: fakeWrites([], { fail: conflict }) });
    const fwState = fw.newCycleState();
    assert.equal(new PodPlacer(fw).schedule(fwState, pod).nodeName, 'a');
    assert.equal(fw.runReserve(fwState, pod, 'a'), undefined);
    const status = await fw.runPreBind(fwState, pod, 'a', signal);
    assert.deepEqual(status, { code: 'Error', reasons: [`running PreBind plugin "VolumeBinding": ${conflict}`], plugin: 'VolumeBinding' });
  });
});

describe('VolumeBinding with provisioning', () => {
  const signal = new AbortController().signal;

  function reserved(world: World, pod: Pod, nodeName: string, o: PluginOptions = {}) {
    const p = plugin(world, { nodes: [NODE_A, NODE_B], ...o });
    const state = new CycleState();
    assert.equal(p.preFilter(state, pod, Snapshot.build([], []))?.status, undefined);
    assert.equal(p.reserve(state, pod, nodeName), undefined);
    return { p, state };
  }

  test('a free static volume still wins over provisioning', async () => {
    const world = new World([claim('data', { storageClass: 'dynamic' })], [volume('pv-a', { node: 'a', storageClass: 'dynamic' })]);
    const log: Write[] = [];
    const pod = claimsPod('data');
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites(log, { world }), clock: new FakeClock(() => pvController(world)) });
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    assert.deepEqual(
      log.map((w) => w[0]),
      ['volume'],
    );
    assert.equal(world.claim(NS, 'data')?.metadata.annotations?.[ANN_SELECTED_NODE], undefined);
  });

  test('PreBind sets the selected node, then resolves once the provisioned volume is bound', async () => {
    const world = new World([claim('data', { storageClass: 'dynamic' })]);
    const log: Write[] = [];
    const pod = claimsPod('data');
    const seen: string[] = [];
    // The provisioner takes two polls to act, the PV controller one more.
    const clock = new FakeClock((n) => {
      seen.push(world.claim(NS, 'data')?.metadata.annotations?.[ANN_SELECTED_NODE] ?? '');
      if (n === 2) provisioner(world);
      if (n === 3) pvController(world);
    });
    const { p, state } = reserved(world, pod, 'b', { writes: fakeWrites(log, { world }), clock });
    assert.equal(p.assumedClaims.claim(NS, 'data')?.metadata.annotations?.[ANN_SELECTED_NODE], 'b', 'Reserve assumes the selected node');
    assert.equal(await p.preBind(state, pod, 'b', signal), undefined);
    assert.deepEqual(log, [['claim', 'data', 'b']]);
    assert.deepEqual(seen, ['b', 'b', 'b'], 'the annotation was written before the wait');
    assert.equal(clock.sleeps, 3, 'resolved only after the PV controller bound the claim');
    const bound = world.claim(NS, 'data')!;
    assert.equal(bound.spec?.volumeName, 'pvc-data');
    assert.equal(bound.metadata.annotations?.[ANN_BIND_COMPLETED], 'yes');
  });

  test('a claim that already names the node is not written again', async () => {
    const world = new World([claim('data', { storageClass: 'dynamic', selectedNode: 'a' })]);
    const log: Write[] = [];
    const pod = claimsPod('data');
    const clock = new FakeClock(() => {
      provisioner(world);
      pvController(world);
    });
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites(log, { world }), clock });
    assert.equal(p.assumedClaims.size, 0);
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    assert.deepEqual(log, []);
  });

  test('while the informer still has the claim from before the annotation, PreBind waits', async () => {
    const world = new World([claim('data', { storageClass: 'dynamic' })]);
    const pod = claimsPod('data');
    // The API server has the write at once; the informer only after the second poll.
    const api = new World(world.claims.slice());
    const clock = new FakeClock((n) => {
      if (n === 2) world.claims = api.claims.slice();
      if (n === 3) {
        provisioner(world);
        pvController(world);
      }
    });
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites([], { world: api }), clock });
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    assert.equal(clock.sleeps, 3);
  });

  test('an assumed selected node keeps a second pod of the claim on that node until Unreserve', () => {
    const world = new World([claim('shared', { storageClass: 'dynamic' })]);
    const first = claimsPod('shared');
    const { p, state } = reserved(world, first, 'a');
    const second = claimsPod('shared');
    const check = (node: Node): string[] => {
      const s = new CycleState();
      assert.equal(p.preFilter(s, second, Snapshot.build([], []))?.status, undefined);
      return p.filter(s, second, nodeInfoWith(node))?.reasons ?? [];
    };
    assert.deepEqual(check(NODE_A), []);
    assert.deepEqual(check(NODE_B), [ERR_REASON_BIND_CONFLICT]);
    p.unreserve(state, first, 'a');
    assert.equal(p.assumedClaims.size, 0);
    assert.deepEqual(check(NODE_B), []);
  });

  test('times out after bindTimeoutSeconds; the framework words it as Kubernetes does', async () => {
    const world = new World([claim('data', { storageClass: 'dynamic' })]);
    const pod = claimsPod('data');
    const clock = new FakeClock();
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites([], { world }), clock, args: { bindTimeoutSeconds: 1 } });
    assert.deepEqual(await p.preBind(state, pod, 'a', signal), { code: 'Error', reasons: ['binding volumes: context deadline exceeded'] });
    assert.equal(clock.now(), 1000);
    assert.equal(clock.sleeps, 10, 'polled every 100 ms');

    const fw = frameworkWith(world, Snapshot.build([NODE_A], []), { writes: fakeWrites([], { world }), clock: new FakeClock(), bindTimeoutSeconds: 1 });
    const fwState = fw.newCycleState();
    assert.equal(new PodPlacer(fw).schedule(fwState, pod).nodeName, 'a');
    assert.equal(fw.runReserve(fwState, pod, 'a'), undefined);
    assert.deepEqual(await fw.runPreBind(fwState, pod, 'a', signal), {
      code: 'Error',
      reasons: ['running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded'],
      plugin: 'VolumeBinding',
    });
  });

  test('an aborted signal ends the wait', async () => {
    const world = new World([claim('data', { storageClass: 'dynamic' })]);
    const pod = claimsPod('data');
    const abort = new AbortController();
    const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites([], { world }), clock: new FakeClock((n) => n === 2 && abort.abort()) });
    assert.deepEqual(await p.preBind(state, pod, 'a', abort.signal), { code: 'Error', reasons: ['binding volumes: context canceled'] });
  });

  const current = (w: World, name: string): ClaimLike => w.claim(NS, name)!;
  const withAnnotations = (c: ClaimLike, annotations: Record<string, string>): ClaimLike => bumped({ ...c, metadata: { ...c.metadata, annotations } });
  const failures: Array<{ name: string; claims?: ClaimLike[]; pvs?: VolumeLike[]; change: (w: World) => void; want: string }> = [
    {
      name: 'the provisioner removes the selected node',
      change: (w) => w.put(withAnnotations(current(w, 'data'), { 'volume.kubernetes.io/storage-provisioner': 'example.com/fake' }), 'claim'),
      want: 'provisioning failed for PVC "data"',
    },
    { name: 'every annotation is removed', change: (w) => w.put(withAnnotations(current(w, 'data'), {}), 'claim'), want: 'selectedNode annotation reset for PVC "data"' },
    { name: 'the selected node changes', change: (w) => w.put(withAnnotations(current(w, 'data'), { [ANN_SELECTED_NODE]: 'b' }), 'claim'), want: 'provisioning failed for PVC "data"' },
    { name: 'the claim is deleted', change: (w) => (w.claims = []), want: 'failed to check provisioning pvc: could not find v1.PersistentVolumeClaim "default/data"' },
    { name: 'the pod is deleted', change: (w) => w.deletedPods.add('web'), want: 'pod does not exist any more: pod "web" not found' },
    {
      name: 'the provisioned volume is on another node',
      change: (w) => {
        w.pvs.push(volume('pvc-data', { node: 'b', claimRef: current(w, 'data'), storageClass: 'dynamic' }));
        pvController(w);
      },
      want: `pv "pvc-data" node affinity doesn't match node "a": no matching NodeSelectorTerms`,
    },
    {
      name: 'a static volume loses its claimRef',
      claims: [claim('data')],
      pvs: [volume('pv-a', { node: 'a' })],
      change: (w) => w.put(bumped({ ...w.volume('pv-a')!, spec: { ...w.volume('pv-a')!.spec, claimRef: null } }), 'volume'),
      want: 'ClaimRef got reset for pv "pv-a"',
    },
    {
      name: 'a static volume is deleted',
      claims: [claim('data')],
      pvs: [volume('pv-a', { node: 'a' })],
      change: (w) => (w.pvs = []),
      want: 'failed to check binding: could not find v1.PersistentVolume "pv-a"',
    },
  ];
  for (const c of failures) {
    test(`fails when ${c.name}`, async () => {
      const world = new World(c.claims ?? [claim('data', { storageClass: 'dynamic' })], c.pvs ?? []);
      const pod = claimsPod('data');
      const clock = new FakeClock((n) => {
        if (n === 2) c.change(world);
      });
      const { p, state } = reserved(world, pod, 'a', { writes: fakeWrites([], { world }), clock });
      assert.deepEqual(await p.preBind(state, pod, 'a', signal), { code: 'Error', reasons: [`binding volumes: ${c.want}`] });
      p.unreserve(state, pod, 'a');
      assert.equal(p.assumed.size + p.assumedClaims.size, 0);
    });
  }
});

function frameworkWith(world: World, snapshot: Snapshot, o: { writes?: VolumeWrites; clock?: WaitClock; bindTimeoutSeconds?: number } = {}): Framework {
  const volumes: VolumeBindingDeps = { listers: world, writes: o.writes ?? fakeWrites([]), clock: o.clock };
  const registry = newRegistry({ bind: async () => undefined, volumes });
  const config = o.bindTimeoutSeconds === undefined ? {} : { profiles: [{ pluginConfig: [{ name: 'VolumeBinding', args: { bindTimeoutSeconds: o.bindTimeoutSeconds } }] }] };
  return new Framework(schedulerConfigFrom(config).profiles[0]!, registry, () => snapshot);
}

describe('VolumeBinding in the default profile', () => {
  function failure(world: World, nodes: Node[], pod: Pod): string {
    const fw = frameworkWith(world, Snapshot.build(nodes, []));
    const state = fw.newCycleState();
    try {
      new PodPlacer(fw).schedule(state, pod);
    } catch (err) {
      assert.ok(err instanceof FitError);
      const post = fw.runPostFilter(state, pod, err.filtered);
      if (post) err.setPostFilterMessage(post.status.reasons.join(', '));
      return err.message;
    }
    return assert.fail('the pod should not fit');
  }

  // Kubernetes appends the preemption message (which ends in a period) with " %v.": hence "..".
  const cases: Array<{ name: string; world: World; nodes: Node[]; pod: Pod; want: string }> = [
    {
      name: 'unbound Immediate claim',
      world: new World([claim('data', { storageClass: 'fast' })]),
      nodes: [NODE_A],
      pod: claimsPod('data'),
      want: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..',
    },
    {
      name: 'missing claim',
      world: new World(),
      nodes: [NODE_A, NODE_B],
      pod: claimsPod('data'),
      want: '0/2 nodes are available: persistentvolumeclaim "data" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..',
    },
    {
      name: 'no volume anywhere',
      world: new World([claim('data')], [volume('pv-c', { node: 'c' })]),
      nodes: [NODE_A, NODE_B],
      pod: claimsPod('data'),
      want: "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..",
    },
    {
      name: 'no volume, and the class provisions only in another zone',
      world: new World([claim('data', { storageClass: 'zoned' })]),
      nodes: [NODE_B],
      pod: claimsPod('data'),
      want: "0/1 nodes are available: 1 node(s) didn't find available persistent volumes to bind. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..",
    },
  ];
  for (const c of cases) test(`FailedScheduling: ${c.name}`, () => assert.equal(failure(c.world, c.nodes, c.pod), c.want));

  test('a bound local volume decides the node', () => {
    const data = claim('data', { volumeName: 'pv-b', bound: true });
    const fw = frameworkWith(new World([data], [volume('pv-b', { node: 'b', claimRef: data })]), Snapshot.build([NODE_A, NODE_B, makeNode('c')], []));
    for (let i = 0; i < 5; i++) assert.equal(new PodPlacer(fw).schedule(fw.newCycleState(), claimsPod('data')).nodeName, 'b');
  });

  test('a pod without claims skips VolumeBinding and leaves nothing in the state', () => {
    const fw = frameworkWith(new World(), Snapshot.build([NODE_A], []));
    const state = fw.newCycleState();
    const pod = makePod();
    new PodPlacer(fw).schedule(state, pod);
    assert.ok(state.skipFilter.has('VolumeBinding'));
    assert.equal(fw.runReserve(state, pod, 'a'), undefined);
  });
});
