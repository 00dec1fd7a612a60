import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProbeResult, initialProbeState, isHealthy, probeTiming, shouldProbe, type ProbeKind } from './probe-state.js';

test('probeTiming defaults and overrides', () => {
  assert.deepEqual(probeTiming({}), { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(probeTiming({ initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 1 }),
    { initialDelayMs: 5_000, periodMs: 2_000, timeoutMs: 3_000, successThreshold: 2, failureThreshold: 1 });
});

describe('applyProbeResult', () => {
  // results: sequence of raw outcomes; want: reported health after each; changes: indexes where onChange fires.
  const cases: { name: string; kind: ProbeKind; probe: Record<string, number>; results: boolean[]; want: boolean[]; changes: number[]; holdAt?: number }[] = [
    { name: 'readiness: one success makes ready', kind: 'readiness', probe: {}, results: [true, true], want: [true, true], changes: [0] },
    { name: 'readiness: successThreshold 2', kind: 'readiness', probe: { successThreshold: 2 }, results: [true, false, true, true], want: [false, false, false, true], changes: [3] },
    { name: 'readiness: failureThreshold 3 then recovers', kind: 'readiness', probe: {}, results: [true, false, false, false, true], want: [true, true, true, false, true], changes: [0, 3, 4] },
    { name: 'liveness: starts healthy, streak broken by success', kind: 'liveness', probe: {}, results: [false, false, true, false, false], want: [true, true, true, true, true], changes: [] },
    { name: 'liveness: three failures then hold', kind: 'liveness', probe: {}, results: [false, false, false], want: [true, true, false], changes: [2], holdAt: 2 },
    { name: 'liveness: failureThreshold 1', kind: 'liveness', probe: { failureThreshold: 1 }, results: [true, false], want: [true, false], changes: [1], holdAt: 1 },
    { name: 'startup: success marks started', kind: 'startup', probe: {}, results: [false, true], want: [false, true], changes: [1] },
    { name: 'startup: failure threshold reports failure', kind: 'startup', probe: { failureThreshold: 2 }, results: [false, false], want: [false, false], changes: [1], holdAt: 1 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const timing = probeTiming(c.probe);
      let state = initialProbeState(c.kind);
      const health: boolean[] = [];
      const changes: number[] = [];
      c.results.forEach((ok, i) => {
        const next = applyProbeResult(c.kind, timing, state, ok);
        state = next.state;
        health.push(isHealthy(state));
        if (next.changed) changes.push(i);
        assert.equal(state.onHold, c.holdAt !== undefined && i >= c.holdAt, `hold after ${i}`);
      });
      assert.deepEqual(health, c.want);
      assert.deepEqual(changes, c.changes);
    });
  }
});

test('shouldProbe honours the initial delay, hold and done', () => {
  const timing = probeTiming({ initialDelaySeconds: 10 });
  const fresh = initialProbeState('readiness');
  const cases: [number, boolean][] = [[0, false], [9_999, false], [10_000, true], [50_000, true]];
  for (const [now, want] of cases) assert.equal(shouldProbe(fresh, timing, 0, now), want, String(now));
  assert.equal(shouldProbe({ ...fresh, onHold: true }, timing, 0, 20_000), false);
  assert.equal(shouldProbe({ ...fresh, done: true }, timing, 0, 20_000), false);
});
