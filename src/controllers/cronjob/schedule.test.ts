import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mostRecentTime, nextTime, parseSchedule } from './schedule.js';

describe('cron next time', () => {
  const cases: Array<{ spec: string; zone?: string; after: string; next: string }> = [
    { spec: '*/15 * * * *', after: '2024-05-01T12:07:00Z', next: '2024-05-01T12:15:00.000Z' },
    { spec: '*/15 * * * *', after: '2024-05-01T12:15:00Z', next: '2024-05-01T12:30:00.000Z' },
    { spec: '0 9 * * 1-5', after: '2024-05-03T10:00:00Z', next: '2024-05-06T09:00:00.000Z' },
    { spec: '0 9 * * MON-FRI', after: '2024-05-03T10:00:00Z', next: '2024-05-06T09:00:00.000Z' },
    { spec: '5,10 0 1 jan *', after: '2024-05-01T00:00:00Z', next: '2025-01-01T00:05:00.000Z' },
    { spec: '0 0 13 * 5', after: '2024-05-01T00:00:00Z', next: '2024-05-03T00:00:00.000Z' },
    { spec: '0 0 * * 7', after: '2024-05-01T00:00:00Z', next: '2024-05-05T00:00:00.000Z' },
    { spec: '@hourly', after: '2024-05-01T12:07:00Z', next: '2024-05-01T13:00:00.000Z' },
    { spec: '@weekly', after: '2024-05-01T12:07:00Z', next: '2024-05-05T00:00:00.000Z' },
    { spec: '30 2 * * *', zone: 'America/New_York', after: '2024-05-01T00:00:00Z', next: '2024-05-01T06:30:00.000Z' },
    { spec: '30 2 * * *', zone: 'America/New_York', after: '2024-01-10T00:00:00Z', next: '2024-01-10T07:30:00.000Z' },
    { spec: '0 9 * * *', zone: 'Asia/Kolkata', after: '2024-05-01T04:00:00Z', next: '2024-05-02T03:30:00.000Z' },
    { spec: 'CRON_TZ=Europe/Berlin 0 0 * * *', after: '2024-07-01T00:00:00Z', next: '2024-07-01T22:00:00.000Z' },
    { spec: '0 0 1 * *', zone: 'Europe/Berlin', after: '2024-10-15T00:00:00Z', next: '2024-10-31T23:00:00.000Z' },
  ];
  for (const c of cases) {
    test(`${c.spec}${c.zone ? ` in ${c.zone}` : ''} after ${c.after}`, () => {
      assert.equal(nextTime(parseSchedule(c.spec, c.zone), new Date(c.after))?.toISOString(), c.next);
    });
  }
  const bad = ['61 * * * *', '* * * *', '* * * * * *', '0 0 * foo *', '*/0 * * * *', '@reboot'];
  for (const spec of bad) test(`rejects ${spec}`, () => assert.throws(() => parseSchedule(spec)));
  test('rejects an unknown zone', () => assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus'), RangeError));
  test('most recent time counts missed runs', () => {
    const r = mostRecentTime(parseSchedule('*/10 * * * *'), new Date('2024-05-01T12:00:00Z'), new Date('2024-05-01T12:35:00Z'));
    assert.equal(r.time?.toISOString(), '2024-05-01T12:30:00.000Z');
    assert.equal(r.missed, 3);
  });
  test('many missed runs still end at the latest one', () => {
    const r = mostRecentTime(parseSchedule('* * * * *'), new Date('2024-05-01T00:00:00Z'), new Date('2024-05-03T00:00:30Z'));
    assert.equal(r.time?.toISOString(), '2024-05-03T00:00:00.000Z');
    assert.ok(r.missed > 100);
  });
});
