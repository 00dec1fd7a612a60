import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, type ClaimLike, type VolumeLike } from '../../../machinery/volumes/claim-matching.js';
import { schedulerConfigFrom } from '../../config.js';
import { CycleState } from '../../framework/cycle-state.js';
import { Framework } from '../../framework/runtime.js';
import { FitError, PodPlacer } from '../../framework/schedule-cycle.js';
import { Snapshot } from '../../framework/snapshot.js';
import type { Node, Pod, PodVolume } from '../../framework/types.js';
import { makeNode, makePod, nodeInfoWith } from '../../testing/builders.js';
import { newRegistry } from '../registry.js';
import type { StorageClassLike } from './pod-claims.js';
import {
  ERR_REASON_BIND_CONFLICT,
  ERR_REASON_NODE_CONFLICT,
  ERR_REASON_PV_NOT_EXIST,
  ERR_REASON_UNBOUND_IMMEDIATE,
  newVolumeBinding,
  type VolumeBindingDeps,
  type VolumeListers,
  type VolumeWrites,
} from './volume-binding.js';

const NS = 'default';
const WAIT: StorageClassLike = { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };
const IMMEDIATE: StorageClassLike = { metadata: { name: 'fast' }, provisioner: 'example.com/fast', volumeBindingMode: 'Immediate' };
const UNSET: StorageClassLike = { metadata: { name: 'unset' }, provisioner: 'example.com/unset' };
const CLASSES = [WAIT, IMMEDIATE, UNSET];

interface ClaimOptions {
  storageClass?: string;
  storage?: string;
  /** spec.volumeName; with `bound` also the bind-completed annotation. */
  volumeName?: string;
  bound?: boolean;
  deleting?: boolean;
  phase?: string;
  ownerUid?: string;
  selectedNode?: string;
}

function claim(name: string, o: ClaimOptions = {}): ClaimLike {
  const annotations: Record<string, string> = {};
  if (o.bound) annotations[ANN_BIND_COMPLETED] = 'yes';
  if (o.selectedNode) annotations[ANN_SELECTED_NODE] = o.selectedNode;
  return {
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      resourceVersion: '7',
      annotations,
      deletionTimestamp: o.deleting ? '2024-01-01T00:00:00Z' : undefined,
      ...(o.ownerUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: o.ownerUid, controller: true }] } : {}),
    },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.storage ?? '1Gi' } }, storageClassName: o.storageClass ?? 'local', volumeName: o.volumeName },
    status: { phase: o.phase ?? (o.bound ? 'Bound' : 'Pending') },
  };
}

interface VolumeOptions {
  storageClass?: string;
  storage?: string;
  /** Local to this node (required node affinity on the hostname label). */
  node?: string;
  claimRef?: ClaimLike;
  phase?: string;
}

function volume(name: string, o: VolumeOptions = {}): VolumeLike {
  return {
    metadata: { name, resourceVersion: '3', annotations: {} },
    spec: {
      capacity: { storage: o.storage ?? '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: o.storageClass ?? 'local',
      claimRef: o.claimRef ? { kind: 'PersistentVolumeClaim', namespace: o.claimRef.metadata.namespace, name: o.claimRef.metadata.name, uid: o.claimRef.metadata.uid } : undefined,
      nodeAffinity: o.node ? { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] }] } } : undefined,
    },
    status: { phase: o.phase ?? (o.claimRef ? 'Bound' : 'Available') },
  };
}

function podWith(volumes: PodVolume[], name = 'web'): Pod {
  return makePod({ name, namespace: NS, spec: { volumes } });
}

function claimsPod(...claimNames: string[]): Pod {
  return podWith(claimNames.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })));
}

/** Listers over arrays the test may change (as an informer would). */
class World implements VolumeListers {
  constructor(
    public claims: ClaimLike[] = [],
    public pvs: VolumeLike[] = [],
    public classes: StorageClassLike[] = CLASSES,
  ) {}
  claim(namespace: string, name: string): ClaimLike | undefined {
    return this.claims.find((c) => c.metadata.namespace === namespace && c.metadata.name === name);
  }
  storageClass(name: string): StorageClassLike | undefined {
    return this.classes.find((c) => c.metadata.name === name);
  }
  volume(name: string): VolumeLike | undefined {
    return this.pvs.find((v) => v.metadata.name === name);
  }
  volumes(): readonly VolumeLike[] {
    return this.pvs;
  }
}

type Write = ['volume', VolumeLike];

function fakeWrites(log: Write[], fail?: string): VolumeWrites {
  return {
    updateVolume: async (v) => {
      if (fail) throw new Error(fail);
      log.push(['volume', v]);
    },
  };
}

function plugin(world: World, nodes: Node[] = [], writes: VolumeWrites = fakeWrites([])) {
  const snapshot = Snapshot.build(nodes, []);
  return newVolumeBinding({ listers: world, writes }, { snapshot: () => snapshot });
}

const NODE_A = makeNode('a');
const NODE_B = makeNode('b');

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

  function reserved(world: World, pod: Pod, nodeName: string, writes: VolumeWrites) {
    const p = plugin(world, [NODE_A, NODE_B], writes);
    const state = new CycleState();
    assert.equal(p.preFilter(state, pod, Snapshot.build([], []))?.status, undefined);
    assert.equal(p.reserve(state, pod, nodeName), undefined);
    return { p, state };
  }

  test('writes the volume claimRef (and nothing on the claim)', async () => {
    const data = claim('data');
    const world = new World([data], [volume('pv-a', { node: 'a' }), volume('pv-b', { node: 'b' })]);
    const log: Write[] = [];
    const pod = claimsPod('data');
    const { p, state } = reserved(world, pod, 'a', fakeWrites(log));
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
    assert.equal(world.pvs[0]!.spec?.claimRef, undefined);
  });

  test('claims get the smallest volumes that fit, smallest request first', async () => {
    const small = claim('small', { storage: '1Gi' });
    const big = claim('big', { storage: '2Gi' });
    const world = new World([big, small], [volume('pv-3g', { node: 'a', storage: '3Gi' }), volume('pv-2g', { node: 'a', storage: '2Gi' })]);
    const log: Write[] = [];
    const pod = claimsPod('big', 'small');
    const { p, state } = reserved(world, pod, 'a', fakeWrites(log));
    await p.preBind(state, pod, 'a', signal);
    const chosen = log.filter((w) => w[0] === 'volume').map((w) => `${(w[1] as VolumeLike).spec?.claimRef?.name}->${(w[1] as VolumeLike).metadata.name}`);
    assert.deepEqual(chosen, ['small->pv-2g', 'big->pv-3g']);
  });

  test('a volume pre-bound to the claim needs no write (a selected-node annotation changes nothing)', async () => {
    const data = claim('data', { selectedNode: 'a' });
    const world = new World([data], [volume('pv-a', { node: 'a', claimRef: data, phase: 'Available' })]);
    const log: Write[] = [];
    const pod = claimsPod('data');
    const { p, state } = reserved(world, pod, 'a', fakeWrites(log));
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    assert.deepEqual(log, []);
  });

  test('a pod whose claims are all bound writes nothing', async () => {
    const data = claim('data', { volumeName: 'pv-a', bound: true });
    const world = new World([data], [volume('pv-a', { node: 'a', claimRef: data })]);
    const log: Write[] = [];
    const pod = claimsPod('data');
    const { p, state } = reserved(world, pod, 'a', fakeWrites(log));
    assert.equal(await p.preBind(state, pod, 'a', signal), undefined);
    assert.deepEqual(log, []);
  });

  test('the assumed volume is not offered to another claim until Unreserve', () => {
    const world = new World([claim('data'), claim('other')], [volume('pv-a', { node: 'a' })]);
    const first = claimsPod('data');
    const { p, state } = reserved(world, first, 'a', fakeWrites([]));
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
    const { p } = reserved(world, claimsPod('data'), 'a', fakeWrites([]));
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
    const { p, state } = reserved(world, pod, 'a', fakeWrites([], conflict));
    assert.deepEqual(await p.preBind(state, pod, 'a', signal), { code: 'Error', reasons: [conflict] });

    const fw = frameworkWith(world, Snapshot.build([NODE_A], []), fakeWrites([], conflict));
    const fwState = fw.newCycleState();
    assert.equal(new PodPlacer(fw).schedule(fwState, pod).nodeName, 'a');
    assert.equal(fw.runReserve(fwState, pod, 'a'), undefined);
    const status = await fw.runPreBind(fwState, pod, 'a', signal);
    assert.deepEqual(status, { code: 'Error', reasons: [`running PreBind plugin "VolumeBinding": ${conflict}`], plugin: 'VolumeBinding' });
  });
});

function frameworkWith(world: World, snapshot: Snapshot, writes: VolumeWrites = fakeWrites([])): Framework {
  const volumes: VolumeBindingDeps = { listers: world, writes };
  const registry = newRegistry({ bind: async () => undefined, volumes });
  return new Framework(schedulerConfigFrom({}).profiles[0]!, registry, () => snapshot);
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
