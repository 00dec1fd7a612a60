import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directLaunch } from './direct-launch.js';
import { JSON_XS_INSTALL, LauncherClient, LauncherExitedError, LauncherUnavailableError, PERL_LAUNCHER_COMMAND } from './launcher-client.js';
import { LaunchError, type LaunchRequest, type LaunchResult } from './launch-types.js';
import { runCommand } from '../network/exec.js';
import { createVethPair, getLink, linkIndexOf, replaceAddress, replaceDefaultRoute, setHairpin, setMaster, setUp, type NetlinkMessage } from '../network/netlink.js';
import { networkTestSkipReason, removeNetns } from '../../../test/support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'kjb-launcher-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const cases: { name: string; request: LaunchRequest; expect: Partial<LaunchResult> }[] = [
  { name: 'exit 0 with stdout', request: { argv: ['/bin/echo', 'hello'] }, expect: { exitCode: 0, stdout: 'hello\n', stderr: '' } },
  { name: 'exit code and stderr', request: { argv: ['sh', '-c', 'echo oops >&2; exit 3'] }, expect: { exitCode: 3, stdout: '', stderr: 'oops\n' } },
  { name: 'stdin text', request: { argv: ['cat'], stdin: 'line one\nzwei ü\n' }, expect: { exitCode: 0, stdout: 'line one\nzwei ü\n' } },
  { name: 'large stdin', request: { argv: ['wc', '-c'], stdin: 'x'.repeat(1 << 20) }, expect: { exitCode: 0, stdout: `${1 << 20}\n` } },
  { name: 'no stdin is /dev/null', request: { argv: ['cat'] }, expect: { exitCode: 0, stdout: '' } },
  { name: 'cwd and env', request: { argv: ['sh', '-c', 'pwd; echo "$KJB_X"'], cwd: '/tmp', env: { KJB_X: 'set' } }, expect: { stdout: '/tmp\nset\n' } },
  { name: 'killed by a signal', request: { argv: ['sh', '-c', 'kill -TERM $$'] }, expect: { exitCode: null, signal: 'SIGTERM' } },
  { name: 'output bounded', request: { argv: ['sh', '-c', 'printf 0123456789'], maxOutputBytes: 4 }, expect: { stdout: '0123', truncated: true } },
  { name: 'timeout kills the child', request: { argv: ['sleep', '30'], timeoutMs: 100 }, expect: { timedOut: true, signal: 'SIGKILL' } },
];

for (const [label, makeRunner] of [
  ['launcher', () => new LauncherClient()],
  ['direct spawn', () => ({ run: directLaunch, close: () => undefined })],
] as const) {
  describe(`helper launch via ${label}`, () => {
    const runner = makeRunner();
    after(() => runner.close());

    for (const c of cases) {
      test(c.name, async () => {
        const result = await runner.run(c.request);
        for (const [key, value] of Object.entries(c.expect)) assert.deepEqual(result[key as keyof LaunchResult], value, key);
      });
    }

    test('a program that does not exist rejects with ENOENT', async () => {
      await assert.rejects(runner.run({ argv: ['/nonexistent/kjb-helper'] }), (err: unknown) => err instanceof LaunchError && err.code === 'ENOENT');
    });

    test('a missing cwd rejects with ENOENT', async () => {
      await assert.rejects(runner.run({ argv: ['true'], cwd: join(dir, 'missing') }), (err: unknown) => err instanceof LaunchError && err.code === 'ENOENT');
    });

    test('stdout and stderr appended to a file, sync message on fd 3', async () => {
      const file = join(dir, `out-${label.replace(' ', '-')}`);
      const result = await runner.run({
        argv: ['sh', '-c', 'echo out; echo err >&2; echo "{\\"data\\": 42}" >&$FD'],
        env: { FD: '3' },
        stdout: { file },
        stderr: { file },
        syncPipe: true,
      });
      assert.equal(result.exitCode, 0);
      assert.match(result.sync ?? '', /\{"data": 42\}/);
      assert.equal(readFileSync(file, 'utf8'), 'out\nerr\n');
    });

    test('50 requests in flight at once', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => runner.run({ argv: ['sh', '-c', 'echo "$0"; exit $(($0 % 7))', String(i)] })));
      results.forEach((r, i) => {
        assert.equal(r.stdout, `${i}\n`);
        assert.equal(r.exitCode, i % 7);
      });
    });
  });
}

describe('launcher lifecycle', () => {
  test('launcher killed mid-flight: in-flight requests reject, the next request starts a new one', async () => {
    const client = new LauncherClient();
    try {
      await client.run({ argv: ['true'] });
      const first = client.pid!;
      const pidFile = join(dir, 'inflight.pid');
      const inFlight = client.run({ argv: ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`], timeoutMs: 60_000 });
      await until(() => {
        try {
          return readFileSync(pidFile, 'utf8').trim() !== '';
        } catch {
          return false;
        }
      });
      process.kill(first, 'SIGKILL');
      await assert.rejects(inFlight, (err: unknown) => err instanceof LauncherExitedError && /killed by SIGKILL while running sh/.test(err.message));
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      const next = await client.run({ argv: ['/bin/echo', 'again'] });
      assert.equal(next.stdout, 'again\n');
      assert.notEqual(client.pid, first);
    } finally {
      client.close();
    }
  });

  test('a detached child outlives the launcher, in its own session', async () => {
    const client = new LauncherClient();
    const result = await client.run({ argv: ['sh', '-c', 'sleep 30 & echo "{\\"data\\": $!}" >&3'], detached: true, syncPipe: true, stdout: 'null', stderr: 'null' });
    const sleeper = (JSON.parse(/\{[^{}]*\}/.exec(result.sync ?? '')![0]) as { data: number }).data;
    const launcherPid = client.pid!;
    try {
      client.close();
      await until(() => !alive(launcherPid));
      assert.ok(alive(sleeper), 'the detached child still runs');
      const stat = readFileSync(`/proc/${sleeper}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ownSession = readFileSync('/proc/self/stat', 'utf8');
      assert.notEqual(fields[3], ownSession.slice(ownSession.lastIndexOf(')') + 2).split(' ')[3], 'not in the agent session');
    } finally {
      process.kill(sleeper, 'SIGKILL');
    }
  });

  test('JSON::XS when perl has it; without it the core JSON::PP serves the same requests, with a hint', async () => {
    const hasXs = spawnSync('/usr/bin/perl', ['-MJSON::XS', '-e', '1']).status === 0;
    const usual = new LauncherClient();
    try {
      await usual.run({ argv: ['true'] });
      assert.equal(usual.jsonModule, hasXs ? 'JSON::XS' : 'JSON::PP');
    } finally {
      usual.close();
    }
    // A JSON/XS.pm that fails to load stands for a machine without libjson-xs-perl.
    const fakeLib = join(dir, 'no-json-xs');
    mkdirSync(join(fakeLib, 'JSON'), { recursive: true });
    writeFileSync(join(fakeLib, 'JSON', 'XS.pm'), 'die "not installed\\n";\n');
    const diagnostics: string[] = [];
    const [perl, ...rest] = PERL_LAUNCHER_COMMAND;
    const fallback = new LauncherClient({ command: [perl!, `-I${fakeLib}`, ...rest], onDiagnostic: (line) => diagnostics.push(line) });
    try {
      const result = await fallback.run({ argv: ['sh', '-c', 'cat; echo "{\\"data\\": 7}" >&3'], stdin: 'zwei ü\n', syncPipe: true });
      assert.equal(fallback.jsonModule, 'JSON::PP');
      assert.equal(result.stdout, 'zwei ü\n');
      assert.match(result.sync ?? '', /\{"data": 7\}/);
      const timedOut = await fallback.run({ argv: ['sleep', '30'], timeoutMs: 50 });
      assert.equal(timedOut.timedOut, true);
      assert.ok(diagnostics.some((line) => line.includes(JSON_XS_INSTALL)), diagnostics.join('\n'));
    } finally {
      fallback.close();
    }
  });

  test('a launcher that cannot start reports itself unavailable', async () => {
    for (const command of [['/nonexistent/perl'], ['/usr/bin/perl', '-e', 'exit 1']]) {
      const client = new LauncherClient({ command });
      await assert.rejects(client.run({ argv: ['true'] }), LauncherUnavailableError);
    }
  });
});

describe('launcher system calls (root)', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  const netns = `kjb-lt-${process.pid}`;
  const netnsPath = `/run/netns/${netns}`;
  const launcher = new LauncherClient();
  after(async () => {
    launcher.close();
    await directLaunch({ argv: ['ip', 'netns', 'del', netns] }).catch(() => undefined);
  });

  for (const [label, run] of [
    ['launcher', (r: LaunchRequest) => launcher.run(r)],
    ['direct spawn', directLaunch],
  ] as const) {
    test(`a helper runs in the requested network namespace (${label})`, async () => {
      if (!existsSync(netnsPath)) assert.equal((await directLaunch({ argv: ['ip', 'netns', 'add', netns] })).exitCode, 0);
      const inside = await run({ argv: ['readlink', '/proc/self/ns/net'], netns: netnsPath });
      assert.equal(inside.stdout.trim(), `net:[${statSync(netnsPath).ino}]`);
      const outside = await run({ argv: ['readlink', '/proc/self/ns/net'] });
      assert.notEqual(outside.stdout.trim(), inside.stdout.trim());
    });
  }

  test('a network namespace that does not exist rejects with ENOENT', async () => {
    await assert.rejects(launcher.run({ argv: ['true'], netns: '/run/netns/kjb-no-such-ns' }), (err: unknown) => err instanceof LaunchError && err.code === 'ENOENT' && /setns/.test(err.message));
  });

  test('mount and umount2 without a process: a tmpfs comes and goes', async () => {
    const target = mkdtempSync(join(dir, 'mnt-'));
    const before = statSync(target).dev;
    await launcher.mount({ mount: { source: 'kjb-test', target, fstype: 'tmpfs', data: 'size=1m,mode=0700' } });
    try {
      assert.notEqual(statSync(target).dev, before, 'a new filesystem at the target');
      assert.equal(statSync(target).mode & 0o777, 0o700, 'mount data reached the kernel');
      writeFileSync(join(target, 'f'), 'x');
    } finally {
      await launcher.mount({ umount: { target } });
    }
    assert.equal(statSync(target).dev, before);
    assert.equal(existsSync(join(target, 'f')), false);
  });

  test('a refused mount rejects with the errno name', async () => {
    await assert.rejects(launcher.mount({ mount: { source: 'x', target: join(dir, 'missing-mountpoint'), fstype: 'tmpfs' } }), (err: unknown) => err instanceof LaunchError && err.code === 'ENOENT');
    await assert.rejects(launcher.mount({ umount: { target: dir } }), (err: unknown) => err instanceof LaunchError && err.code === 'EINVAL');
  });
});

describe('launcher netlink and network namespaces', { skip: networkTestSkipReason() }, () => {
  const suffix = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
  const nodeName = `kjb-tn${suffix}`;
  const podName = `kjb-tp${suffix}`;
  const netns = (name: string) => `/run/netns/${name}`;
  const client = new LauncherClient({ onDiagnostic: () => undefined });
  const wired = (m: NetlinkMessage) => ({ hex: m.bytes.toString('hex'), nsfdAt: m.nsfdAt, describe: m.describe });
  after(async () => {
    client.close();
    for (const name of [podName, nodeName]) await removeNetns(name);
  });

  test('creates namespaces, wires a veth onto a bridge and configures the pod side without ip', async () => {
    await client.newNetns(netns(nodeName));
    await client.newNetns(netns(podName));
    await assert.rejects(client.newNetns(netns(podName)), (err: unknown) => err instanceof LaunchError && err.code === 'EEXIST');
    await runCommand(['ip', '-n', nodeName, 'link', 'add', 'kjbt0', 'type', 'bridge']);
    await runCommand(['ip', '-n', nodeName, 'addr', 'add', '10.99.0.1/24', 'dev', 'kjbt0']);
    await runCommand(['ip', '-n', nodeName, 'link', 'set', 'kjbt0', 'up']);
    const [bridgeReply] = await client.netlink([wired(getLink('kjbt0'))], { netns: netns(nodeName) });
    const bridge = linkIndexOf(Buffer.from(bridgeReply![0]!, 'hex'));
    await client.netlink([createVethPair('kjvtest', 'eth0'), setMaster('kjvtest', bridge), setHairpin('kjvtest'), setUp('kjvtest')].map(wired), { netns: netns(nodeName), nsfd: netns(podName) });
    const [eth0Reply] = await client.netlink([wired(getLink('eth0'))], { netns: netns(podName) });
    const eth0 = linkIndexOf(Buffer.from(eth0Reply![0]!, 'hex'));
    await client.netlink([setUp('lo'), replaceAddress(eth0, '10.99.0.5', 24), setUp('eth0'), replaceDefaultRoute(eth0, '10.99.0.1')].map(wired), { netns: netns(podName) });

    const host = JSON.parse((await runCommand(['ip', '-n', nodeName, '-j', '-d', 'link', 'show', 'kjvtest'])).stdout)[0];
    assert.equal(host.master, 'kjbt0');
    assert.equal(host.linkinfo.info_slave_data.hairpin, true);
    assert.ok(host.flags.includes('UP'));
    const pod = JSON.parse((await runCommand(['ip', '-n', podName, '-j', 'addr', 'show', 'dev', 'eth0'])).stdout)[0];
    assert.ok(pod.addr_info.some((a: { local: string; prefixlen: number }) => a.local === '10.99.0.5' && a.prefixlen === 24));
    assert.match((await runCommand(['ip', '-n', podName, 'route', 'show', 'default'])).stdout, /default via 10\.99\.0\.1 dev eth0/);
    const ping = await runCommand(['ip', 'netns', 'exec', podName, 'busybox', 'ping', '-c1', '-W2', '10.99.0.1']);
    assert.match(ping.stdout, /1 packets received/);
    // The launcher came back to its own namespace: a helper it starts sees the host's links.
    const ownLinks = await client.run({ argv: ['ip', '-o', 'link'] });
    assert.doesNotMatch(ownLinks.stdout, /kjvtest|kjbt0/);
    // A refused message names itself and the errno.
    await assert.rejects(client.netlink([wired(createVethPair('kjvtest', 'eth1'))], { netns: netns(nodeName), nsfd: netns(podName) }), (err: unknown) => err instanceof LaunchError && err.code === 'EEXIST' && /link add kjvtest type veth peer name eth1/.test(err.message));
  });
});
