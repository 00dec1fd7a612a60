import { test } from 'node:test';
import assert from 'node:assert/strict';
import { helperProcesses, limitedSpawn, MAX_BACKGROUND_HELPER_PROCESSES, Semaphore, type Lane } from './process-limit.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Work that runs until released; records the order in which work items started. */
function gate(started: string[], name: string): { work: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    work: async () => {
      started.push(name);
      await done;
    },
    release: () => release(),
  };
}

const cases: { name: string; max: number; backgroundMax: number; submit: [string, Lane][]; startedAtOnce: string[]; releaseFirst: string; startedNext: string[] }[] = [
  {
    name: 'background work holds at most its share of the slots',
    max: 3, backgroundMax: 1,
    submit: [['b1', 'background'], ['b2', 'background'], ['f1', 'foreground']],
    startedAtOnce: ['b1', 'f1'], releaseFirst: 'b1', startedNext: ['b2'],
  },
  {
    name: 'a freed slot goes to waiting foreground work before earlier background work',
    max: 2, backgroundMax: 2,
    submit: [['f1', 'foreground'], ['f2', 'foreground'], ['b1', 'background'], ['f3', 'foreground']],
    startedAtOnce: ['f1', 'f2'], releaseFirst: 'f1', startedNext: ['f3'],
  },
  {
    name: 'background work starts once no foreground work waits',
    max: 2, backgroundMax: 1,
    submit: [['f1', 'foreground'], ['f2', 'foreground'], ['b1', 'background']],
    startedAtOnce: ['f1', 'f2'], releaseFirst: 'f2', startedNext: ['b1'],
  },
  {
    name: 'foreground work may use every slot',
    max: 2, backgroundMax: 1,
    submit: [['f1', 'foreground'], ['f2', 'foreground'], ['f3', 'foreground']],
    startedAtOnce: ['f1', 'f2'], releaseFirst: 'f1', startedNext: ['f3'],
  },
];

for (const c of cases) {
  test(`Semaphore: ${c.name}`, async () => {
    const semaphore = new Semaphore(c.max, c.backgroundMax);
    const started: string[] = [];
    const gates = new Map(c.submit.map(([name]) => [name, gate(started, name)]));
    const runs = c.submit.map(([name, lane]) => semaphore.run(gates.get(name)!.work, lane));
    await flush();
    assert.deepEqual([...started].sort(), [...c.startedAtOnce].sort());
    gates.get(c.releaseFirst)!.release();
    await flush();
    assert.deepEqual(started.slice(c.startedAtOnce.length), c.startedNext);
    for (const g of gates.values()) g.release();
    await Promise.all(runs);
    assert.equal(semaphore.inUse, 0);
    assert.equal(semaphore.queued, 0);
  });
}

test('Semaphore rejects a background share larger than the whole', () => {
  assert.throws(() => new Semaphore(2, 3), /background share/);
  assert.throws(() => new Semaphore(0), /positive integer/);
});

test('limitedSpawn in the background lane holds at most its share and never delays foreground spawns', async () => {
  const started: string[] = [];
  const gates = Array.from({ length: MAX_BACKGROUND_HELPER_PROCESSES + 1 }, (_, i) => gate(started, `b${i}`));
  const runs = Promise.all(gates.map((g) => limitedSpawn(g.work, 'background')));
  await flush();
  assert.equal(started.length, MAX_BACKGROUND_HELPER_PROCESSES);
  assert.equal(helperProcesses.queued, 1);
  const fg = gate(started, 'f');
  const fgRun = limitedSpawn(fg.work);
  await flush();
  assert.equal(started.at(-1), 'f');
  fg.release();
  for (const g of gates) g.release();
  await Promise.all([runs, fgRun]);
  assert.equal(helperProcesses.inUse, 0);
});
