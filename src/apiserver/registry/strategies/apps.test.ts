import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { GROUP_STRATEGIES } from './groups.js';

const deployments = GROUP_STRATEGIES['apps/deployments'];

function deployment(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
      ...spec,
    },
  };
}

function lines(errors: { field: string; detail: string }[]): string[] {
  return errors.map((e) => `${e.field}: ${e.detail}`);
}

function defaulted(o: KubeObject, key: string): KubeObject {
  GROUP_STRATEGIES[key].defaults?.(o);
  return o;
}

describe('Deployment', () => {
  test('defaults', () => {
    const d = defaulted(deployment({}), 'apps/deployments');
    const spec = d.spec as Record<string, unknown>;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    assert.equal((spec.template as { spec: { restartPolicy?: string } }).spec.restartPolicy, 'Always');
    assert.deepEqual(lines(deployments.validate!(d)), []);
  });

  test('Recreate gets no rollingUpdate', () => {
    const d = defaulted(deployment({ strategy: { type: 'Recreate' } }), 'apps/deployments');
    assert.deepEqual((d.spec as { strategy: unknown }).strategy, { type: 'Recreate' });
  });

  const cases: { name: string; spec: Record<string, unknown>; want: string }[] = [
    { name: 'missing selector', spec: { selector: undefined }, want: 'spec.selector: Required value' },
    {
      name: 'selector does not match',
      spec: { selector: { matchLabels: { app: 'other' } } },
      want: 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    },
    { name: 'negative replicas', spec: { replicas: -1 }, want: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0' },
    {
      name: 'both surge and unavailable zero',
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } },
      want: 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    },
    {
      name: 'restart policy must be Always',
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'nginx', image: 'nginx' }] } } },
      want: 'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = defaulted(deployment(c.spec), 'apps/deployments');
      assert.ok(lines(deployments.validate!(d)).includes(c.want), JSON.stringify(lines(deployments.validate!(d))));
    });
  }

  test('selector is immutable', () => {
    const old = defaulted(deployment({}), 'apps/deployments');
    const next = defaulted(deployment({ selector: { matchLabels: { app: 'web', tier: 'x' } } }), 'apps/deployments');
    (next.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels.tier = 'x';
    assert.deepEqual(lines(deployments.validateUpdate!(next, old)), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  test('has the deployment printer', () => {
    assert.equal(deployments.table?.columns[1].name, 'Ready');
  });
});

describe('StatefulSet', () => {
  const sts = GROUP_STRATEGIES['apps/statefulsets'];
  test('defaults and forbidden updates', () => {
    const make = (serviceName: string): KubeObject => defaulted({ ...deployment({ serviceName }), kind: 'StatefulSet' }, 'apps/statefulsets');
    const old = make('web');
    const spec = old.spec as Record<string, unknown>;
    assert.equal(spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.deepEqual(lines(sts.validate!(old)), []);
    const scaled = make('web');
    (scaled.spec as Record<string, unknown>).replicas = 5;
    assert.deepEqual(lines(sts.validateUpdate!(scaled, old)), []);
    assert.deepEqual(lines(sts.validateUpdate!(make('other'), old)), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});

describe('DaemonSet', () => {
  test('defaults', () => {
    const ds = defaulted({ ...deployment({}), kind: 'DaemonSet' }, 'apps/daemonsets');
    const spec = ds.spec as Record<string, unknown>;
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(spec.replicas, undefined);
    assert.deepEqual(lines(GROUP_STRATEGIES['apps/daemonsets'].validate!(ds)), []);
  });
});
