import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSchedulerConfig, mergePluginSet, parseSchedulerConfig } from './config.js';

describe('scheduler configuration', () => {
  test('default profile: Kubernetes plugins and weights', () => {
    const p = defaultSchedulerConfig().profiles[0]!;
    assert.equal(p.schedulerName, 'default-scheduler');
    assert.deepEqual(p.plugins.filter.map((r) => r.name), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
    assert.deepEqual(
      p.plugins.score.map((r) => `${r.name}:${r.weight}`),
      ['TaintToleration:3', 'NodeAffinity:2', 'NodeResourcesFit:1', 'PodTopologySpread:2', 'InterPodAffinity:2', 'NodeResourcesBalancedAllocation:1', 'ImageLocality:1'],
    );
    assert.deepEqual(p.plugins.postFilter.map((r) => r.name), ['DefaultPreemption']);
    assert.deepEqual(p.plugins.reserve.map((r) => r.name), ['VolumeBinding']);
    assert.deepEqual(p.plugins.preBind.map((r) => r.name), ['VolumeBinding']);
    assert.deepEqual(p.plugins.bind.map((r) => r.name), ['DefaultBinder']);
  });

  test('VolumeBinding can be disabled and takes bindTimeoutSeconds', () => {
    const cfg = parseSchedulerConfig(`
profiles:
- schedulerName: no-volumes
  plugins:
    multiPoint:
      disabled: [{name: VolumeBinding}]
- schedulerName: volumes
  pluginConfig:
  - name: VolumeBinding
    args: {bindTimeoutSeconds: 300}
`);
    const [off, on] = cfg.profiles;
    for (const point of ['preFilter', 'filter', 'reserve', 'preBind'] as const) assert.ok(!off!.plugins[point].some((r) => r.name === 'VolumeBinding'), point);
    assert.deepEqual(on!.pluginArgs.get('VolumeBinding'), { bindTimeoutSeconds: 300 });
  });

  test('YAML profile with disabled, re-weighted plugins and args', () => {
    const cfg = parseSchedulerConfig(`
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
profiles:
- schedulerName: bin-packer
  plugins:
    score:
      disabled: [{name: ImageLocality}]
      enabled: [{name: NodeResourcesFit, weight: 5}]
    filter:
      disabled: [{name: '*'}]
      enabled: [{name: NodeResourcesFit}]
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
        resources: [{name: cpu, weight: 1}]
`);
    const p = cfg.profiles[0]!;
    assert.equal(p.schedulerName, 'bin-packer');
    assert.equal(p.percentageOfNodesToScore, 30);
    assert.deepEqual(p.plugins.filter.map((r) => r.name), ['NodeResourcesFit']);
    assert.ok(!p.plugins.score.some((r) => r.name === 'ImageLocality'));
    assert.equal(p.plugins.score.find((r) => r.name === 'NodeResourcesFit')!.weight, 5);
    assert.deepEqual((p.pluginArgs.get('NodeResourcesFit') as { scoringStrategy: { type: string } }).scoringStrategy.type, 'MostAllocated');
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['unknown plugin', 'profiles: [{plugins: {filter: {enabled: [{name: Nope}]}}}]', /"Nope" does not exist/],
    ['wrong extension point', 'profiles: [{plugins: {filter: {enabled: [{name: ImageLocality}]}}}]', /does not extend filter/],
    ['bad strategy', 'profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Fastest}}}]}]', /Unsupported value/],
    ['ratio needs a shape', 'profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: RequestedToCapacityRatio}}}]}]', /shape/],
    ['negative bind timeout', 'profiles: [{pluginConfig: [{name: VolumeBinding, args: {bindTimeoutSeconds: -10}}]}]', /bindTimeoutSeconds: Invalid value: -10: invalid BindTimeoutSeconds, should not be a negative value/],
    ['VolumeBinding has no score', 'profiles: [{plugins: {score: {enabled: [{name: VolumeBinding}]}}}]', /does not extend score/],
    ['duplicate profiles', 'profiles: [{schedulerName: a}, {schedulerName: a}]', /duplicate/],
    ['percentage range', 'percentageOfNodesToScore: 150', /range/],
  ];
  for (const [name, text, want] of invalid) test(`rejects ${name}`, () => assert.throws(() => parseSchedulerConfig(text), want));

  test('mergePluginSet replaces in place and appends extras', () => {
    const merged = mergePluginSet([{ name: 'A', weight: 1 }, { name: 'B', weight: 1 }], { enabled: [{ name: 'C' }, { name: 'A', weight: 7 }], disabled: [{ name: 'B' }] });
    assert.deepEqual(merged, [{ name: 'A', weight: 7 }, { name: 'C', weight: undefined }]);
  });
});
