import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { GROUP_STRATEGIES } from './groups.js';
import { cronScheduleError } from './cronjob.js';

const jobs = GROUP_STRATEGIES['batch/jobs'];
const cronJobs = GROUP_STRATEGIES['batch/cronjobs'];

function lines(errors: { field: string; detail: string }[]): string[] {
  return errors.map((e) => `${e.field}: ${e.detail}`);
}

function job(restartPolicy = 'Never'): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'uid-1' },
    spec: { template: { spec: { restartPolicy, containers: [{ name: 'pi', image: 'perl' }] } } },
  };
}

function createJob(o: KubeObject): KubeObject {
  jobs.defaults!(o);
  jobs.prepareForCreate!(o);
  return o;
}

describe('Job', () => {
  test('defaults, generated selector and labels', () => {
    const j = createJob(job());
    const spec = j.spec as Record<string, any>;
    assert.equal(spec.completions, 1);
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.completionMode, 'NonIndexed');
    assert.equal(spec.suspend, false);
    assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
    assert.deepEqual(spec.template.metadata.labels, {
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'uid-1',
      'batch.kubernetes.io/controller-uid': 'uid-1',
    });
    assert.equal(j.metadata.labels?.['batch.kubernetes.io/job-name'], 'pi');
    assert.deepEqual(lines(jobs.validate!(j)), []);
    assert.deepEqual(jobs.fieldAttributes!(j), { 'status.successful': '0' });
  });

  test('parallelism alone leaves completions unset', () => {
    const j = job();
    (j.spec as Record<string, unknown>).parallelism = 3;
    jobs.defaults!(j);
    assert.equal((j.spec as Record<string, unknown>).completions, undefined);
  });

  test('restartPolicy Always is rejected', () => {
    const j = createJob(job('Always'));
    assert.ok(lines(jobs.validate!(j)).includes('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'));
  });

  test('template is immutable', () => {
    const old = createJob(job());
    const next = structuredClone(old);
    (next.spec as any).template.spec.containers[0].image = 'perl:2';
    assert.deepEqual(lines(jobs.validateUpdate!(next, old)), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
  });

  test('manual selector must still be given', () => {
    const j = job();
    (j.spec as Record<string, unknown>).manualSelector = true;
    createJob(j);
    assert.deepEqual(lines(jobs.validate!(j)), ['spec.selector: Required value']);
  });
});

describe('CronJob', () => {
  test('schedule syntax', () => {
    const valid = ['*/5 * * * *', '0 0 * * *', '@hourly', '@daily', '0 9 * * MON-FRI', '15,45 1-5/2 1 JAN,jul ?', '@every 1h30m'];
    for (const schedule of valid) assert.equal(cronScheduleError(schedule), undefined, schedule);
    const invalid: [string, string][] = [
      ['bad', 'expected exactly 5 fields, found 1: [bad]'],
      ['60 * * * *', 'end of range (60) above maximum (59): 60'],
      ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
      ['5-2 * * * *', 'beginning of range (5) beyond end of range (2): 5-2'],
      ['@often', 'unrecognized descriptor: @often'],
      ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ];
    for (const [schedule, message] of invalid) assert.equal(cronScheduleError(schedule), message, schedule);
  });

  const cronJob = (schedule: string, extra: Record<string, unknown> = {}): KubeObject => {
    const cj: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick', namespace: 'default' },
      spec: { schedule, ...extra, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
    };
    cronJobs.defaults!(cj);
    return cj;
  };

  test('defaults', () => {
    const spec = cronJob('@hourly').spec as Record<string, unknown>;
    assert.equal(spec.concurrencyPolicy, 'Allow');
    assert.equal(spec.suspend, false);
    assert.equal(spec.successfulJobsHistoryLimit, 3);
    assert.equal(spec.failedJobsHistoryLimit, 1);
    assert.equal((spec.jobTemplate as any).spec.completions, undefined);
  });

  const cases: [string, KubeObject, string[]][] = [
    ['valid', cronJob('*/1 * * * *'), []],
    ['missing schedule', cronJob(''), ['spec.schedule: Required value']],
    ['bad schedule', cronJob('bad'), ['spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: [bad]']],
    ['TZ in schedule', cronJob('CRON_TZ=UTC 0 0 * * *'), ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 0 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['unknown time zone', cronJob('0 0 * * *', { timeZone: 'Mars/Olympus' }), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']],
    ['known time zone', cronJob('0 0 * * *', { timeZone: 'Europe/Berlin' }), []],
    ['bad policy', cronJob('0 0 * * *', { concurrencyPolicy: 'Sometimes' }), ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']],
  ];
  for (const [name, cj, want] of cases) {
    test(name, () => assert.deepEqual(lines(cronJobs.validate!(cj)), want));
  }

  test('name length', () => {
    const cj = cronJob('@daily');
    cj.metadata.name = 'x'.repeat(53);
    assert.deepEqual(lines(cronJobs.validate!(cj)), [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
  });
});
