import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, resolveCapabilities } from './capabilities.js';
import { buildOciSpec, DEFAULT_MASKED_PATHS, type ContainerSpecInput } from './oci-spec.js';
import { runtimeDefaultSeccomp } from './seccomp.js';
import { capabilitiesFromMask, fitSpecToAgent, parseAgentLimits } from './host-limits.js';

function input(overrides: Partial<ContainerSpecInput> = {}): ContainerSpecInput {
  return {
    id: 'c1', rootfsPath: '/r/merged', args: ['nginx', '-g', 'daemon off;'], env: ['PATH=/bin'], cwd: '/srv',
    hostname: 'web-0', tty: false, stdin: false, netnsPath: '/run/netns/kjb-abc', mounts: [],
    capabilities: { add: [], drop: [] }, privileged: false, readOnlyRootfs: false, cgroupsPath: '/kijabi/podu1/c1',
    resources: {}, seccomp: 'RuntimeDefault', noNewPrivileges: false, ...overrides,
  };
}

// The spec is plain JSON; index into it loosely in tests.
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const spec = (overrides: Partial<ContainerSpecInput> = {}): Json => buildOciSpec(input(overrides));

describe('resolveCapabilities', () => {
  const cases: Array<{ name: string; add: string[]; drop: string[]; privileged?: boolean; has: string[]; lacks: string[]; count?: number }> = [
    { name: 'defaults', add: [], drop: [], has: ['CAP_CHOWN', 'CAP_NET_RAW', 'CAP_AUDIT_WRITE'], lacks: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'], count: 14 },
    { name: 'add without prefix', add: ['NET_ADMIN'], drop: [], has: ['CAP_NET_ADMIN', 'CAP_CHOWN'], lacks: [], count: 15 },
    { name: 'drop one', add: [], drop: ['cap_net_raw'], has: ['CAP_CHOWN'], lacks: ['CAP_NET_RAW'], count: 13 },
    { name: 'drop ALL then add', add: ['NET_BIND_SERVICE'], drop: ['ALL'], has: ['CAP_NET_BIND_SERVICE'], lacks: ['CAP_CHOWN'], count: 1 },
    { name: 'add ALL then drop', add: ['ALL'], drop: ['CHOWN'], has: ['CAP_SYS_ADMIN'], lacks: ['CAP_CHOWN'], count: ALL_CAPABILITIES.length - 1 },
    { name: 'privileged ignores drops', add: [], drop: ['ALL'], privileged: true, has: ['CAP_SYS_ADMIN', 'CAP_CHOWN'], lacks: [], count: ALL_CAPABILITIES.length },
    { name: 'unknown names are ignored', add: ['NOT_A_CAP'], drop: [], has: [], lacks: ['CAP_NOT_A_CAP'], count: 14 },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const caps = resolveCapabilities({ add: tc.add, drop: tc.drop, privileged: tc.privileged ?? false });
      for (const c of tc.has) assert.ok(caps.includes(c), `has ${c}`);
      for (const c of tc.lacks) assert.ok(!caps.includes(c), `lacks ${c}`);
      if (tc.count !== undefined) assert.equal(caps.length, tc.count);
    });
  }
  test('Docker has 14 default capabilities', () => assert.equal(DEFAULT_CAPABILITIES.length, 14));
});

describe('buildOciSpec', () => {
  test('process section', () => {
    const s = spec({ user: { uid: 1000, gid: 2000, additionalGids: [3000] }, tty: true, noNewPrivileges: true });
    assert.equal(s.ociVersion, '1.0.2');
    assert.deepEqual(s.process.args, ['nginx', '-g', 'daemon off;']);
    assert.equal(s.process.terminal, true);
    assert.equal(s.process.cwd, '/srv');
    assert.deepEqual(s.process.user, { uid: 1000, gid: 2000, additionalGids: [3000] });
    assert.equal(s.process.noNewPrivileges, true);
    assert.deepEqual(s.process.capabilities.ambient, []);
    assert.equal(s.process.capabilities.bounding.length, 14);
    assert.deepEqual(s.process.capabilities.effective, s.process.capabilities.bounding);
    assert.deepEqual(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }]);
    assert.deepEqual(spec().process.user, { uid: 0, gid: 0 });
  });

  test('root, hostname, cgroups path and annotations', () => {
    const s = spec({ readOnlyRootfs: true, annotations: { 'io.kubernetes.pod.name': 'web-0' } });
    assert.deepEqual(s.root, { path: '/r/merged', readonly: true });
    assert.equal(s.hostname, 'web-0');
    assert.equal(s.linux.cgroupsPath, '/kijabi/podu1/c1');
    assert.deepEqual(s.annotations, { 'io.kubernetes.pod.name': 'web-0' });
    assert.equal(spec().annotations, undefined);
  });

  const namespaceCases: Array<{ name: string; over: Partial<ContainerSpecInput>; want: Array<{ type: string; path?: string }> }> = [
    { name: 'pod network by path', over: {}, want: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/kjb-abc' }] },
    { name: 'host network has no network namespace', over: { netnsPath: undefined }, want: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }] },
    { name: 'shared ipc and pid', over: { ipcNsPath: '/proc/10/ns/ipc', pidNsPath: '/proc/10/ns/pid' }, want: [{ type: 'pid', path: '/proc/10/ns/pid' }, { type: 'ipc', path: '/proc/10/ns/ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/kjb-abc' }] },
    { name: 'hostPID and hostIPC keep the node\'s', over: { hostPid: true, hostIpc: true }, want: [{ type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/kjb-abc' }] },
    { name: 'hostPID alone', over: { hostPid: true }, want: [{ type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/run/netns/kjb-abc' }] },
  ];
  for (const tc of namespaceCases) test(`namespaces: ${tc.name}`, () => assert.deepEqual(spec(tc.over).linux.namespaces, tc.want));

  test('system mounts first, caller mounts after, same destination replaced', () => {
    const s = spec({ mounts: [
      { destination: '/data', type: 'bind', source: '/var/lib/x', options: ['rbind', 'rw'] },
      { destination: '/dev/shm', type: 'bind', source: '/pod/shm', options: ['rbind'] },
    ] });
    const dests = s.mounts.map((m: Json) => m.destination);
    assert.deepEqual(dests, ['/proc', '/dev', '/dev/pts', '/dev/mqueue', '/sys', '/sys/fs/cgroup', '/data', '/dev/shm']);
    const plain = spec();
    const shm = plain.mounts.find((m: Json) => m.destination === '/dev/shm');
    assert.ok(shm.options.includes('size=65536k'));
    assert.ok(plain.mounts.find((m: Json) => m.destination === '/sys').options.includes('ro'));
    assert.ok(plain.mounts.find((m: Json) => m.destination === '/sys/fs/cgroup').options.includes('ro'));
  });

  test('resources only carry what was asked', () => {
    const s = spec({ resources: { memoryLimitBytes: 33554432, cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, pidsLimit: 64 } });
    assert.deepEqual(s.linux.resources.memory, { limit: 33554432 });
    assert.deepEqual(s.linux.resources.cpu, { shares: 512, quota: 50000, period: 100000 });
    assert.deepEqual(s.linux.resources.pids, { limit: 64 });
    const empty = spec().linux.resources;
    assert.deepEqual(Object.keys(empty), ['devices']);
    assert.deepEqual(empty.devices[0], { allow: false, access: 'rwm' });
    assert.ok(empty.devices.some((d: Json) => d.allow && d.major === 1 && d.minor === 3));
  });

  test('unprivileged: masked and read-only paths, seccomp', () => {
    const s = spec();
    assert.deepEqual(s.linux.maskedPaths, [...DEFAULT_MASKED_PATHS]);
    assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
    assert.equal(s.linux.seccomp.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(spec({ seccomp: 'Unconfined' }).linux.seccomp, undefined);
  });

  test('privileged: all caps, no masks, no seccomp, all devices, writable sysfs', () => {
    const s = spec({ privileged: true });
    assert.equal(s.process.capabilities.bounding.length, ALL_CAPABILITIES.length);
    assert.equal(s.linux.maskedPaths, undefined);
    assert.equal(s.linux.readonlyPaths, undefined);
    assert.equal(s.linux.seccomp, undefined);
    assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.ok(!s.mounts.find((m: Json) => m.destination === '/sys').options.includes('ro'));
  });
});

describe('runtimeDefaultSeccomp', () => {
  const allowedNames = (caps: readonly string[]): Set<string> =>
    new Set(runtimeDefaultSeccomp(caps).syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));
  const cases: Array<{ name: string; caps: readonly string[]; allowed: string[]; denied: string[] }> = [
    { name: 'default caps', caps: DEFAULT_CAPABILITIES, allowed: ['read', 'write', 'execve', 'chroot', 'socket', 'arch_prctl'], denied: ['mount', 'unshare', 'setns', 'reboot', 'kexec_load', 'init_module', 'clone', 'bpf', 'keyctl'] },
    { name: 'with SYS_ADMIN', caps: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], allowed: ['mount', 'unshare', 'setns', 'clone', 'clone3'], denied: ['reboot', 'kexec_load'] },
    { name: 'without SYS_CHROOT', caps: ['CAP_CHOWN'], allowed: ['read'], denied: ['chroot'] },
    { name: 'with SYS_BOOT', caps: ['CAP_SYS_BOOT'], allowed: ['reboot'], denied: ['mount'] },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const allowed = allowedNames(tc.caps);
      for (const n of tc.allowed) assert.ok(allowed.has(n), `allows ${n}`);
      for (const n of tc.denied) assert.ok(!allowed.has(n), `denies ${n}`);
    });
  }
  test('clone is filtered on namespace flags without SYS_ADMIN; clone3 reports ENOSYS', () => {
    const profile = runtimeDefaultSeccomp(DEFAULT_CAPABILITIES);
    assert.equal(profile.defaultErrnoRet, 1);
    assert.deepEqual(profile.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const clone = profile.syscalls.find((r) => r.names.includes('clone'));
    assert.equal(clone?.args?.[0]?.op, 'SCMP_CMP_MASKED_EQ');
    assert.equal(profile.syscalls.find((r) => r.names.includes('clone3'))?.errnoRet, 38);
    assert.equal(profile.syscalls.filter((r) => r.names.includes('personality')).length, 5);
  });
});

describe('fitting a spec to the agent', () => {
  test('capability masks decode by bit', () => {
    assert.deepEqual([...capabilitiesFromMask('5')], ['CAP_CHOWN', 'CAP_DAC_READ_SEARCH']);
    assert.equal(capabilitiesFromMask('000001fffeffffff').has('CAP_SYS_RESOURCE'), false);
    assert.equal(capabilitiesFromMask('000001ffffffffff').size, ALL_CAPABILITIES.length);
  });
  const limitsText = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n';
  const cases: Array<{ name: string; status: string; want?: number; keepsSysAdmin: boolean }> = [
    { name: 'no SYS_RESOURCE: clamp to the hard limit', status: 'CapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\n', want: 20000, keepsSysAdmin: true },
    { name: 'full caps: keep 1048576', status: 'CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n', want: 1048576, keepsSysAdmin: true },
    { name: 'no SYS_ADMIN in bounding set: dropped', status: 'CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffdfffff\n', want: 1048576, keepsSysAdmin: false },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const s = fitSpecToAgent(buildOciSpec(input({ privileged: true })), parseAgentLimits(tc.status, limitsText)) as Json;
      assert.equal(s.process.rlimits[0].hard, tc.want);
      assert.equal(s.process.capabilities.bounding.includes('CAP_SYS_ADMIN'), tc.keepsSysAdmin);
    });
  }
});
