import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../common/pods.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import { failureBackoffMs, jobPod, reconcileJob } from './reconcile.js';
import type { Job } from './types.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function job(spec: NonNullable<Job['spec']>, status?: Job['status']): Job {
  return { metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid' }, spec: { template: { spec: { containers: [{ name: 'c' }] } }, ...spec }, status };
}

function pod(name: string, phase: string, o: { finalizer?: boolean; finishedAt?: string; index?: number; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      namespace: 'ns',
      creationTimestamp: '2024-05-01T11:00:00Z',
      finalizers: o.finalizer === false ? [] : ['batch.kubernetes.io/job-tracking'],
      annotations: o.index === undefined ? undefined : { 'batch.kubernetes.io/job-completion-index': String(o.index) },
      deletionTimestamp: o.deleting ? '2024-05-01T11:59:00Z' : undefined,
    },
    status: { phase, containerStatuses: o.finishedAt ? [{ name: 'c', state: { terminated: { finishedAt: o.finishedAt } } }] : [] },
  };
}

const cond = (j: ReturnType<typeof reconcileJob>, type: string): string | undefined => j.status.conditions?.find((c) => c.type === type && c.status === 'True')?.reason;

describe('reconcileJob', () => {
  test('starts parallelism pods and sets startTime', () => {
    const plan = reconcileJob({ job: job({ parallelism: 2, completions: 3 }), pods: [], now: NOW, expectationsSatisfied: true });
    assert.equal(plan.create.length, 2);
    assert.equal(plan.status.startTime, '2024-05-01T12:00:00Z');
  });
  test('never starts more than the remaining completions', () => {
    const plan = reconcileJob({ job: job({ parallelism: 5, completions: 3 }, { succeeded: 2, startTime: 'x' }), pods: [], now: NOW, expectationsSatisfied: true });
    assert.equal(plan.create.length, 1);
  });
  test('counts finished pods through the interim status, then completes', () => {
    const plan = reconcileJob({ job: job({ completions: 2 }, { startTime: '2024-05-01T11:00:00Z' }), pods: [pod('a', 'Succeeded'), pod('b', 'Succeeded')], now: NOW, expectationsSatisfied: true });
    assert.deepEqual(plan.interimStatus?.uncountedTerminatedPods?.succeeded, ['uid-a', 'uid-b']);
    assert.equal(plan.interimStatus?.succeeded, undefined);
    assert.equal(plan.removeFinalizers.length, 2);
    assert.equal(plan.status.succeeded, 2);
    assert.deepEqual(plan.status.uncountedTerminatedPods, { succeeded: [], failed: [] });
    assert.equal(cond(plan, 'SuccessCriteriaMet'), 'CompletionsReached');
    assert.equal(cond(plan, 'Complete'), 'CompletionsReached');
    assert.equal(plan.status.completionTime, '2024-05-01T12:00:00Z');
  });
  test('already counted pods are not counted twice', () => {
    const plan = reconcileJob({ job: job({ completions: 3 }, { succeeded: 1, startTime: 'x', uncountedTerminatedPods: { succeeded: ['uid-a'] } }), pods: [pod('a', 'Succeeded')], now: NOW, expectationsSatisfied: true });
    assert.equal(plan.interimStatus, undefined);
    assert.equal(plan.status.succeeded, 2);
    const done = reconcileJob({ job: job({ completions: 3 }, { succeeded: 2, startTime: 'x' }), pods: [pod('a', 'Succeeded', { finalizer: false })], now: NOW, expectationsSatisfied: true });
    assert.equal(done.status.succeeded, 2);
  });
  const backoff: Array<[number, number]> = [[0, 0], [1, 10_000], [2, 20_000], [3, 40_000], [6, 320_000], [7, 360_000], [20, 360_000]];
  for (const [failures, ms] of backoff) test(`backoff after ${failures} failures is ${ms} ms`, () => assert.equal(failureBackoffMs(failures), ms));
  test('waits for the backoff before replacing a failed pod', () => {
    const plan = reconcileJob({ job: job({ completions: 1 }, { startTime: 'x' }), pods: [pod('a', 'Failed', { finishedAt: '2024-05-01T11:59:55Z' })], now: NOW, expectationsSatisfied: true });
    assert.equal(plan.status.failed, 1);
    assert.equal(plan.create.length, 0);
    assert.equal(plan.requeueAfterMs, 5000);
    const later = reconcileJob({ job: job({ completions: 1 }, { startTime: 'x', failed: 1 }), pods: [pod('a', 'Failed', { finalizer: false, finishedAt: '2024-05-01T11:59:45Z' })], now: NOW, expectationsSatisfied: true });
    assert.equal(later.create.length, 1);
  });
  test('fails past backoffLimit', () => {
    const plan = reconcileJob({ job: job({ backoffLimit: 1 }, { startTime: 'x', failed: 1 }), pods: [pod('b', 'Failed')], now: NOW, expectationsSatisfied: true });
    assert.equal(plan.status.failed, 2);
    assert.equal(cond(plan, 'FailureTarget'), 'BackoffLimitExceeded');
    assert.equal(cond(plan, 'Failed'), 'BackoffLimitExceeded');
  });
  test('fails past activeDeadlineSeconds, stopping running pods first', () => {
    const plan = reconcileJob({ job: job({ activeDeadlineSeconds: 60 }, { startTime: '2024-05-01T11:00:00Z' }), pods: [pod('a', 'Running')], now: NOW, expectationsSatisfied: true });
    assert.equal(cond(plan, 'FailureTarget'), 'DeadlineExceeded');
    assert.equal(cond(plan, 'Failed'), undefined);
    assert.deepEqual(plan.delete.map((p) => p.metadata.name), ['a']);
  });
  test('indexed jobs create the missing indexes', () => {
    const plan = reconcileJob({ job: job({ completionMode: 'Indexed', completions: 4, parallelism: 2 }, { startTime: 'x', completedIndexes: '0' }), pods: [pod('p2', 'Running', { index: 2 })], now: NOW, expectationsSatisfied: true });
    assert.deepEqual(plan.create, [1]);
    assert.equal(plan.status.completedIndexes, '0');
  });
  test('suspend stops pods', () => {
    const plan = reconcileJob({ job: job({ suspend: true }, { startTime: 'x' }), pods: [pod('a', 'Running')], now: NOW, expectationsSatisfied: true });
    assert.equal(cond(plan, 'Suspended'), 'JobSuspended');
    assert.equal(plan.delete.length, 1);
    assert.equal(plan.create.length, 0);
  });
  test('TTL deletes a finished job', () => {
    const finished = { completionTime: '2024-05-01T11:58:00Z', conditions: [{ type: 'Complete', status: 'True' as const, lastTransitionTime: '2024-05-01T11:58:00Z' }] };
    assert.equal(reconcileJob({ job: job({ ttlSecondsAfterFinished: 60 }, finished), pods: [], now: NOW, expectationsSatisfied: true }).deleteJob, true);
    const waiting = reconcileJob({ job: job({ ttlSecondsAfterFinished: 600 }, finished), pods: [], now: NOW, expectationsSatisfied: true });
    assert.equal(waiting.deleteJob, false);
    assert.equal(waiting.requeueAfterMs, 480_000);
  });
  test('indexed pods carry index annotation, env and hostname', () => {
    const p = jobPod(job({ completionMode: 'Indexed', completions: 3 }), 2);
    assert.equal(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], '2');
    assert.equal(p.spec?.hostname, 'pi-2');
    assert.equal(p.spec?.containers?.[0]?.env?.[0]?.name, 'JOB_COMPLETION_INDEX');
    assert.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
    assert.equal(p.metadata.labels?.['batch.kubernetes.io/controller-uid'], 'job-uid');
  });
});

describe('completed index sets', () => {
  const cases: Array<[number[], string]> = [[[], ''], [[0], '0'], [[0, 1, 2, 4], '0-2,4'], [[5, 3, 4, 9], '3-5,9']];
  for (const [set, text] of cases) {
    test(text || 'empty', () => {
      assert.equal(formatIndexes(set), text);
      assert.deepEqual([...parseIndexes(text, 100)].sort((a, b) => a - b), [...set].sort((a, b) => a - b));
    });
  }
});
