import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingServiceAccounts } from './reconcile.js';

test('default service account per active namespace', () => {
  const cases: Array<[Parameters<typeof missingServiceAccounts>[0], string[], string[]]> = [
    [{ metadata: { name: 'a' } }, [], ['default']],
    [{ metadata: { name: 'a' } }, ['default', 'x'], []],
    [{ metadata: { name: 'a', deletionTimestamp: 'now' } }, [], []],
    [{ metadata: { name: 'a' }, status: { phase: 'Terminating' } }, [], []],
    [undefined, [], []],
  ];
  for (const [ns, have, want] of cases) assert.deepEqual(missingServiceAccounts(ns, have), want);
});
