import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplicaSet } from '../replicaset/reconcile.js';
import { getCondition } from './conditions.js';
import { computeTemplateHash } from './hash.js';
import { reconcileDeployment, type DeploymentAction } from './reconcile.js';
import type { Deployment } from './types.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const T1 = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
const T2 = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } };

function deploy(o: Partial<NonNullable<Deployment['spec']>> & { annotations?: Record<string, string>; conditions?: Deployment['status'] } = {}): Deployment {
  const { annotations, conditions, ...spec } = o;
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 2, annotations },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: T1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, ...spec },
    status: conditions,
  };
}

function rs(name: string, template: typeof T1, o: { replicas: number; available?: number; revision: number; created: string; desired?: number }): ReplicaSet {
  const hash = name.split('-')[1] ?? 'h';
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      creationTimestamp: o.created,
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': String(o.revision), 'deployment.kubernetes.io/desired-replicas': String(o.desired ?? 3), 'deployment.kubernetes.io/max-replicas': String((o.desired ?? 3) + 1) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
    },
    spec: { replicas: o.replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { ...template, metadata: { labels: { app: 'web', 'pod-template-hash': hash } } } },
    status: { replicas: o.replicas, readyReplicas: o.available ?? o.replicas, availableReplicas: o.available ?? o.replicas },
  };
}

function summary(actions: DeploymentAction[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'createReplicaSet':
        return `create ${a.rs.metadata.name} ${a.rs.spec?.replicas} rev=${a.rs.metadata.annotations?.['deployment.kubernetes.io/revision']}`;
      case 'updateReplicaSet':
        return `update ${a.rs.metadata.name} ${a.rs.spec?.replicas} rev=${a.rs.metadata.annotations?.['deployment.kubernetes.io/revision']}`;
      case 'deleteReplicaSet':
        return `delete ${a.rs.metadata.name}`;
      case 'setDeploymentRevision':
        return `revision ${a.revision}`;
    }
  });
}

const H1 = computeTemplateHash(T1);

describe('reconcileDeployment', () => {
  const cases: Array<{ name: string; d: Deployment; sets: ReplicaSet[]; actions: string[]; events?: string[]; progressing?: string; available?: string; updated?: number }> = [
    {
      name: 'first rollout creates the ReplicaSet',
      d: deploy(),
      sets: [],
      actions: [`create web-${H1} 3 rev=1`, 'revision 1'],
      events: [`Scaled up replica set web-${H1} from 0 to 3`],
      progressing: 'NewReplicaSetCreated',
      available: 'MinimumReplicasUnavailable',
    },
    {
      name: 'a finished rollout is complete and quiet',
      d: deploy({ annotations: { 'deployment.kubernetes.io/revision': '1' } }),
      sets: [rs('web-a', T1, { replicas: 3, revision: 1, created: '2024-05-01T10:00:00Z' })],
      actions: [],
      progressing: 'NewReplicaSetAvailable',
      available: 'MinimumReplicasAvailable',
      updated: 3,
    },
    {
      name: 'a template change starts a surge',
      d: deploy({ template: T2, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
      sets: [rs('web-a', T1, { replicas: 3, revision: 1, created: '2024-05-01T10:00:00Z' })],
      actions: [`create web-${computeTemplateHash(T2)} 1 rev=2`, 'revision 2'],
    },
    {
      name: 'old pods go once new ones are available',
      d: deploy({ template: T2 }),
      sets: [rs('web-a', T1, { replicas: 3, revision: 1, created: '2024-05-01T10:00:00Z' }), rs('web-b', T2, { replicas: 1, revision: 2, created: '2024-05-01T11:00:00Z' })],
      actions: ['update web-a 2 rev=1', 'revision 2'],
      events: ['Scaled down replica set web-a from 3 to 2'],
    },
    {
      name: 'rollback makes the old ReplicaSet new with the next revision',
      d: deploy({ template: T1, annotations: { 'deployment.kubernetes.io/revision': '2' } }),
      sets: [rs('web-a', T1, { replicas: 0, revision: 1, created: '2024-05-01T10:00:00Z' }), rs('web-b', T2, { replicas: 3, revision: 2, created: '2024-05-01T11:00:00Z' })],
      actions: ['update web-a 1 rev=3', 'revision 3'],
      events: ['Scaled up replica set web-a from 0 to 1'],
    },
    {
      name: 'a replica change is a scaling event',
      d: deploy({ replicas: 5, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
      sets: [rs('web-a', T1, { replicas: 3, revision: 1, created: '2024-05-01T10:00:00Z' })],
      actions: ['update web-a 5 rev=1'],
      events: ['Scaled up replica set web-a from 3 to 5'],
    },
    {
      name: 'history beyond the limit is deleted oldest first',
      d: deploy({ revisionHistoryLimit: 1, annotations: { 'deployment.kubernetes.io/revision': '4' } }),
      sets: [
        rs('web-a', T2, { replicas: 0, revision: 1, created: '2024-05-01T08:00:00Z' }),
        rs('web-b', { ...T2, spec: { containers: [{ name: 'c', image: 'x' }] } }, { replicas: 0, revision: 2, created: '2024-05-01T09:00:00Z' }),
        rs('web-c', { ...T2, spec: { containers: [{ name: 'c', image: 'y' }] } }, { replicas: 0, revision: 3, created: '2024-05-01T10:00:00Z' }),
        rs('web-d', T1, { replicas: 3, revision: 4, created: '2024-05-01T11:00:00Z' }),
      ],
      actions: ['delete web-a', 'delete web-b'],
    },
    {
      name: 'recreate scales old down before creating anything',
      d: deploy({ template: T2, strategy: { type: 'Recreate' } }),
      sets: [rs('web-a', T1, { replicas: 3, revision: 1, created: '2024-05-01T10:00:00Z' })],
      actions: ['update web-a 0 rev=1'],
    },
    {
      name: 'no progress past the deadline',
      d: deploy({
        template: T2,
        annotations: { 'deployment.kubernetes.io/revision': '2' },
        conditions: { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: '2024-05-01T11:40:00Z', lastTransitionTime: '2024-05-01T11:40:00Z' }] },
      }),
      sets: [rs('web-a', T1, { replicas: 3, revision: 1, created: '2024-05-01T10:00:00Z' }), rs('web-b', T2, { replicas: 1, available: 0, revision: 2, created: '2024-05-01T11:00:00Z' })],
      actions: [],
      progressing: 'ProgressDeadlineExceeded',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = reconcileDeployment({ deployment: c.d, replicaSets: c.sets, pods: [], now: NOW });
      assert.deepEqual(summary(plan.actions), c.actions);
      if (c.events) assert.deepEqual(plan.events.map((e) => e.message), c.events);
      if (c.progressing) assert.equal(getCondition(plan.status.conditions, 'Progressing')?.reason, c.progressing);
      if (c.available) assert.equal(getCondition(plan.status.conditions, 'Available')?.reason, c.available);
      if (c.updated !== undefined) assert.equal(plan.status.updatedReplicas, c.updated);
      assert.equal(plan.status.observedGeneration, 2);
    });
  }
  test('the created ReplicaSet carries hash label, selector, owner and copied change-cause', () => {
    const plan = reconcileDeployment({ deployment: deploy({ annotations: { 'kubernetes.io/change-cause': 'v1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }), replicaSets: [], pods: [], now: NOW });
    const create = plan.actions[0];
    assert.ok(create?.type === 'createReplicaSet');
    const created = create.rs;
    assert.equal(created.spec?.selector?.matchLabels?.['pod-template-hash'], H1);
    assert.equal(created.spec?.template?.metadata?.labels?.['pod-template-hash'], H1);
    assert.equal(created.metadata.ownerReferences?.[0]?.uid, 'd-uid');
    assert.equal(created.metadata.annotations?.['kubernetes.io/change-cause'], 'v1');
    assert.equal(created.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);
    assert.equal(created.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
  });
});
