import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Job } from '../job/types.js';
import { reconcileCronJob, type CronJob } from './reconcile.js';

const NOW = new Date('2024-05-01T12:05:10Z');

function cj(spec: Partial<NonNullable<CronJob['spec']>>, status?: CronJob['status']): CronJob {
  return {
    metadata: { name: 'hello', namespace: 'ns', uid: 'cj-uid', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c' }] } } } }, ...spec },
    status: status ?? { lastScheduleTime: '2024-05-01T12:00:00Z' },
  };
}

function job(name: string, o: { finished?: 'Complete' | 'Failed'; start?: string } = {}): Job {
  return {
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true }] },
    status: { startTime: o.start ?? '2024-05-01T10:00:00Z', conditions: o.finished ? [{ type: o.finished, status: 'True', lastTransitionTime: '2024-05-01T12:01:00Z' }] : [] },
  };
}

describe('reconcileCronJob', () => {
  test('starts the due run with a minute-stamped name and the scheduled-timestamp annotation', () => {
    const plan = reconcileCronJob({ cronJob: cj({ timeZone: 'Europe/Berlin' }), jobs: [], now: NOW });
    assert.equal(plan.create?.metadata.name, `hello-${Date.parse('2024-05-01T12:05:00Z') / 60000}`);
    assert.equal(plan.create?.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-05-01T14:05:00+02:00');
    assert.equal(plan.status.lastScheduleTime, '2024-05-01T12:05:00Z');
    assert.equal(plan.requeueAfterMs, 290_100);
  });
  test('nothing is due before the next tick', () => {
    assert.equal(reconcileCronJob({ cronJob: cj({}, { lastScheduleTime: '2024-05-01T12:05:00Z' }), jobs: [], now: NOW }).create, undefined);
  });
  test('suspend starts nothing', () => {
    assert.equal(reconcileCronJob({ cronJob: cj({ suspend: true }), jobs: [], now: NOW }).create, undefined);
  });
  const active = job('hello-1');
  const activeStatus = { lastScheduleTime: '2024-05-01T12:00:00Z', active: [{ kind: 'Job', name: 'hello-1', uid: 'hello-1-uid' }] };
  test('Forbid skips while a run is active', () => {
    const plan = reconcileCronJob({ cronJob: cj({ concurrencyPolicy: 'Forbid' }, activeStatus), jobs: [active], now: NOW });
    assert.equal(plan.create, undefined);
    assert.equal(plan.events[0]?.reason, 'JobAlreadyActive');
  });
  test('Replace deletes the active run and starts a new one', () => {
    const plan = reconcileCronJob({ cronJob: cj({ concurrencyPolicy: 'Replace' }, activeStatus), jobs: [active], now: NOW });
    assert.deepEqual(plan.delete.map((d) => [d.job.metadata.name, d.reason]), [['hello-1', 'replace']]);
    assert.ok(plan.create);
  });
  test('Allow runs concurrently', () => {
    const plan = reconcileCronJob({ cronJob: cj({}, activeStatus), jobs: [active], now: NOW });
    assert.ok(plan.create);
    assert.equal(plan.status.active?.length, 1);
  });
  test('a run missed past startingDeadlineSeconds is skipped', () => {
    const plan = reconcileCronJob({ cronJob: cj({ startingDeadlineSeconds: 5 }), jobs: [], now: NOW });
    assert.equal(plan.create, undefined);
  });
  test('finished jobs leave active, set lastSuccessfulTime, and old history goes', () => {
    const jobs = [job('a', { finished: 'Complete', start: '2024-05-01T09:00:00Z' }), job('b', { finished: 'Complete', start: '2024-05-01T10:00:00Z' }), job('c', { finished: 'Failed', start: '2024-05-01T10:30:00Z' }), job('d', { finished: 'Failed', start: '2024-05-01T11:00:00Z' })];
    const plan = reconcileCronJob({ cronJob: cj({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }, { lastScheduleTime: '2024-05-01T12:05:00Z', active: [{ name: 'b', uid: 'b-uid' }] }), jobs, now: NOW });
    assert.equal(plan.status.active, undefined);
    assert.equal(plan.status.lastSuccessfulTime, '2024-05-01T12:01:00Z');
    assert.deepEqual(plan.delete.map((d) => d.job.metadata.name), ['a', 'c']);
  });
  test('a bad schedule is reported', () => {
    assert.equal(reconcileCronJob({ cronJob: cj({ schedule: 'nope' }), jobs: [], now: NOW }).events[0]?.reason, 'UnparseableSchedule');
  });
});
