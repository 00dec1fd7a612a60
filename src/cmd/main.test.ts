import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './main.js';

test('durations as Kubernetes flags take them', () => {
  const cases: [string, number][] = [['40s', 40_000], ['1m30s', 90_000], ['500ms', 500], ['2h', 7_200_000], ['1.5s', 1500]];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  for (const bad of ['', '40', 's', '10x', '5s junk']) assert.ok(Number.isNaN(parseDuration(bad)), bad);
});
