import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../client/log.js';
import { SchedulerCache } from './cache.js';
import { errorStatus, unschedulable, type AnyPlugin, type Status } from './framework/interfaces.js';
import { Framework, type PluginFactory, type ProfileSpec } from './framework/runtime.js';
import type { Pod } from './framework/types.js';
import { newDefaultBinder } from './plugins/default-binder/default-binder.js';
import { SchedulingQueue } from './queue/scheduling-queue.js';
import { ScheduleOne, type SchedulerActions } from './schedule-one.js';
import { makeNode, makePod } from './testing/builders.js';

/** A plugin at Reserve and PreBind that records the calls it gets; PreBind answers `preBind`. */
function recorder(calls: string[], preBind: Status | undefined): AnyPlugin {
  return {
    name: 'Recorder',
    reserve: () => {
      calls.push('reserve');
      return undefined;
    },
    unreserve: () => {
      calls.push('unreserve');
    },
    preBind: async () => {
      calls.push('preBind');
      return preBind;
    },
  };
}

function setup(preBind: Status | undefined) {
  const calls: string[] = [];
  const reports: string[] = [];
  const profile: ProfileSpec = {
    schedulerName: 'default-scheduler',
    plugins: { preFilter: [], filter: [], postFilter: [], preScore: [], score: [], reserve: [{ name: 'Recorder' }], permit: [], preBind: [{ name: 'Recorder' }], bind: [{ name: 'DefaultBinder' }] },
    pluginArgs: new Map(),
    percentageOfNodesToScore: 0,
  };
  const registry = new Map<string, PluginFactory>([
    ['Recorder', () => recorder(calls, preBind)],
    [
      'DefaultBinder',
      () =>
        newDefaultBinder(async (pod, node) => {
          calls.push(`bind ${pod.metadata.name} ${node}`);
        }),
    ],
  ]);
  const cache = new SchedulerCache();
  cache.setNode(makeNode('a'));
  const queue = new SchedulingQueue();
  const fw = new Framework(profile, registry, () => cache.snapshot);
  const actions: SchedulerActions = {
    markUnschedulable: async (pod, reason, message) => {
      reports.push(`condition ${reason}: ${message}`);
    },
    deleteVictim: async () => undefined,
    event: (_pod, type, reason, message) => {
      reports.push(`event ${type} ${reason}: ${message}`);
    },
  };
  const runner = new ScheduleOne({ cache, queue, frameworks: new Map([['default-scheduler', fw]]), actions, log: createLogger('test', { level: 'silent' }), signal: new AbortController().signal });
  return { calls, reports, cache, queue, runner };
}

async function scheduleOne(s: ReturnType<typeof setup>, pod: Pod): Promise<void> {
  s.queue.add(pod);
  s.runner.run(s.queue.tryPop()!);
  await s.runner.idle();
}

describe('ScheduleOne binding cycle', () => {
  test('PreBind runs after Reserve and before Bind', async () => {
    const s = setup(undefined);
    const pod = makePod({ name: 'p' });
    await scheduleOne(s, pod);
    assert.deepEqual(s.calls, ['reserve', 'preBind', 'bind p a']);
    assert.ok(s.cache.isAssumed(pod), 'assumed until the informer confirms the binding');
    assert.deepEqual(s.reports, ['event Normal Scheduled: Successfully assigned default/p to a']);
  });

  const failures: Array<{ name: string; status: Status; reason: string; message: string; queue: 'backoff' | 'unschedulable' }> = [
    { name: 'an error', status: errorStatus('boom'), reason: 'SchedulerError', message: 'running PreBind plugin "Recorder": boom', queue: 'backoff' },
    { name: 'a rejection', status: unschedulable('not now'), reason: 'Unschedulable', message: 'not now', queue: 'backoff' },
  ];
  for (const f of failures) {
    test(`PreBind ${f.name}: no Bind, Unreserve, the assumption forgotten, the pod retried`, async () => {
      const s = setup(f.status);
      const pod = makePod({ name: 'p' });
      await scheduleOne(s, pod);
      assert.deepEqual(s.calls, ['reserve', 'preBind', 'unreserve']);
      assert.equal(s.cache.isAssumed(pod), false);
      assert.equal(s.cache.snapshot.get('a')!.pods.size, 0);
      assert.equal(s.queue.counts()[f.queue], 1);
      assert.deepEqual(s.reports, [`event Warning FailedScheduling: ${f.message}`, `condition ${f.reason}: ${f.message}`]);
    });
  }
});
