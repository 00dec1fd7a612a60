import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admissionRejection, type AdmissionNode, type AdmissionPod, type Rejection } from './admission.js';

const node: AdmissionNode = {
  metadata: { name: 'n1', labels: { disk: 'ssd', 'kubernetes.io/hostname': 'n1' } },
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3', 'ephemeral-storage': '10Gi', 'example.com/gpu': '1' } },
};

function pod(name: string, spec: Record<string, unknown> = {}, requests?: Record<string, string>): AdmissionPod {
  const container: Record<string, unknown> = { name: 'c', image: 'busybox' };
  if (requests) container.resources = { requests };
  return { metadata: { name, namespace: 'default', uid: name }, spec: { nodeName: 'n1', containers: [container], ...spec } } as AdmissionPod;
}

const cases: Array<{ name: string; pod: AdmissionPod; admitted?: AdmissionPod[]; want: Rejection | undefined }> = [
  { name: 'a pod that fits', pod: pod('a', {}, { cpu: '500m', memory: '1Gi' }), admitted: [pod('b', {}, { cpu: '1' })], want: undefined },
  { name: 'no requests: only the pod count matters', pod: pod('a'), admitted: [pod('b', {}, { cpu: '2' })], want: undefined },
  {
    name: 'pod count first',
    pod: pod('a', {}, { cpu: '100' }),
    admitted: [pod('b'), pod('c'), pod('d')],
    want: { reason: 'OutOfpods', message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3" },
  },
  {
    name: 'cpu in millicores against what the other pods request',
    pod: pod('a', {}, { cpu: '1500m' }),
    admitted: [pod('b', {}, { cpu: '1' })],
    want: { reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 1500, used: 1000, capacity: 2000" },
  },
  {
    name: 'memory in bytes',
    pod: pod('a', {}, { memory: '5Gi' }),
    want: { reason: 'OutOfmemory', message: "Node didn't have enough resource: memory, requested: 5368709120, used: 0, capacity: 4294967296" },
  },
  {
    name: 'init containers count at their peak',
    pod: pod('a', { initContainers: [{ name: 'i', resources: { requests: { cpu: '3' } } }] }, { cpu: '100m' }),
    want: { reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 3000, used: 0, capacity: 2000" },
  },
  { name: 'an extended resource the node lists is checked', pod: pod('a', {}, { 'example.com/gpu': '2' }), want: { reason: 'OutOfexample.com/gpu', message: "Node didn't have enough resource: example.com/gpu, requested: 2, used: 0, capacity: 1" } },
  { name: 'an extended resource the node does not list is not its to check', pod: pod('a', {}, { 'other.io/fpga': '1' }), want: undefined },
  { name: 'node selector matches', pod: pod('a', { nodeSelector: { disk: 'ssd' } }), want: undefined },
  { name: 'node selector does not match', pod: pod('a', { nodeSelector: { disk: 'hdd' } }), want: { reason: 'NodeAffinity', message: 'Predicate NodeAffinity failed' } },
  {
    name: 'required node affinity',
    pod: pod('a', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }] } } } }),
    want: { reason: 'NodeAffinity', message: 'Predicate NodeAffinity failed' },
  },
  { name: 'bound to another node', pod: pod('a', { nodeName: 'n2' }), want: { reason: 'NodeName', message: 'Predicate NodeName failed' } },
  {
    name: 'a host port another pod holds (0.0.0.0 clashes with any address)',
    pod: pod('a', { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }] }] }),
    admitted: [pod('b', { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] })],
    want: { reason: 'NodePorts', message: 'Predicate NodePorts failed' },
  },
  {
    name: 'the same port with another protocol is free',
    pod: pod('a', { containers: [{ name: 'c', ports: [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }] }] }),
    admitted: [pod('b', { containers: [{ name: 'c', ports: [{ containerPort: 53, hostPort: 53 }] }] })],
    want: undefined,
  },
];

for (const c of cases) test(`admission: ${c.name}`, () => assert.deepEqual(admissionRejection(c.pod, c.admitted ?? [], node), c.want));
