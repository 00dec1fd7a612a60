// The in-tree plugins by name, with the extension points each one implements and Kubernetes'
// default profile (order and score weights as in kube-scheduler v1).
import type { PluginFactory } from '../framework/runtime.js';
import type { ExtensionPoint, PluginRef } from '../framework/runtime.js';
import { BALANCED_ALLOCATION, newBalancedAllocation, type BalancedAllocationArgs } from './balanced-allocation/balanced-allocation.js';
import { DEFAULT_BINDER, newDefaultBinder, type BindFunction } from './default-binder/default-binder.js';
import { DEFAULT_PREEMPTION, newDefaultPreemption, type DefaultPreemptionArgs } from './default-preemption/default-preemption.js';
import { IMAGE_LOCALITY, newImageLocality } from './image-locality/image-locality.js';
import { INTER_POD_AFFINITY, newInterPodAffinity, type InterPodAffinityArgs } from './inter-pod-affinity/inter-pod-affinity.js';
import { NODE_AFFINITY, newNodeAffinity } from './node-affinity/node-affinity.js';
import { NODE_NAME, newNodeName } from './node-name/node-name.js';
import { NODE_PORTS, newNodePorts } from './node-ports/node-ports.js';
import { NODE_RESOURCES_FIT, newNodeResourcesFit, type NodeResourcesFitArgs } from './node-resources-fit/node-resources-fit.js';
import { NODE_UNSCHEDULABLE, newNodeUnschedulable } from './node-unschedulable/node-unschedulable.js';
import { newPodTopologySpread, POD_TOPOLOGY_SPREAD } from './pod-topology-spread/pod-topology-spread.js';
import { newTaintToleration, TAINT_TOLERATION } from './taint-toleration/taint-toleration.js';
import { newVolumeBinding, VOLUME_BINDING, type VolumeBindingArgs, type VolumeBindingDeps } from './volume-binding/volume-binding.js';

/** Queue sorting is built into the queue; the name is accepted in configurations. */
export const PRIORITY_SORT = 'PrioritySort';

export const PLUGIN_POINTS: ReadonlyMap<string, readonly ExtensionPoint[]> = new Map<string, ExtensionPoint[]>([
  [PRIORITY_SORT, []],
  [NODE_UNSCHEDULABLE, ['filter']],
  [NODE_NAME, ['filter']],
  [TAINT_TOLERATION, ['filter', 'score']],
  [NODE_AFFINITY, ['preFilter', 'filter', 'score']],
  [NODE_PORTS, ['preFilter', 'filter']],
  [NODE_RESOURCES_FIT, ['preFilter', 'filter', 'preScore', 'score']],
  [POD_TOPOLOGY_SPREAD, ['preFilter', 'filter', 'preScore', 'score']],
  [INTER_POD_AFFINITY, ['preFilter', 'filter', 'preScore', 'score']],
  // Its score (storage capacity scoring) is off by default in Kubernetes and not implemented here.
  [VOLUME_BINDING, ['preFilter', 'filter', 'reserve', 'preBind']],
  [DEFAULT_PREEMPTION, ['postFilter']],
  [BALANCED_ALLOCATION, ['score']],
  [IMAGE_LOCALITY, ['preScore', 'score']],
  [DEFAULT_BINDER, ['bind']],
]);

/** Kubernetes' default multiPoint set, in order, with score weights. */
export const DEFAULT_MULTI_POINT: readonly PluginRef[] = [
  { name: PRIORITY_SORT },
  { name: NODE_UNSCHEDULABLE },
  { name: NODE_NAME },
  { name: TAINT_TOLERATION, weight: 3 },
  { name: NODE_AFFINITY, weight: 2 },
  { name: NODE_PORTS },
  { name: NODE_RESOURCES_FIT, weight: 1 },
  { name: VOLUME_BINDING },
  { name: POD_TOPOLOGY_SPREAD, weight: 2 },
  { name: INTER_POD_AFFINITY, weight: 2 },
  { name: DEFAULT_PREEMPTION },
  { name: BALANCED_ALLOCATION, weight: 1 },
  { name: IMAGE_LOCALITY, weight: 1 },
  { name: DEFAULT_BINDER },
];

export interface RegistryDeps {
  /** How DefaultBinder binds; tests pass a fake. */
  bind: BindFunction;
  /** What VolumeBinding reads and writes; without it no claim exists and nothing is written. */
  volumes?: VolumeBindingDeps;
}

const NO_VOLUMES: VolumeBindingDeps = {
  listers: { claim: () => undefined, storageClass: () => undefined, volume: () => undefined, volumes: () => [], pod: () => undefined },
  writes: {
    updateVolume: () => Promise.reject(new Error('no API client for volumes')),
    setSelectedNode: () => Promise.reject(new Error('no API client for claims')),
  },
};

export function newRegistry(deps: RegistryDeps): Map<string, PluginFactory> {
  return new Map<string, PluginFactory>([
    [NODE_UNSCHEDULABLE, () => newNodeUnschedulable()],
    [NODE_NAME, () => newNodeName()],
    [TAINT_TOLERATION, () => newTaintToleration()],
    [NODE_AFFINITY, () => newNodeAffinity()],
    [NODE_PORTS, () => newNodePorts()],
    [NODE_RESOURCES_FIT, ({ args }) => newNodeResourcesFit(args as NodeResourcesFitArgs | undefined)],
    [POD_TOPOLOGY_SPREAD, () => newPodTopologySpread()],
    [INTER_POD_AFFINITY, ({ args }) => newInterPodAffinity(args as InterPodAffinityArgs | undefined)],
    [VOLUME_BINDING, ({ args, handle }) => newVolumeBinding(deps.volumes ?? NO_VOLUMES, handle, args as VolumeBindingArgs | undefined)],
    [DEFAULT_PREEMPTION, ({ args }) => newDefaultPreemption(args as DefaultPreemptionArgs | undefined)],
    [BALANCED_ALLOCATION, ({ args }) => newBalancedAllocation(args as BalancedAllocationArgs | undefined)],
    [IMAGE_LOCALITY, () => newImageLocality()],
    [DEFAULT_BINDER, () => newDefaultBinder(deps.bind)],
  ]);
}
