import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activeDeadlineLeftMs, computePodStatus, podPhase, sameStatus, terminatedReason, type ContainerView, type PodView } from './pod-status.js';

type Json = Record<string, any>;

const NOW = '2026-01-01T00:00:10Z';

function pod(spec: Json, status: Json = {}): Json {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'a', image: 'busybox' }], ...spec }, status };
}

const running = (name = 'a', extra: Partial<ContainerView> = {}): ContainerView => ({ name, image: 'busybox', restartCount: 0, state: { kind: 'running', startedAt: NOW }, ready: true, started: true, containerID: `id-${name}`, ...extra });
const exited = (name: string, exitCode: number, extra: Partial<ContainerView> = {}): ContainerView => ({ name, image: 'busybox', restartCount: 0, state: { kind: 'terminated', terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } }, ready: false, started: false, ...extra });
const waiting = (name: string, reason: string, extra: Partial<ContainerView> = {}): ContainerView => ({ name, image: 'busybox', restartCount: 0, state: { kind: 'waiting', reason }, ready: false, started: false, ...extra });

function view(containers: ContainerView[], initContainers: ContainerView[] = []): PodView {
  return { containers, initContainers, sandboxReady: true, podIp: '10.42.0.5', hostIp: '127.0.0.1', startTime: NOW };
}

describe('podPhase', () => {
  const cases: Array<{ name: string; spec?: Json; status?: Json; view: PodView; phase: string; terminating?: boolean }> = [
    { name: 'nothing created yet', view: view([]), phase: 'Pending' },
    { name: 'waiting on image', view: view([waiting('a', 'ErrImagePull')]), phase: 'Pending' },
    { name: 'running', view: view([running()]), phase: 'Running' },
    { name: 'crash looping (waiting with a last termination) stays Running', view: view([waiting('a', 'CrashLoopBackOff', { lastTerminated: { exitCode: 1, reason: 'Error' } })]), phase: 'Running' },
    { name: 'Never + exit 0', spec: { restartPolicy: 'Never' }, view: view([exited('a', 0)]), phase: 'Succeeded' },
    { name: 'Never + exit 1', spec: { restartPolicy: 'Never' }, view: view([exited('a', 1)]), phase: 'Failed' },
    { name: 'OnFailure + exit 0', spec: { restartPolicy: 'OnFailure' }, view: view([exited('a', 0)]), phase: 'Succeeded' },
    { name: 'OnFailure + exit 1 restarts', spec: { restartPolicy: 'OnFailure' }, view: view([exited('a', 1)]), phase: 'Running' },
    { name: 'Always + exit 0 restarts', view: view([exited('a', 0)]), phase: 'Running' },
    { name: 'init running', spec: { initContainers: [{ name: 'i' }] }, view: view([], [running('i')]), phase: 'Pending' },
    { name: 'init failed with Never', spec: { restartPolicy: 'Never', initContainers: [{ name: 'i' }] }, view: view([], [exited('i', 1)]), phase: 'Failed' },
    { name: 'init done, app running', spec: { initContainers: [{ name: 'i' }] }, view: view([running()], [exited('i', 0)]), phase: 'Running' },
    { name: 'terminal phase sticks', status: { phase: 'Succeeded' }, view: view([running()]), phase: 'Succeeded' },
    { name: 'deleted, Always, stopped by SIGTERM', terminating: true, view: view([exited('a', 143)]), phase: 'Failed' },
    { name: 'deleted, Always, exited 0 on SIGTERM', terminating: true, view: view([exited('a', 0)]), phase: 'Succeeded' },
    { name: 'deleted, still running', terminating: true, view: view([running()]), phase: 'Running' },
    { name: 'deleted before any container ran', terminating: true, view: view([waiting('a', 'ContainerCreating')]), phase: 'Pending' },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(podPhase(pod(c.spec ?? {}, c.status), c.view, { terminating: c.terminating }), c.phase));
  }
});

describe('computePodStatus', () => {
  test('running and ready pod', () => {
    const s = computePodStatus(pod({}, { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: 'T0' }] }), view([running()]), NOW);
    assert.equal(s.phase, 'Running');
    assert.equal(s.qosClass, 'BestEffort');
    assert.equal(s.podIP, '10.42.0.5');
    assert.deepEqual(s.hostIPs, [{ ip: '127.0.0.1' }]);
    const types = (s.conditions as Json[]).map((c) => `${c.type}=${c.status}`);
    assert.deepEqual(types, ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    const cs = (s.containerStatuses as Json[])[0];
    assert.deepEqual(cs.state, { running: { startedAt: NOW } });
    assert.equal(cs.containerID, 'crun://id-a');
    assert.deepEqual(cs.lastState, {});
  });

  test('not ready container gives ContainersNotReady', () => {
    const s = computePodStatus(pod({}), view([running('a', { ready: false })]), NOW);
    const ready = (s.conditions as Json[]).find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'ContainersNotReady');
    assert.equal(ready.message, 'containers with unready status: [a]');
  });

  test('readiness gates: Ready waits for the conditions others set; ContainersReady does not', () => {
    const gated = (conditions: Json[]) => pod({ readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/db' }] }, { conditions });
    const cond = (s: Json, type: string) => (s.conditions as Json[]).find((c) => c.type === type)!;
    const none = computePodStatus(gated([]), view([running()]), NOW);
    assert.equal(cond(none, 'ContainersReady').status, 'True');
    assert.deepEqual([cond(none, 'Ready').status, cond(none, 'Ready').reason, cond(none, 'Ready').message], ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/lb" does not exist., corresponding condition of pod readiness gate "example.com/db" does not exist.']);
    const half = computePodStatus(gated([{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/db', status: 'False' }]), view([running()]), NOW);
    assert.equal(cond(half, 'Ready').message, 'the status of pod readiness gate "example.com/db" is not "True", but False');
    const all = computePodStatus(gated([{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/db', status: 'True' }]), view([running()]), NOW);
    assert.equal(cond(all, 'Ready').status, 'True');
    // Unready containers are reported first, as the kubelet does.
    assert.equal(cond(computePodStatus(gated([]), view([running('a', { ready: false })]), NOW), 'Ready').reason, 'ContainersNotReady');
  });

  test('a pod the agent failed (activeDeadlineSeconds) is Failed with its reason and message', () => {
    const failure = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
    const s = computePodStatus(pod({}, { phase: 'Running' }), { ...view([exited('a', 137)]), failure }, NOW);
    assert.deepEqual([s.phase, s.reason, s.message], ['Failed', failure.reason, failure.message]);
  });

  test('containers not created yet are ContainerCreating, or PodInitializing behind init containers', () => {
    const plain = computePodStatus(pod({}), view([]), NOW);
    assert.equal((plain.containerStatuses as Json[])[0].state.waiting.reason, 'ContainerCreating');
    const init = computePodStatus(pod({ initContainers: [{ name: 'i', image: 'busybox' }] }), view([], [running('i')]), NOW);
    assert.equal((init.containerStatuses as Json[])[0].state.waiting.reason, 'PodInitializing');
    const initialized = (init.conditions as Json[]).find((c) => c.type === 'Initialized')!;
    assert.equal(initialized.message, 'containers with incomplete status: [i]');
  });

  test('a running sidecar init container initializes the pod and counts for readiness', () => {
    const spec = { initContainers: [{ name: 'side', image: 'busybox', restartPolicy: 'Always' }] };
    const unready = computePodStatus(pod(spec), view([running()], [running('side', { ready: false })]), NOW);
    assert.equal(unready.phase, 'Running');
    assert.equal((unready.conditions as Json[]).find((c) => c.type === 'Initialized')!.status, 'True');
    const ready = (unready.conditions as Json[]).find((c) => c.type === 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.message, 'containers with unready status: [side]');
    const all = computePodStatus(pod(spec), view([running()], [running('side')]), NOW);
    assert.equal((all.conditions as Json[]).find((c) => c.type === 'Ready')!.status, 'True');
    assert.equal((all.initContainerStatuses as Json[])[0].ready, true);
  });

  test('lastTransitionTime is kept while a condition keeps its status', () => {
    const old = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'EARLIER' }] };
    const s = computePodStatus(pod({}, old), view([running()]), NOW);
    assert.equal((s.conditions as Json[]).find((c) => c.type === 'Ready')!.lastTransitionTime, 'EARLIER');
    const s2 = computePodStatus(pod({}, old), view([running('a', { ready: false })]), NOW);
    assert.equal((s2.conditions as Json[]).find((c) => c.type === 'Ready')!.lastTransitionTime, NOW);
  });

  test('terminated state and lastState carry exit details', () => {
    const s = computePodStatus(pod({ restartPolicy: 'Never' }), view([exited('a', 137, { state: { kind: 'terminated', terminated: { exitCode: 137, reason: 'OOMKilled', containerID: 'c1' } }, lastTerminated: { exitCode: 1, reason: 'Error' } })]), NOW);
    const cs = (s.containerStatuses as Json[])[0];
    assert.equal(cs.state.terminated.reason, 'OOMKilled');
    assert.equal(cs.state.terminated.containerID, 'crun://c1');
    assert.equal(cs.lastState.terminated.exitCode, 1);
    assert.equal(s.phase, 'Failed');
    assert.equal((s.conditions as Json[]).find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
  });
});

test('sameStatus ignores key order and undefined', () => {
  assert.ok(sameStatus({ a: 1, b: [{ x: 1, y: 2 }] }, { b: [{ y: 2, x: 1 }], a: 1, c: undefined }));
  assert.ok(!sameStatus({ a: 1 }, { a: 2 }));
});

test('terminatedReason', () => {
  const cases: Array<[number, boolean, string]> = [[0, false, 'Completed'], [1, false, 'Error'], [137, true, 'OOMKilled'], [137, false, 'Error']];
  for (const [code, oom, reason] of cases) assert.equal(terminatedReason(code, oom), reason);
});

test('activeDeadlineLeftMs counts from the pod\'s start on the node', () => {
  const start = '2026-01-01T00:00:00Z';
  const t0 = Date.parse(start);
  assert.equal(activeDeadlineLeftMs({ activeDeadlineSeconds: 30 }, start, t0 + 10_000), 20_000);
  assert.equal(activeDeadlineLeftMs({ activeDeadlineSeconds: 30 }, start, t0 + 31_000), -1_000);
  assert.equal(activeDeadlineLeftMs({}, start, t0), undefined);
  assert.equal(activeDeadlineLeftMs({ activeDeadlineSeconds: 30 }, undefined, t0), undefined);
});
