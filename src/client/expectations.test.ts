import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerExpectations, EXPECTATIONS_TTL_MS } from './expectations.js';

describe('ControllerExpectations', () => {
  test('unknown keys are satisfied', () => {
    assert.equal(new ControllerExpectations().satisfied('ns/x'), true);
  });

  const cases: Array<{ name: string; steps: (e: ControllerExpectations) => void; advanceMs: number; want: boolean }> = [
    { name: 'creations pending', steps: (e) => e.expectCreations('k', 2), advanceMs: 0, want: false },
    { name: 'creations partly observed', steps: (e) => (e.expectCreations('k', 2), e.creationObserved('k')), advanceMs: 0, want: false },
    { name: 'creations all observed', steps: (e) => (e.expectCreations('k', 2), e.creationObserved('k'), e.creationObserved('k')), advanceMs: 0, want: true },
    { name: 'deletions pending', steps: (e) => e.expectDeletions('k', 1), advanceMs: 0, want: false },
    { name: 'deletions observed', steps: (e) => (e.expectDeletions('k', 1), e.deletionObserved('k')), advanceMs: 0, want: true },
    { name: 'failed create lowers expectations', steps: (e) => (e.expectCreations('k', 1), e.lowerExpectations('k', 1, 0)), advanceMs: 0, want: true },
    { name: 'expired after the TTL', steps: (e) => e.expectCreations('k', 5), advanceMs: EXPECTATIONS_TTL_MS + 1, want: true },
    { name: 'not yet expired at the TTL', steps: (e) => e.expectCreations('k', 5), advanceMs: EXPECTATIONS_TTL_MS, want: false },
    { name: 'deleted expectations', steps: (e) => (e.expectCreations('k', 5), e.deleteExpectations('k')), advanceMs: 0, want: true },
    { name: 'raise adds to existing', steps: (e) => (e.expectCreations('k', 1), e.raiseExpectations('k', 1, 0), e.creationObserved('k')), advanceMs: 0, want: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      let now = 1_000;
      const e = new ControllerExpectations(() => now);
      c.steps(e);
      now += c.advanceMs;
      assert.equal(e.satisfied('k'), c.want);
    });
  }
});
