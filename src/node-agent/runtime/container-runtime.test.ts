// Real containers: crun (or runc) under conmon, busybox rootfs on overlay, a private netns per run.
// Skips when not root or when crun/conmon/busybox-static are missing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Readable } from 'node:stream';

import { buildBusyboxRootfs, busyboxStaticAvailable } from '../../../test/support/busybox-rootfs.js';
import { ContainerRuntime } from './container-runtime.js';
import { findExecutable } from './host-setup.js';
import { buildOciSpec, type ContainerSpecInput } from './oci-spec.js';
import { isMounted, mountOverlay, unmount } from './rootfs.js';
import { removeCgroup } from './cgroups.js';
import { loadPty } from './exec.js';
import { helperProcessStats } from '../process-limit.js';

const run = promisify(execFile);

async function skipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to run containers';
  if (!(await findExecutable('crun')) && !(await findExecutable('runc'))) return 'crun/runc not installed (apt-get install -y crun)';
  if (!(await findExecutable('conmon'))) return 'conmon not installed (apt-get install -y conmon)';
  if (!(await busyboxStaticAvailable())) return 'busybox-static not installed (apt-get install -y busybox-static)';
  return undefined;
}

const reason = await skipReason();
if (reason) console.log(`# container-runtime tests skipped: ${reason}`);

function collect(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve(text));
  });
}

describe('ContainerRuntime with real crun', { skip: reason }, () => {
  const suffix = randomBytes(4).toString('hex');
  const netns = `kjb-t-${suffix}`;
  const cgroupPrefix = `/kijabi/test-${suffix}`;
  let work: string;
  let lower: string;
  let runtime: ContainerRuntime;
  const created: Array<{ id: string; merged: string }> = [];

  before(async () => {
    const host = await ContainerRuntime.checkHost();
    assert.ok(host.runtime, `no runtime: ${JSON.stringify(host.missing)}`);
    work = await mkdtemp('/tmp/kjbrt-');
    lower = await buildBusyboxRootfs(join(work, 'lower'));
    await run('ip', ['netns', 'add', netns]);
    // KIJABI_TEST_RUNTIME=/usr/sbin/runc runs the same suite against runc.
    runtime = new ContainerRuntime({ root: join(work, 'agent'), runtimePath: process.env.KIJABI_TEST_RUNTIME ?? host.runtime, conmonPath: host.conmon });
  });

  after(async () => {
    for (const c of created) {
      await runtime.delete(c.id).catch(() => undefined);
      await unmount(c.merged).catch(() => undefined);
    }
    for (const name of ['c-echo', 'c-exit', 'c-oom', 'c-term', 'c-kill', 'c-exec', 'c-keep', 'c-del', 'c-sec']) {
      await removeCgroup(`${cgroupPrefix}/${name}`, { keepDepth: 0 }).catch(() => undefined);
    }
    await run('ip', ['netns', 'delete', netns]).catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function createContainer(name: string, args: string[], overrides: Partial<ContainerSpecInput> = {}): Promise<{ id: string; logPath: string; cgroupsPath: string; merged: string }> {
    const id = `${name}-${suffix}`;
    const dir = join(work, 'c', name);
    const merged = join(dir, 'merged');
    await mountOverlay([lower], join(dir, 'upper'), join(dir, 'work'), merged);
    created.push({ id, merged });
    await writeFile(join(dir, 'hostname'), `${name}\n`);
    const cgroupsPath = `${cgroupPrefix}/${name}`;
    const spec = buildOciSpec({
      id, rootfsPath: merged, args, env: ['PATH=/bin', 'HOME=/root'], cwd: '/', hostname: name,
      tty: false, stdin: false, netnsPath: `/run/netns/${netns}`,
      mounts: [{ destination: '/etc/hostname', type: 'bind', source: join(dir, 'hostname'), options: ['rbind', 'ro'] }],
      capabilities: { add: [], drop: [] }, privileged: false, readOnlyRootfs: false, cgroupsPath,
      resources: {}, seccomp: 'RuntimeDefault', noNewPrivileges: false,
      ...overrides,
    });
    const logPath = join(dir, 'logs', '0.log');
    await runtime.create(id, join(dir, 'bundle'), spec, logPath);
    return { id, logPath, cgroupsPath, merged };
  }

  test('echo hello: CRI log line and exit code 0', async () => {
    const c = await createContainer('c-echo', ['echo', 'hello']);
    assert.equal((await runtime.status(c.id)).state, 'created');
    const spawned = helperProcessStats.started;
    await runtime.start(c.id);
    // crun: released through its exec fifo, no `crun start` process (exec-fifo.ts).
    if (!process.env.KIJABI_TEST_RUNTIME) assert.equal(helperProcessStats.started, spawned, 'start spawned a helper');
    const status = await runtime.waitForExit(c.id);
    assert.equal(status.state, 'exited');
    assert.equal(status.exitCode, 0);
    assert.equal(status.oomKilled, false);
    assert.ok(status.startedAt && status.finishedAt);
    const log = await readFile(c.logPath, 'utf8');
    assert.match(log, /^\d{4}-\d\d-\d\dT\S+ stdout F hello$/m);
  });

  test("sh -c 'exit 3' reports exit code 3", async () => {
    const c = await createContainer('c-exit', ['sh', '-c', 'echo oops >&2; exit 3']);
    await runtime.start(c.id);
    const status = await runtime.waitForExit(c.id);
    assert.equal(status.exitCode, 3);
    assert.match(await readFile(c.logPath, 'utf8'), / stderr F oops$/m);
  });

  test('a memory hog over a 32 MiB limit is OOM killed', async () => {
    const c = await createContainer('c-oom', ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=200M', 'count=1'], {
      resources: { memoryLimitBytes: 32 * 1024 * 1024 },
    });
    await runtime.start(c.id);
    const status = await runtime.waitForExit(c.id);
    assert.equal(status.exitCode, 137);
    assert.equal(status.oomKilled, true);
  });

  test('TERM stops a process that handles it; KILL stops one that does not', async () => {
    const term = await createContainer('c-term', ['sh', '-c', 'trap "exit 143" TERM; echo trapped; sleep 1000 & wait']);
    const kill = await createContainer('c-kill', ['sleep', '1000']);
    await runtime.start(term.id);
    await runtime.start(kill.id);
    assert.equal((await runtime.status(term.id)).state, 'running');
    // As PID 1 the shell ignores TERM until its trap is set: wait for it to say so.
    const deadline = Date.now() + 10_000;
    while (!(await readFile(term.logPath, 'utf8').catch(() => '')).includes('trapped')) {
      if (Date.now() > deadline) throw new Error('the shell never set its trap');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await runtime.kill(term.id, 'SIGTERM');
    await runtime.kill(kill.id, 'KILL');
    const [termStatus, killStatus] = await Promise.all([runtime.waitForExit(term.id), runtime.waitForExit(kill.id)]);
    assert.equal(termStatus.exitCode, 143);
    assert.equal(killStatus.exitCode, 137);
    assert.equal(killStatus.oomKilled, false);
    await runtime.kill(kill.id, 'KILL'); // no-op once exited
  });

  test('exec returns output and exit codes; stats read the cgroup', async () => {
    const c = await createContainer('c-exec', ['sleep', '1000'], { env: ['PATH=/bin', 'GREETING=hi'] });
    await runtime.start(c.id);
    const cases: Array<{ args: string[]; env?: string[]; cwd?: string; stdout: string; code: number }> = [
      { args: ['cat', '/etc/hostname'], stdout: 'c-exec\n', code: 0 },
      { args: ['sh', '-c', 'exit 7'], stdout: '', code: 7 },
      { args: ['sh', '-c', 'echo $GREETING $EXTRA; pwd'], env: ['EXTRA=there'], cwd: '/tmp', stdout: 'hi there\n/tmp\n', code: 0 },
      { args: ['/no/such/binary'], stdout: '', code: 127 },
    ];
    for (const tc of cases) {
      const p = runtime.exec(c.id, tc.args, { tty: false, stdin: false, env: tc.env, cwd: tc.cwd });
      const [stdout, , code] = await Promise.all([collect(p.stdout), collect(p.stderr), p.exited]);
      assert.equal(stdout, tc.stdout, tc.args.join(' '));
      if (tc.code === 127) assert.notEqual(code, 0);
      else assert.equal(code, tc.code, tc.args.join(' '));
    }
    const withStdin = runtime.exec(c.id, ['cat'], { tty: false, stdin: true });
    withStdin.stdin!.end('piped input');
    assert.equal(await collect(withStdin.stdout), 'piped input');
    assert.equal(await withStdin.exited, 0);

    const stats = await runtime.stats(c.cgroupsPath);
    assert.ok(stats.cpuUsageNanos > 0);
    assert.ok(stats.memoryWorkingSetBytes > 0);
  });

  test('exec with a tty runs on a terminal', async () => {
    const id = `c-exec-${suffix}`;
    const p = runtime.exec(id, ['sh', '-c', 'test -t 0 && test -t 1 && echo on-a-tty; read line; stty size; exit 4'], { tty: true, stdin: true });
    p.resize(100, 40);
    p.stdin!.write('go\n');
    const [stdout, code] = await Promise.all([collect(p.stdout), p.exited]);
    assert.match(stdout, /on-a-tty/);
    // Only node-pty can set the window size; the `script` fallback cannot.
    if (loadPty()) assert.match(stdout, /40 100/);
    assert.equal(code, 4);
  });

  test('RuntimeDefault seccomp and default caps deny namespaces and mounts', async () => {
    const c = await createContainer('c-sec', ['sleep', '1000']);
    await runtime.start(c.id);
    const cases: Array<{ args: string[]; ok: boolean }> = [
      { args: ['unshare', '-n', 'true'], ok: false },
      { args: ['mount', '-t', 'tmpfs', 'none', '/mnt'], ok: false },
      { args: ['sh', '-c', 'echo x > /tmp/f && chown 65534 /tmp/f && chmod 0400 /tmp/f && echo y >> /tmp/f'], ok: true },
      { args: ['sh', '-c', 'grep -q "^Seccomp:.2" /proc/self/status'], ok: true },
    ];
    for (const tc of cases) {
      const p = runtime.exec(c.id, tc.args, { tty: false, stdin: false });
      void collect(p.stdout);
      void collect(p.stderr);
      const code = await p.exited;
      assert.equal(code === 0, tc.ok, `${tc.args.join(' ')} exited ${code}`);
    }
  });

  test('a container outlives its creator: a new runtime instance lists it running', async () => {
    const c = await createContainer('c-keep', ['sleep', '1000']);
    await runtime.start(c.id);
    const conmonPid = Number(readFileSync(join(runtime.root, 'containers', c.id, 'conmon.pid'), 'utf8'));
    const parent = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${conmonPid}/status`, 'utf8'))![1]);
    assert.notEqual(parent, process.pid, 'conmon must not be our child');
    const fresh = new ContainerRuntime({ root: runtime.root, runtimePath: (runtime as unknown as { runtimePath: string }).runtimePath });
    const listed = await fresh.list();
    const mine = listed.find((s) => s.id === c.id);
    assert.equal(mine?.state, 'running');
    assert.ok(mine.pid && mine.pid > 0);
  });

  test('delete leaves no cgroup, runtime state, conmon or mount behind', async () => {
    const c = await createContainer('c-del', ['sleep', '1000'], { resources: { memoryLimitBytes: 64 << 20, pidsLimit: 50, cpuShares: 512 } });
    await runtime.start(c.id);
    const conmonPid = Number(readFileSync(join(runtime.root, 'containers', c.id, 'conmon.pid'), 'utf8'));
    assert.ok(existsSync(`/sys/fs/cgroup/memory${c.cgroupsPath}`));
    assert.equal(readFileSync(`/sys/fs/cgroup/memory${c.cgroupsPath}/memory.limit_in_bytes`, 'utf8').trim(), String(64 << 20));
    await runtime.delete(c.id);
    await runtime.delete(c.id); // idempotent
    await unmount(c.merged);
    await unmount(c.merged);
    for (const controller of ['memory', 'cpu', 'pids', 'cpuacct', 'devices', 'freezer', 'unified', 'systemd']) {
      assert.equal(existsSync(`/sys/fs/cgroup/${controller}${c.cgroupsPath}`), false, controller);
    }
    assert.equal(existsSync(join(runtime.runtimeRoot, c.id)), false);
    assert.equal(existsSync(`/proc/${conmonPid}`), false);
    assert.equal(await isMounted(c.merged), false);
    assert.equal((await runtime.status(c.id)).state, 'unknown');
    assert.equal((await runtime.list()).some((s) => s.id === c.id), false);
  });
});

