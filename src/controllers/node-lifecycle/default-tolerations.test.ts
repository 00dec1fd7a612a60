// addDefaultTolerations and toleratesTaint live in src/machinery/tolerations.ts (shared with the API
// server's pod admission); their tests sit here with the controller that depends on them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addDefaultTolerations, toleratesTaint, type Toleration } from '../../machinery/tolerations.js';

const NR = 'node.kubernetes.io/not-ready';
const UR = 'node.kubernetes.io/unreachable';

describe('addDefaultTolerations', () => {
  const cases: Array<{ name: string; tolerations?: Toleration[]; nr?: number; ur?: number; want: Toleration[] }> = [
    {
      name: 'adds both with 300 s by default',
      want: [
        { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    {
      name: 'uses the configured seconds',
      nr: 20,
      ur: 10,
      want: [
        { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 20 },
        { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
      ],
    },
    {
      name: 'keeps an existing unreachable toleration and adds only not-ready',
      tolerations: [{ key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }],
      want: [
        { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
        { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    {
      name: 'a toleration with empty effect counts as present',
      tolerations: [{ key: NR, operator: 'Exists' }],
      want: [
        { key: NR, operator: 'Exists' },
        { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    { name: 'tolerate-everything adds nothing', tolerations: [{ operator: 'Exists' }], want: [{ operator: 'Exists' }] },
    {
      name: 'a NoSchedule toleration does not count',
      tolerations: [{ key: NR, operator: 'Exists', effect: 'NoSchedule' }],
      want: [
        { key: NR, operator: 'Exists', effect: 'NoSchedule' },
        { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const pod = { metadata: { name: 'p' }, spec: { containers: [], ...(c.tolerations ? { tolerations: c.tolerations } : {}) } };
      const before = JSON.stringify(pod);
      const out = addDefaultTolerations(pod, c.nr, c.ur);
      assert.deepEqual(out.spec.tolerations ?? [], c.want);
      assert.equal(JSON.stringify(pod), before, 'input unchanged');
    });
  }
});

describe('toleratesTaint', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  const cases: Array<[string, Toleration, boolean]> = [
    ['Exists on the key', { key: 'k', operator: 'Exists' }, true],
    ['Equal same value', { key: 'k', operator: 'Equal', value: 'v' }, true],
    ['default operator is Equal', { key: 'k', value: 'x' }, false],
    ['other effect', { key: 'k', operator: 'Exists', effect: 'NoSchedule' }, false],
    ['other key', { key: 'j', operator: 'Exists' }, false],
    ['empty key Exists', { operator: 'Exists' }, true],
  ];
  for (const [name, toleration, want] of cases) test(name, () => assert.equal(toleratesTaint(toleration, taint), want));
});
