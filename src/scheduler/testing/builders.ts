// Compact builders for pods, nodes and frameworks in the scheduler's unit tests.
import { CycleState } from '../framework/cycle-state.js';
import type { AnyPlugin } from '../framework/interfaces.js';
import { NodeInfo } from '../framework/node-info.js';
import { Framework, type ProfileSpec } from '../framework/runtime.js';
import { Snapshot } from '../framework/snapshot.js';
import type { Container, Node, Pod, PodSpec, Taint } from '../framework/types.js';
import { schedulerConfigFrom } from '../config.js';
import { newRegistry } from '../plugins/registry.js';

let uid = 0;

export interface PodOptions {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  cpu?: string;
  memory?: string;
  node?: string;
  priority?: number;
  hostPorts?: number[];
  image?: string;
  spec?: Partial<PodSpec>;
  containers?: Container[];
}

export function makePod(o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const container: Container = {
    name: 'c',
    image: o.image ?? 'busybox',
    resources: Object.keys(requests).length > 0 ? { requests } : undefined,
    ports: o.hostPorts?.map((p) => ({ containerPort: p, hostPort: p })),
  };
  const name = o.name ?? `pod-${++uid}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: `uid-${name}-${uid}`, labels: o.labels, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { containers: o.containers ?? [container], nodeName: o.node, priority: o.priority, ...o.spec },
  };
}

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' }, images: o.images },
  };
}

export function nodeInfoWith(node: Node, pods: Pod[] = []): NodeInfo {
  const info = new NodeInfo(node);
  for (const p of pods) info.addPod(p);
  return info;
}

/** A framework over `snapshot` with the default profile (or one from `rawConfig`). */
export function makeFramework(snapshot: Snapshot, rawConfig: Record<string, unknown> = {}, bound: Array<[string, string]> = []): Framework {
  const profile: ProfileSpec = schedulerConfigFrom(rawConfig).profiles[0]!;
  const registry = newRegistry({
    bind: async (pod, node) => {
      bound.push([pod.metadata.name ?? '', node]);
    },
  });
  return new Framework(profile, registry, () => snapshot);
}

/** Runs PreFilter (when the plugin has one) and returns the state, for filter/score tests. */
export function preFiltered(plugin: AnyPlugin, pod: Pod, snapshot: Snapshot): CycleState {
  const state = new CycleState();
  const out = plugin.preFilter?.(state, pod, snapshot);
  if (out?.status?.code === 'Skip') state.skipFilter.add(plugin.name);
  return state;
}
