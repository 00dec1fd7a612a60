// Fakes for VolumeBinding's unit tests: storage classes, claim and volume builders, listers over
// arrays a test changes as an informer would, an API server that answers PreBind's writes, the PV
// controller's and a provisioner's part in a few lines, and a clock that moves only when PreBind
// sleeps.
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE, claimClass, isClaimFullyBound, type ClaimLike, type StorageClassInfo, type VolumeLike } from '../../machinery/volumes/claim-matching.js';
import { Snapshot } from '../framework/snapshot.js';
import type { Node, Pod, PodVolume } from '../framework/types.js';
import { newVolumeBinding, type VolumeBindingArgs, type VolumeListers, type VolumeWrites, type WaitClock } from '../plugins/volume-binding/volume-binding.js';
import { makePod } from './builders.js';

export const NS = 'default';
export const WAIT: StorageClassInfo = { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };
export const IMMEDIATE: StorageClassInfo = { metadata: { name: 'fast' }, provisioner: 'example.com/fast', volumeBindingMode: 'Immediate' };
export const UNSET: StorageClassInfo = { metadata: { name: 'unset' }, provisioner: 'example.com/unset' };
export const ZONE = 'topology.kubernetes.io/zone';
/** Provisioned volumes, waiting for the first consumer. */
export const DYNAMIC: StorageClassInfo = { metadata: { name: 'dynamic' }, provisioner: 'example.com/fake', volumeBindingMode: 'WaitForFirstConsumer' };
/** Provisioned volumes in zone z1 only. */
export const ZONED: StorageClassInfo = {
  metadata: { name: 'zoned' },
  provisioner: 'example.com/fake',
  volumeBindingMode: 'WaitForFirstConsumer',
  allowedTopologies: [{ matchLabelExpressions: [{ key: ZONE, values: ['z1'] }] }],
};
export const CLASSES = [WAIT, IMMEDIATE, UNSET, DYNAMIC, ZONED];

export interface ClaimOptions {
  storageClass?: string;
  storage?: string;
  /** spec.volumeName; with `bound` also the bind-completed annotation. */
  volumeName?: string;
  bound?: boolean;
  deleting?: boolean;
  phase?: string;
  ownerUid?: string;
  selectedNode?: string;
  /** Other annotations (a provisioner's, say). */
  annotations?: Record<string, string>;
}

export function claim(name: string, o: ClaimOptions = {}): ClaimLike {
  const annotations: Record<string, string> = { ...o.annotations };
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

export interface VolumeOptions {
  storageClass?: string;
  storage?: string;
  /** Local to this node (required node affinity on the hostname label). */
  node?: string;
  claimRef?: ClaimLike;
  phase?: string;
}

export function volume(name: string, o: VolumeOptions = {}): VolumeLike {
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

export function podWith(volumes: PodVolume[], name = 'web'): Pod {
  return makePod({ name, namespace: NS, spec: { volumes } });
}

export function claimsPod(...claimNames: string[]): Pod {
  return podWith(claimNames.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })));
}

/** Listers over arrays the test may change (as an informer would). */
export class World implements VolumeListers {
  /** Pods deleted from the informer (every other pod exists). */
  readonly deletedPods = new Set<string>();

  constructor(
    public claims: ClaimLike[] = [],
    public pvs: VolumeLike[] = [],
    public classes: StorageClassInfo[] = CLASSES,
  ) {}
  claim(namespace: string, name: string): ClaimLike | undefined {
    return this.claims.find((c) => c.metadata.namespace === namespace && c.metadata.name === name);
  }
  storageClass(name: string): StorageClassInfo | undefined {
    return this.classes.find((c) => c.metadata.name === name);
  }
  volume(name: string): VolumeLike | undefined {
    return this.pvs.find((v) => v.metadata.name === name);
  }
  volumes(): readonly VolumeLike[] {
    return this.pvs;
  }
  pod(namespace: string, name: string): Pod | undefined {
    return this.deletedPods.has(name) ? undefined : makePod({ name, namespace });
  }
  /** Replaces the claim (or volume) of the same name, as an informer event would. */
  put(object: ClaimLike | VolumeLike, kind: 'claim' | 'volume'): void {
    const list: Array<ClaimLike | VolumeLike> = kind === 'claim' ? this.claims : this.pvs;
    const i = list.findIndex((o) => o.metadata.name === object.metadata.name);
    if (i < 0) list.push(object);
    else list[i] = object;
  }
}

export function bumped<T extends ClaimLike | VolumeLike>(object: T): T {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(Number(object.metadata.resourceVersion ?? '0') + 1) } };
}

export type Write = ['volume', VolumeLike] | ['claim', string, string];

export interface FakeWriteOptions {
  fail?: string;
  /** Writes reach these listers at once (else the informer lags until the test applies them). */
  world?: World;
}

/** The API server: logs each write and answers with the object at its next resourceVersion. */
export function fakeWrites(log: Write[], o: FakeWriteOptions = {}): VolumeWrites {
  return {
    updateVolume: async (v) => {
      if (o.fail) throw new Error(o.fail);
      log.push(['volume', v]);
      const next = bumped(v);
      o.world?.put(next, 'volume');
      return next;
    },
    setSelectedNode: async (c, nodeName) => {
      if (o.fail) throw new Error(o.fail);
      log.push(['claim', c.metadata.name ?? '', nodeName]);
      const current = o.world?.claim(c.metadata.namespace ?? '', c.metadata.name ?? '') ?? c;
      const next = bumped({ ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [ANN_SELECTED_NODE]: nodeName } } });
      o.world?.put(next, 'claim');
      return next;
    },
  };
}

/** The PV controller's part: a claim a volume's claimRef names (with its uid) becomes bound to it. */
export function pvController(world: World): void {
  for (const pv of world.pvs) {
    const ref = pv.spec?.claimRef;
    const c = world.claims.find((x) => x.metadata.name === ref?.name && x.metadata.uid === ref?.uid);
    if (!ref?.uid || !c || isClaimFullyBound(c)) continue;
    world.put(bumped({ ...c, metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, [ANN_BIND_COMPLETED]: 'yes' } }, spec: { ...c.spec, volumeName: pv.metadata.name }, status: { phase: 'Bound' } }), 'claim');
  }
}

/** A provisioner: a volume pre-bound to each claim with a selected node, local to that node. */
export function provisioner(world: World): void {
  for (const c of world.claims) {
    const node = c.metadata.annotations?.[ANN_SELECTED_NODE];
    if (!node || c.spec?.volumeName || world.pvs.some((pv) => pv.spec?.claimRef?.uid === c.metadata.uid)) continue;
    world.pvs.push(volume(`pvc-${c.metadata.name ?? ''}`, { node, claimRef: c, storageClass: claimClass(c), phase: 'Pending' }));
  }
}

/** Time that passes only when PreBind sleeps; each sleep first runs `onSleep` (the cluster's controllers, say). */
export class FakeClock implements WaitClock {
  time = 0;
  sleeps = 0;
  constructor(private readonly onSleep: (sleeps: number) => void = () => undefined) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms;
    this.sleeps++;
    this.onSleep(this.sleeps);
  }
}

export interface PluginOptions {
  nodes?: Node[];
  writes?: VolumeWrites;
  clock?: WaitClock;
  args?: VolumeBindingArgs;
}

export function plugin(world: World, o: PluginOptions = {}) {
  const snapshot = Snapshot.build(o.nodes ?? [], []);
  return newVolumeBinding({ listers: world, writes: o.writes ?? fakeWrites([]), clock: o.clock }, { snapshot: () => snapshot }, o.args);
}
