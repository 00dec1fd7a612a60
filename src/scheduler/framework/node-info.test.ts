import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from '../testing/builders.js';
import { NodeInfo } from './node-info.js';
import { podRequests } from '../../machinery/resources.js';
import { Snapshot } from './snapshot.js';

test('pod requests: max(init, sum of app) plus overhead; defaults for scoring', () => {
  const cases: Array<[string, ReturnType<typeof makePod>, number, number]> = [
    ['app sum', makePod({ containers: [{ name: 'a', resources: { requests: { cpu: '200m' } } }, { name: 'b', resources: { requests: { cpu: '300m' } } }] }), 500, 500],
    ['init peak wins', makePod({ cpu: '100m', spec: { initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }] } }), 1000, 1000],
    ['sidecar adds', makePod({ cpu: '100m', spec: { initContainers: [{ name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } }] } }), 150, 150],
    ['overhead adds', makePod({ cpu: '100m', spec: { overhead: { cpu: '250m' } } }), 350, 350],
    ['no requests: default for scoring only', makePod(), 0, 100],
  ];
  for (const [name, pod, cpu, nonZeroCpu] of cases) {
    const r = podRequests(pod);
    assert.equal(r.requests.milliCPU, cpu, name);
    assert.equal(r.nonZeroMilliCPU, nonZeroCpu, name);
  }
});

test('NodeInfo aggregates follow adds and removes', () => {
  const info = new NodeInfo(makeNode('a'));
  const p1 = makePod({ cpu: '1', memory: '1Gi', hostPorts: [80] });
  const p2 = makePod({ cpu: '500m' });
  info.addPod(p1);
  info.addPod(p2);
  assert.equal(info.requested.milliCPU, 1500);
  assert.ok(info.portInUse({ ip: '10.0.0.1', protocol: 'TCP', port: 80 }));
  info.removePod(p1);
  assert.equal(info.requested.milliCPU, 500);
  assert.equal(info.requested.memory, 0);
  assert.ok(!info.portInUse({ ip: '0.0.0.0', protocol: 'TCP', port: 80 }));
});

test('Snapshot moves pods between nodes and tracks affinity holders', () => {
  const s = Snapshot.build([makeNode('a'), makeNode('b')], []);
  const pod = makePod({ cpu: '1', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: {} }] } } } });
  s.addPod(pod, 'a');
  assert.equal(s.havePodsWithRequiredAntiAffinity.size, 1);
  s.addPod(pod, 'b');
  assert.equal(s.get('a')!.requested.milliCPU, 0);
  assert.equal(s.get('b')!.requested.milliCPU, 1000);
  s.removePod(pod);
  assert.equal(s.havePodsWithRequiredAntiAffinity.size, 0);
  assert.equal(s.get('b')!.pods.size, 0);
});
