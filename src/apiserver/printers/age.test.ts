import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, shortHumanDuration, timeSince } from './age.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration matches kubectl AGE formatting', () => {
  const cases: [number, string][] = [
    [-3 * S, '<invalid>'],
    [-1 * S, '0s'],
    [0, '0s'],
    [45 * S, '45s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [2 * M + 30 * S, '2m30s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 20 * M, '3h20m'],
    [8 * H + 20 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [8 * D + 5 * H, '8d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [740 * D, '2y10d'],
    [9 * 365 * D, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('shortHumanDuration uses a single unit', () => {
  const cases: [number, string][] = [
    [59 * S, '59s'],
    [5 * M + 30 * S, '5m'],
    [3 * H + 59 * M, '3h'],
    [2 * D + 23 * H, '2d'],
    [3 * 365 * D, '3y'],
    [-5 * S, '<invalid>'],
  ];
  for (const [ms, want] of cases) assert.equal(shortHumanDuration(ms), want);
});

test('timeSince handles missing timestamps', () => {
  const now = new Date('2025-01-01T00:10:00Z');
  assert.equal(timeSince(undefined, now), '<unknown>');
  assert.equal(timeSince('2025-01-01T00:05:00Z', now), '5m');
});
