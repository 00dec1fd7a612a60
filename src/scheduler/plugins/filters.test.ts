import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshot } from '../framework/snapshot.js';
import type { AnyPlugin } from '../framework/interfaces.js';
import type { Node, Pod } from '../framework/types.js';
import { makeNode, makePod, nodeInfoWith, preFiltered } from '../testing/builders.js';
import { newNodeAffinity } from './node-affinity/node-affinity.js';
import { newNodeName } from './node-name/node-name.js';
import { newNodePorts } from './node-ports/node-ports.js';
import { newNodeResourcesFit } from './node-resources-fit/node-resources-fit.js';
import { newNodeUnschedulable } from './node-unschedulable/node-unschedulable.js';
import { newTaintToleration } from './taint-toleration/taint-toleration.js';

interface Case {
  name: string;
  plugin: () => AnyPlugin;
  pod: Pod;
  node: Node;
  existing?: Pod[];
  /** Expected reasons; [] means the node passes. */
  want: string[];
  code?: string;
}

const cpNode = makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });

const cases: Case[] = [
  { name: 'NodeName: match', plugin: newNodeName, pod: makePod({ spec: { nodeName: 'a' } }), node: makeNode('a'), want: [] },
  { name: 'NodeName: other node', plugin: newNodeName, pod: makePod({ spec: { nodeName: 'a' } }), node: makeNode('b'), want: ["node(s) didn't match the requested node name"], code: 'UnschedulableAndUnresolvable' },
  { name: 'NodeUnschedulable: cordoned', plugin: newNodeUnschedulable, pod: makePod(), node: makeNode('a', { unschedulable: true }), want: ['node(s) were unschedulable'] },
  {
    name: 'NodeUnschedulable: tolerated',
    plugin: newNodeUnschedulable,
    pod: makePod({ spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }),
    node: makeNode('a', { unschedulable: true }),
    want: [],
  },
  { name: 'TaintToleration: untolerated empty value', plugin: newTaintToleration, pod: makePod(), node: cpNode, want: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'] },
  {
    name: 'TaintToleration: key=value shown',
    plugin: newTaintToleration,
    pod: makePod(),
    node: makeNode('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }),
    want: ['node(s) had untolerated taint {dedicated: gpu}'],
  },
  { name: 'TaintToleration: Exists tolerates', plugin: newTaintToleration, pod: makePod({ spec: { tolerations: [{ operator: 'Exists' }] } }), node: cpNode, want: [] },
  { name: 'TaintToleration: PreferNoSchedule ignored by filter', plugin: newTaintToleration, pod: makePod(), node: makeNode('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), want: [] },
  {
    name: 'TaintToleration: wrong value',
    plugin: newTaintToleration,
    pod: makePod({ spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }] } }),
    node: makeNode('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    want: ['node(s) had untolerated taint {dedicated: gpu}'],
  },
  { name: 'NodeAffinity: nodeSelector match', plugin: newNodeAffinity, pod: makePod({ spec: { nodeSelector: { disk: 'ssd' } } }), node: makeNode('a', { labels: { disk: 'ssd' } }), want: [] },
  { name: 'NodeAffinity: nodeSelector mismatch', plugin: newNodeAffinity, pod: makePod({ spec: { nodeSelector: { disk: 'ssd' } } }), node: makeNode('a'), want: ["node(s) didn't match Pod's node affinity/selector"] },
  {
    name: 'NodeAffinity: required terms ORed, Gt',
    plugin: newNodeAffinity,
    pod: makePod({
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z9'] }] }, { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }],
            },
          },
        },
      },
    }),
    node: makeNode('a', { labels: { cores: '16' } }),
    want: [],
  },
  {
    name: 'NodeAffinity: matchFields on name',
    plugin: newNodeAffinity,
    pod: makePod({ spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } } } }),
    node: makeNode('a'),
    want: ["node(s) didn't match Pod's node affinity/selector"],
  },
  { name: 'NodePorts: free', plugin: newNodePorts, pod: makePod({ hostPorts: [80] }), node: makeNode('a'), existing: [makePod({ hostPorts: [81], node: 'a' })], want: [] },
  {
    name: 'NodePorts: taken',
    plugin: newNodePorts,
    pod: makePod({ hostPorts: [80] }),
    node: makeNode('a'),
    existing: [makePod({ hostPorts: [80], node: 'a' })],
    want: ["node(s) didn't have free ports for the requested pod ports"],
    code: 'Unschedulable',
  },
  { name: 'Fit: fits', plugin: newNodeResourcesFit, pod: makePod({ cpu: '1', memory: '1Gi' }), node: makeNode('a', { cpu: '2' }), existing: [makePod({ cpu: '1', node: 'a' })], want: [] },
  { name: 'Fit: insufficient cpu', plugin: newNodeResourcesFit, pod: makePod({ cpu: '1500m' }), node: makeNode('a', { cpu: '2' }), existing: [makePod({ cpu: '1', node: 'a' })], want: ['Insufficient cpu'], code: 'Unschedulable' },
  { name: 'Fit: cpu and memory', plugin: newNodeResourcesFit, pod: makePod({ cpu: '3', memory: '9Gi' }), node: makeNode('a', { cpu: '2' }), want: ['Insufficient cpu', 'Insufficient memory'] },
  { name: 'Fit: too many pods', plugin: newNodeResourcesFit, pod: makePod(), node: makeNode('a', { pods: '1' }), existing: [makePod({ node: 'a' })], want: ['Too many pods'] },
  {
    name: 'Fit: init container peak counts',
    plugin: newNodeResourcesFit,
    pod: makePod({ cpu: '500m', spec: { initContainers: [{ name: 'init', resources: { requests: { cpu: '3' } } }] } }),
    node: makeNode('a', { cpu: '2' }),
    want: ['Insufficient cpu'],
  },
  {
    name: 'Fit: overhead counts',
    plugin: newNodeResourcesFit,
    pod: makePod({ cpu: '1', spec: { overhead: { cpu: '1500m' } } }),
    node: makeNode('a', { cpu: '2' }),
    want: ['Insufficient cpu'],
  },
];

describe('filter plugins', () => {
  for (const c of cases) {
    test(c.name, () => {
      const plugin = c.plugin();
      const snapshot = Snapshot.build([c.node], c.existing ?? []);
      const state = preFiltered(plugin, c.pod, snapshot);
      const info = nodeInfoWith(c.node, c.existing);
      const status = state.skipFilter.has(plugin.name) ? undefined : plugin.filter!(state, c.pod, info);
      assert.deepEqual(status?.reasons ?? [], c.want);
      if (c.code) assert.equal(status?.code, c.code);
    });
  }
});
