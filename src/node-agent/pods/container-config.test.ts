import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, afterRetry, formatDuration, NO_BACKOFF } from './backoff.js';
import { renderLog } from './container-logs.js';
import { clusterDnsIp, containerArgs, containerResources, hostsFile, nonRootViolation, podSysctls, resolvConf, resolveUser } from './container-config.js';
import { effectivePullPolicy, parseDockerConfig } from './image-puller.js';

type Json = Record<string, unknown>;

describe('containerArgs (Kubernetes command/args rules)', () => {
  const image = { entrypoint: ['/entry'], cmd: ['default'] };
  const cases: Array<{ name: string; container: Record<string, unknown>; env?: string[]; want: string[] }> = [
    { name: 'image defaults', container: {}, want: ['/entry', 'default'] },
    { name: 'args replace cmd', container: { args: ['x'] }, want: ['/entry', 'x'] },
    { name: 'command replaces both', container: { command: ['sh', '-c'], args: ['echo'] }, want: ['sh', '-c', 'echo'] },
    { name: 'command without args drops image cmd', container: { command: ['sleep'] }, want: ['sleep'] },
    { name: '$(VAR) expands, $$ escapes, unknown stays', container: { command: ['echo', '$(A)', '$$(A)', '$(B)'] }, env: ['A=1'], want: ['echo', '1', '$(A)', '$(B)'] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(containerArgs(c.container, image, c.env), c.want));
});

describe('containerResources', () => {
  const cases: Array<{ name: string; resources: Record<string, unknown>; want: Record<string, number | undefined> }> = [
    { name: 'none', resources: {}, want: { cpuShares: 2 } },
    { name: 'requests only', resources: { requests: { cpu: '250m' } }, want: { cpuShares: 256 } },
    { name: 'limits', resources: { limits: { cpu: '500m', memory: '64Mi' } }, want: { cpuShares: 512, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitBytes: 67108864 } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(containerResources({ resources: c.resources }), c.want));
});

describe('resolveUser', () => {
  const files = { passwd: 'root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\n', group: 'root:x:0:\nstaff:x:50:\n' };
  const cases: Array<{ name: string; pod?: Record<string, unknown>; container?: Record<string, unknown>; imageUser?: string; want: unknown }> = [
    { name: 'default root', want: { uid: 0, gid: 0 } },
    { name: 'image user by name', imageUser: 'app', want: { uid: 1000, gid: 1001 } },
    { name: 'image uid:group', imageUser: '7:staff', want: { uid: 7, gid: 50 } },
    { name: 'runAsUser looks up the gid', container: { securityContext: { runAsUser: 1000 } }, want: { uid: 1000, gid: 1001 } },
    { name: 'container over pod, runAsGroup, fsGroup', pod: { spec: { securityContext: { runAsUser: 5, fsGroup: 9 } } }, container: { securityContext: { runAsGroup: 6 } }, want: { uid: 5, gid: 6, additionalGids: [9] } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(resolveUser(c.pod ?? {}, c.container ?? {}, c.imageUser, files), c.want));
});

test('resolv.conf per dnsPolicy', () => {
  const p = (spec: Record<string, unknown>) => ({ metadata: { name: 'p', namespace: 'team' }, spec });
  const host = 'nameserver 1.1.1.1\nsearch example.org\n';
  assert.equal(resolvConf(p({}), { dnsIp: '10.43.0.10', hostResolv: host }), 'nameserver 10.43.0.10\nsearch team.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
  assert.equal(resolvConf(p({ dnsPolicy: 'Default' }), { dnsIp: '10.43.0.10', hostResolv: host }), 'nameserver 1.1.1.1\nsearch example.org\n');
  assert.equal(resolvConf(p({ hostNetwork: true }), { dnsIp: '10.43.0.10', hostResolv: host }), 'nameserver 1.1.1.1\nsearch example.org\n');
  assert.equal(resolvConf(p({ dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'], options: [{ name: 'ndots', value: '2' }] } }), { dnsIp: 'x', hostResolv: host }), 'nameserver 9.9.9.9\noptions ndots:2\n');
  assert.equal(clusterDnsIp('10.43.0.0/16'), '10.43.0.10');
});

test('/etc/hosts has the pod IP, subdomain FQDN and host aliases', () => {
  const text = hostsFile({ metadata: { name: 'web-0', namespace: 'ns' }, spec: { subdomain: 'web', hostAliases: [{ ip: '1.2.3.4', hostnames: ['a', 'b'] }] } }, '10.42.0.9');
  assert.match(text, /^10\.42\.0\.9\tweb-0\.web\.ns\.svc\.cluster\.local\tweb-0$/m);
  assert.match(text, /^1\.2\.3\.4\ta\tb$/m);
});

test('CrashLoopBackOff: immediate first retry, then doubling to the cap, reset after a long run', () => {
  const policy = { baseMs: 10, capMs: 40, resetAfterMs: 1000 };
  let s = afterFailure(NO_BACKOFF, policy, 100);
  assert.equal(s.notBeforeMs, 100);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    s = afterRetry(s, policy);
    s = afterFailure(s, policy, 200);
    delays.push(s.notBeforeMs - 200);
  }
  assert.deepEqual(delays, [10, 20, 40, 40]);
  assert.equal(afterFailure(s, policy, 500, 5000).notBeforeMs, 500);
  assert.equal(formatDuration(10_000), '10s');
  assert.equal(formatDuration(80_000), '1m20s');
});

test('CRI log rendering: prefix stripped, partial lines joined, tail and timestamps', () => {
  const log = [
    '2026-01-01T00:00:01.000000000Z stdout F one',
    '2026-01-01T00:00:02.000000000Z stdout P tw',
    '2026-01-01T00:00:02.100000000Z stdout F o',
    '2026-01-01T00:00:03.000000000Z stderr F three',
    '',
  ].join('\n');
  assert.equal(renderLog(log, { timestamps: false }), 'one\ntwo\nthree\n');
  assert.equal(renderLog(log, { timestamps: false, tailLines: 2 }), 'two\nthree\n');
  assert.equal(renderLog(log, { timestamps: false, sinceMs: Date.parse('2026-01-01T00:00:02.5Z') }), 'three\n');
  assert.equal(renderLog(log, { timestamps: false, limitBytes: 5 }), 'one\nt');
  assert.equal(renderLog(log, { timestamps: true, tailLines: 1 }), '2026-01-01T00:00:03.000000000Z three\n');
});

test('image pull policy defaults and dockerconfigjson credentials', () => {
  assert.equal(effectivePullPolicy({ image: 'busybox' }), 'Always');
  assert.equal(effectivePullPolicy({ image: 'busybox:1.36' }), 'IfNotPresent');
  assert.equal(effectivePullPolicy({ image: '127.0.0.1:5000/busybox' }), 'Always');
  assert.equal(effectivePullPolicy({ image: 'busybox', imagePullPolicy: 'Never' }), 'Never');
  const auths = parseDockerConfig(JSON.stringify({ auths: { 'https://reg.example:5000/v1/': { username: 'u', password: 'p', auth: 'dTpw' } } }));
  assert.deepEqual(auths, [{ registry: 'reg.example:5000', username: 'u', password: 'p', auth: 'dTpw' }]);
});

describe('runAsNonRoot', () => {
  const pod = (sc: Json = {}) => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { securityContext: sc, containers: [] } }) as Json;
  const container = (sc: Json = {}) => ({ name: 'main', securityContext: sc }) as Json;
  const cases: Array<{ name: string; pod: Json; container: Json; imageUser?: string; want?: RegExp }> = [
    { name: 'not asked: anything runs', pod: pod(), container: container(), imageUser: undefined },
    { name: 'image root (no USER)', pod: pod({ runAsNonRoot: true }), container: container(), imageUser: undefined, want: /^container has runAsNonRoot and image will run as root \(pod: "p_ns\(u1\)", container: main\)$/ },
    { name: 'image USER 0:0', pod: pod(), container: container({ runAsNonRoot: true }), imageUser: '0:0', want: /image will run as root/ },
    { name: 'image USER by name', pod: pod({ runAsNonRoot: true }), container: container(), imageUser: 'nginx', want: /image has non-numeric user \(nginx\), cannot verify user is non-root/ },
    { name: 'image USER 101', pod: pod({ runAsNonRoot: true }), container: container(), imageUser: '101' },
    { name: 'runAsUser 1000 wins over a root image', pod: pod({ runAsNonRoot: true, runAsUser: 1000 }), container: container(), imageUser: undefined },
    { name: 'runAsUser 0', pod: pod({ runAsNonRoot: true }), container: container({ runAsUser: 0 }), imageUser: '1000', want: /^container's runAsUser breaks non-root policy/ },
    { name: 'container false overrides pod true', pod: pod({ runAsNonRoot: true }), container: container({ runAsNonRoot: false }), imageUser: undefined },
  ];
  for (const tc of cases) {
    test(tc.name, () => {
      const got = nonRootViolation(tc.pod, tc.container, tc.imageUser);
      if (tc.want) assert.match(got ?? '', tc.want);
      else assert.equal(got, undefined);
    });
  }
});

describe('sysctls', () => {
  const pod = (sysctls: Json[], extra: Json = {}) => ({ spec: { securityContext: { sysctls }, ...extra } }) as Json;
  test('safe ones become the OCI spec\'s, with / written as .', () => {
    assert.deepEqual(podSysctls(pod([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }, { name: 'kernel/shm_rmid_forced', value: '1' }])), { 'net.ipv4.ip_unprivileged_port_start': '80', 'kernel.shm_rmid_forced': '1' });
    assert.deepEqual(podSysctls({ spec: {} }), {});
  });
  test('unsafe ones, and network or IPC ones of host-namespace pods, are refused by name', () => {
    assert.throws(() => podSysctls(pod([{ name: 'kernel.msgmax', value: '1' }])), /^Error: Pod forbidden sysctl: "kernel.msgmax" not allowlisted$/);
    assert.throws(() => podSysctls(pod([{ name: 'net.ipv4.tcp_syncookies', value: '1' }], { hostNetwork: true })), /not allowed with host net enabled/);
    assert.throws(() => podSysctls(pod([{ name: 'kernel.shm_rmid_forced', value: '1' }], { hostIPC: true })), /not allowed with host ipc enabled/);
  });
});
