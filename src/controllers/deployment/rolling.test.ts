import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveFenceposts, rollingStep, scaledValue, type IntOrString } from './rolling.js';
import { computeTemplateHash, safeEncodeString, fnv32a, templatesEqualIgnoringHash } from './hash.js';

describe('int-or-percent rounding', () => {
  const cases: Array<[IntOrString, IntOrString, number, number, number]> = [
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 1, 1, 0],
    [0, 0, 3, 0, 1],
    ['0%', '0%', 3, 0, 1],
    [2, '50%', 5, 2, 2],
    ['100%', 0, 3, 3, 0],
  ];
  for (const [surge, unavailable, desired, wantSurge, wantUnavailable] of cases) {
    test(`surge ${surge} unavailable ${unavailable} of ${desired}`, () => {
      assert.deepEqual(resolveFenceposts(surge, unavailable, desired), { surge: wantSurge, unavailable: wantUnavailable });
    });
  }
  test('rejects junk', () => assert.throws(() => scaledValue('abc', 3, true)));
});

/** Runs rolling steps where pods become available at once; returns [new, old] after each change. */
function simulate(desired: number, maxSurge: IntOrString, maxUnavailable: IntOrString, oldReplicas: number): Array<[number, number]> {
  let next = { name: 'new', replicas: 0, available: 0, created: 2 };
  let old = { name: 'old', replicas: oldReplicas, available: oldReplicas, created: 1 };
  const seen: Array<[number, number]> = [];
  for (let i = 0; i < 50; i++) {
    const step = rollingStep({ desired, maxSurge, maxUnavailable, newSet: next, oldSets: [old] });
    const oldSize = step.oldSizes.get('old') ?? old.replicas;
    if (step.newSize === next.replicas && oldSize === old.replicas) break;
    next = { ...next, replicas: step.newSize, available: step.newSize };
    old = { ...old, replicas: oldSize, available: oldSize };
    seen.push([next.replicas, old.replicas]);
    assert.ok(next.replicas + old.replicas <= desired + resolveFenceposts(maxSurge, maxUnavailable, desired).surge, 'never above desired + surge');
  }
  return seen;
}

describe('rolling update sequences', () => {
  const cases: Array<{ desired: number; surge: IntOrString; unavailable: IntOrString; old: number; steps: Array<[number, number]> }> = [
    { desired: 4, surge: 1, unavailable: 1, old: 4, steps: [[1, 4], [1, 2], [3, 2], [3, 0], [4, 0]] },
    { desired: 3, surge: '25%', unavailable: '25%', old: 3, steps: [[1, 3], [1, 2], [2, 2], [2, 1], [3, 1], [3, 0]] },
    { desired: 3, surge: 0, unavailable: 1, old: 3, steps: [[0, 2], [1, 2], [1, 1], [2, 1], [2, 0], [3, 0]] },
    { desired: 2, surge: '100%', unavailable: 0, old: 2, steps: [[2, 2], [2, 0]] },
  ];
  for (const c of cases) {
    test(`${c.desired} replicas, surge ${c.surge}, unavailable ${c.unavailable}`, () => {
      assert.deepEqual(simulate(c.desired, c.surge, c.unavailable, c.old), c.steps);
    });
  }
  test('does not scale old down while new pods are unavailable', () => {
    const step = rollingStep({ desired: 4, maxSurge: 1, maxUnavailable: 0, newSet: { name: 'new', replicas: 1, available: 0, created: 2 }, oldSets: [{ name: 'old', replicas: 4, available: 4, created: 1 }] });
    assert.equal(step.newSize, 1);
    assert.equal(step.oldSizes.size, 0);
  });
  test('sheds unhealthy old pods first', () => {
    const step = rollingStep({ desired: 4, maxSurge: 0, maxUnavailable: 1, newSet: { name: 'new', replicas: 0, available: 0, created: 3 }, oldSets: [{ name: 'a', replicas: 2, available: 0, created: 1 }, { name: 'b', replicas: 2, available: 2, created: 2 }] });
    // Budget: 4 pods - 3 minimum available = 1; it goes to an unhealthy pod, never a healthy one.
    assert.equal(step.oldSizes.get('a'), 1);
    assert.equal(step.oldSizes.has('b'), false);
  });
});

describe('pod-template-hash', () => {
  test('fnv32a of known inputs', () => {
    assert.equal(fnv32a(new TextEncoder().encode('')), 0x811c9dc5);
    assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
  });
  test('safe encoding maps digits onto the vowel-free alphabet', () => {
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  });
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  test('stable across key order, changes with content and collision count', () => {
    const reordered = { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { app: 'web' } } };
    assert.equal(computeTemplateHash(template), computeTemplateHash(reordered));
    assert.notEqual(computeTemplateHash(template), computeTemplateHash({ ...template, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }));
    assert.notEqual(computeTemplateHash(template), computeTemplateHash(template, 1));
    assert.match(computeTemplateHash(template), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
  test('template comparison ignores the hash label', () => {
    const withHash = { ...template, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } };
    assert.ok(templatesEqualIgnoringHash(template, withHash));
    assert.ok(templatesEqualIgnoringHash({ ...template, metadata: { creationTimestamp: null, labels: { app: 'web' } } } as never, withHash));
    assert.ok(!templatesEqualIgnoringHash(template, { ...withHash, metadata: { labels: { app: 'api', 'pod-template-hash': 'abc' } } }));
  });
});
