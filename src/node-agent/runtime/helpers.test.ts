import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { parseFlatKeyed, workingSetBytes } from './cgroups.js';
import { conmonArgs, parseSyncMessage } from './conmon.js';
import { execProcessSpec, mergeEnv, signalExitCode } from './exec.js';
import { mountedV1Controllers } from './host-setup.js';
import { overlayOptions } from './rootfs.js';

describe('conmon', () => {
  const cases: Array<{ text: string; want: ReturnType<typeof parseSyncMessage> }> = [
    { text: '{"data": 4242}\n', want: { pid: 4242 } },
    { text: '{"data": -1, "message": "executable file not found"}', want: { error: 'executable file not found' } },
    { text: '{"data": 4', want: undefined },
    { text: 'garbage', want: undefined },
  ];
  for (const tc of cases) test(`sync message ${JSON.stringify(tc.text)}`, () => assert.deepEqual(parseSyncMessage(tc.text), tc.want));

  test('arguments pass --root to the runtime and tty/stdin flags only when asked', () => {
    const base = { conmonPath: '/usr/bin/conmon', runtimePath: '/usr/bin/crun', runtimeRoot: '/a/crun', id: 'c1', bundleDir: '/b', containerDir: '/a/containers/c1', exitDir: '/a/exits', logPath: '/l/0.log', tty: false, stdin: false };
    const args = conmonArgs(base);
    assert.deepEqual(args.slice(args.indexOf('--runtime-arg'), args.indexOf('--runtime-arg') + 4), ['--runtime-arg', '--root', '--runtime-arg', '/a/crun']);
    assert.equal(args[args.indexOf('-l') + 1], 'k8s-file:/l/0.log');
    assert.equal(args[args.indexOf('--persist-dir') + 1], '/a/containers/c1/persist');
    assert.ok(!args.includes('-t') && !args.includes('-i'));
    const tty = conmonArgs({ ...base, tty: true, stdin: true, logSizeMax: 1000 });
    assert.ok(tty.includes('-t') && tty.includes('-i'));
    assert.equal(tty[tty.indexOf('--log-size-max') + 1], '1000');
  });
});

describe('cgroups', () => {
  test('working set subtracts inactive file cache, never below zero', () => {
    const stat = parseFlatKeyed('cache 100\ntotal_inactive_file 4096\nrss 10\n');
    assert.equal(stat.get('rss'), 10);
    assert.equal(workingSetBytes(10000, stat), 5904);
    assert.equal(workingSetBytes(1000, stat), 0);
    assert.equal(workingSetBytes(1000, new Map()), 1000);
  });
  test('oom_control', () => assert.equal(parseFlatKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n').get('oom_kill'), 2));
});

describe('exec process', () => {
  test('env overrides by name, keeps order', () => {
    assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1'], ['A=2', 'B=3']), ['PATH=/bin', 'A=2', 'B=3']);
  });
  test('process spec keeps the container identity and replaces args/cwd', () => {
    const container = { terminal: false, user: { uid: 7, gid: 7 }, args: ['sleep'], env: ['PATH=/bin'], cwd: '/app', capabilities: { bounding: ['CAP_KILL'] } };
    const spec = execProcessSpec(container, ['ls'], { tty: true, stdin: false, env: ['X=1'] });
    assert.deepEqual(spec, { ...container, terminal: true, args: ['ls'], env: ['PATH=/bin', 'X=1'], cwd: '/app' });
    assert.equal(execProcessSpec(container, ['ls'], { tty: false, stdin: false, cwd: '/tmp' }).cwd, '/tmp');
  });
  const signalCases: Array<{ code: number | null; signal: NodeJS.Signals | null; want: number }> = [
    { code: 3, signal: null, want: 3 },
    { code: null, signal: 'SIGKILL', want: 137 },
    { code: null, signal: 'SIGTERM', want: 143 },
  ];
  for (const tc of signalCases) test(`exit code ${tc.code}/${tc.signal}`, () => assert.equal(signalExitCode(tc.code, tc.signal), tc.want));
});

describe('host', () => {
  test('v1 controllers come from cgroup mount options', () => {
    const mounts = [
      'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0',
      'cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid 0 0',
    ].join('\n');
    const got = mountedV1Controllers(mounts);
    assert.ok(got.has('cpu') && got.has('cpuacct') && got.has('memory'));
    assert.ok(!got.has('pids'));
  });
});

describe('overlay options', () => {
  test('lowers are given lowest first and written topmost first', () => {
    assert.equal(overlayOptions(['/l/base', '/l/top'], '/c/u', '/c/w'), 'lowerdir=/l/top:/l/base,upperdir=/c/u,workdir=/c/w');
  });
  test('refuses option strings over one page and empty lowers', () => {
    assert.throws(() => overlayOptions(Array.from({ length: 300 }, (_, i) => `/var/lib/kijabi/agent/images/layers/${i}`), '/u', '/w'), /4096/);
    assert.throws(() => overlayOptions([], '/u', '/w'), /at least one/);
  });
});
