import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from '../../machinery/tolerations.js';
import { evictionDecision } from './eviction.js';

const T0 = '2025-01-01T00:00:00Z';
const at = (seconds: number): Date => new Date(Date.parse(T0) + seconds * 1000);
const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: T0 };
const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: T0 };
const noSchedule: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };
const tol = (key: string | undefined, seconds?: number, extra: Partial<Toleration> = {}): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds, ...extra });

describe('evictionDecision', () => {
  const cases: Array<{ name: string; taints: Taint[]; tolerations: Toleration[]; now: Date; want: string; atSec?: number }> = [
    { name: 'no taints: keep', taints: [], tolerations: [], now: at(0), want: 'keep' },
    { name: 'NoSchedule taints never evict', taints: [noSchedule], tolerations: [], now: at(999), want: 'keep' },
    { name: 'untolerated NoExecute: delete at once', taints: [unreachable], tolerations: [], now: at(0), want: 'delete-now' },
    { name: 'toleration for another key does not help', taints: [unreachable], tolerations: [tol('node.kubernetes.io/not-ready', 300)], now: at(0), want: 'delete-now' },
    { name: 'toleration without seconds: keep for ever', taints: [unreachable], tolerations: [tol('node.kubernetes.io/unreachable')], now: at(1e6), want: 'keep' },
    { name: 'empty key Exists tolerates everything for ever', taints: [unreachable, notReady], tolerations: [{ operator: 'Exists' }], now: at(1e6), want: 'keep' },
    { name: 'tolerationSeconds pending: delete at timeAdded + seconds', taints: [unreachable], tolerations: [tol('node.kubernetes.io/unreachable', 300)], now: at(100), want: 'delete-at', atSec: 300 },
    { name: 'tolerationSeconds elapsed: delete now', taints: [unreachable], tolerations: [tol('node.kubernetes.io/unreachable', 2)], now: at(2), want: 'delete-now' },
    { name: 'zero or negative seconds: delete now', taints: [unreachable], tolerations: [tol('node.kubernetes.io/unreachable', -5)], now: at(0), want: 'delete-now' },
    { name: 'earliest of several taints wins', taints: [unreachable, { ...notReady, timeAdded: at(10).toISOString() }], tolerations: [tol('node.kubernetes.io/unreachable', 300), tol('node.kubernetes.io/not-ready', 30)], now: at(0), want: 'delete-at', atSec: 40 },
    { name: 'one untolerated taint among tolerated ones: delete now', taints: [unreachable, { key: 'x', effect: 'NoExecute', timeAdded: T0 }], tolerations: [tol('node.kubernetes.io/unreachable')], now: at(0), want: 'delete-now' },
    { name: 'Equal operator needs the same value', taints: [{ key: 'k', value: 'v', effect: 'NoExecute', timeAdded: T0 }], tolerations: [{ key: 'k', operator: 'Equal', value: 'w', effect: 'NoExecute' }], now: at(0), want: 'delete-now' },
    { name: 'Equal operator with the same value tolerates', taints: [{ key: 'k', value: 'v', effect: 'NoExecute', timeAdded: T0 }], tolerations: [{ key: 'k', value: 'v' }], now: at(0), want: 'keep' },
    { name: 'first matching toleration is used', taints: [unreachable], tolerations: [tol('node.kubernetes.io/unreachable', 5), tol('node.kubernetes.io/unreachable')], now: at(0), want: 'delete-at', atSec: 5 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = evictionDecision(c.taints, c.tolerations, c.now);
      assert.equal(got.type, c.want);
      if (got.type === 'delete-at') assert.equal(got.at.getTime(), at(c.atSec!).getTime());
    });
  }

  test('a taint without timeAdded counts from when it was first seen', () => {
    const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
    const got = evictionDecision([taint], [tol('node.kubernetes.io/unreachable', 10)], at(5), at(0));
    assert.deepEqual(got.type === 'delete-at' ? got.at : undefined, at(10));
  });
});
