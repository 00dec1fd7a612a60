// ContainerRuntime: containers run by crun (or runc) under conmon, so they outlive the agent.
// State lives under <root> (the agent's run dir, a tmpfs: run-dir.ts): crun/ (the runtime's own
// --root), exits/<id> (conmon exit codes) and containers/<id>/ (our metadata, conmon pidfiles,
// persist dir with the oom flag, the OCI bundle).

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import type { Logger } from '../../client/log.js';
import { attachContainer } from './attach.js';
import { readCgroupStats, readOomKillCount, removeCgroup } from './cgroups.js';
import { conmonPaths, launchConmon } from './conmon.js';
import { execProcessSpec, startExec, type ExecOptions, type ExecProcess } from './exec.js';
import { releaseThroughExecFifo } from './exec-fifo.js';
import { checkHost, findExecutable, type HostCheck } from './host-setup.js';
import { fitSpecToAgent, readAgentLimits } from './host-limits.js';
import { CompiledSeccompCache } from './seccomp-cache.js';
import { runHelper } from '../launcher/launch.js';
import { limitedSpawn, type Lane } from '../process-limit.js';

export type { ExecOptions, ExecProcess } from './exec.js';
export type { HostCheck, MissingRequirement } from './host-setup.js';

export interface ContainerStatus {
  id: string;
  state: 'created' | 'running' | 'exited' | 'unknown';
  pid?: number;
  exitCode?: number;
  oomKilled?: boolean;
  startedAt?: string;
  finishedAt?: string;
}

export interface ContainerRuntimeOptions {
  /** State dir, e.g. <agent>/ ; crun state goes to <root>/crun. */
  root: string;
  runtimePath?: string;
  conmonPath?: string;
  /** Rotate container logs past this size (conmon --log-size-max). */
  logSizeMax?: number;
  log?: Logger;
}

/** What we remember per container, written at create. */
interface ContainerMeta { id: string; bundleDir: string; logPath: string; cgroupsPath: string; createdAt: string; startedAt?: string }

const VALID_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const EXIT_FILE_WAIT_MS = 2000;

function isNotFound(err: unknown): boolean {
  const text = `${(err as { stderr?: string }).stderr ?? ''} ${(err as Error).message ?? ''}`;
  return /does not exist|not found|no such file|ENOENT/i.test(text);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ContainerRuntime {
  readonly root: string;
  readonly runtimeRoot: string;
  readonly exitDir: string;
  private readonly runtimePath: string;
  private readonly conmonPath: string;
  private readonly logSizeMax?: number;
  private readonly log?: Logger;
  private readonly seccomp: CompiledSeccompCache;
  /** crun-only shortcuts: the compiled seccomp program, the exec fifo (exec-fifo.ts). */
  private readonly isCrun: boolean;

  constructor(options: ContainerRuntimeOptions) {
    this.root = options.root;
    this.runtimeRoot = join(options.root, 'crun');
    this.exitDir = join(options.root, 'exits');
    this.runtimePath = options.runtimePath ?? '/usr/bin/crun';
    this.conmonPath = options.conmonPath ?? '/usr/bin/conmon';
    this.logSizeMax = options.logSizeMax;
    this.log = options.log;
    this.isCrun = basename(this.runtimePath) === 'crun';
    this.seccomp = new CompiledSeccompCache(this.isCrun);
  }

  /** Checks the host and makes crun usable here (idempotent); see host-setup.ts. */
  static checkHost(): Promise<HostCheck> {
    return checkHost();
  }

  /** A runtime configured from checkHost()'s findings. */
  static async fromHost(options: Omit<ContainerRuntimeOptions, 'runtimePath' | 'conmonPath'>): Promise<{ runtime: ContainerRuntime; host: HostCheck }> {
    const host = await checkHost();
    const runtime = new ContainerRuntime({
      ...options,
      runtimePath: host.runtime ?? (await findExecutable('crun')),
      conmonPath: host.conmon ?? (await findExecutable('conmon')),
    });
    return { runtime, host };
  }

  private containerDir(id: string): string {
    return join(this.root, 'containers', id);
  }

  /** Where a container's OCI bundle (config.json, conmon's sockets) goes; removed by delete(). */
  bundleDir(id: string): string {
    return join(this.containerDir(id), 'bundle');
  }

  private async runtime(args: string[], lane: Lane = 'foreground'): Promise<string> {
    const { stdout } = await limitedSpawn(() => runHelper(this.runtimePath, ['--root', this.runtimeRoot, ...args], { timeoutMs: 60_000 }), lane);
    return stdout;
  }

  /** meta.json of each container, as this instance last read or wrote it (status reads are frequent). */
  private readonly metas = new Map<string, ContainerMeta>();
  /** The runtime root and exit dir exist (made by the first create). */
  private sharedDirsMade = false;

  private async readMeta(id: string): Promise<ContainerMeta | undefined> {
    const known = this.metas.get(id);
    if (known) return known;
    try {
      const meta = JSON.parse(await readFile(join(this.containerDir(id), 'meta.json'), 'utf8')) as ContainerMeta;
      this.metas.set(id, meta);
      return meta;
    } catch {
      return undefined;
    }
  }

  private writeMeta(meta: ContainerMeta): void {
    writeFileSync(join(this.containerDir(meta.id), 'meta.json'), JSON.stringify(meta));
    this.metas.set(meta.id, meta);
  }

  /**
   * Writes config.json into the bundle and creates the container under conmon. `stdin` keeps a pipe
   * to the main process's stdin that `attach` clients write to (closed after the first one leaves
   * when `stdinOnce`).
   */
  async create(id: string, bundleDir: string, spec: object, logPath: string, io: { stdin?: boolean; stdinOnce?: boolean } = {}): Promise<void> {
    if (!VALID_ID.test(id)) throw new Error(`invalid container id ${JSON.stringify(id)}`);
    const dir = this.containerDir(id);
    if (existsSync(dir)) throw new Error(`container ${id} already exists`);
    const paths = conmonPaths(dir);
    // conmon silently writes no exit file when its persist dir is missing.
    // Small metadata operations on local disk are done synchronously: on the agent's own thread a
    // few microseconds each, where a promise round trip through libuv's thread pool costs tens.
    for (const d of [paths.persistDir, ...(this.sharedDirsMade ? [] : [this.runtimeRoot, this.exitDir]), dirname(logPath), bundleDir]) mkdirSync(d, { recursive: true });
    this.sharedDirsMade = true;
    if (existsSync(join(this.exitDir, id))) rmSync(join(this.exitDir, id), { force: true });
    const linux = (spec as { linux?: { cgroupsPath?: string } }).linux;
    const process = (spec as { process?: { terminal?: boolean } }).process;
    const meta: ContainerMeta = { id, bundleDir, logPath, cgroupsPath: linux?.cgroupsPath ?? '', createdAt: new Date().toISOString() };
    const prepared = this.seccomp.prepare(fitSpecToAgent(spec, readAgentLimits()));
    writeFileSync(join(bundleDir, 'config.json'), JSON.stringify(prepared.spec, null, 2));
    this.writeMeta(meta);
    try {
      const pid = await limitedSpawn(() => launchConmon({
        conmonPath: this.conmonPath,
        runtimePath: this.runtimePath,
        runtimeRoot: this.runtimeRoot,
        id,
        bundleDir,
        containerDir: dir,
        exitDir: this.exitDir,
        logPath,
        logSizeMax: this.logSizeMax,
        tty: process?.terminal === true,
        stdin: io.stdin === true,
        leaveStdinOpen: io.stdinOnce !== true,
      }));
      this.log?.debug('container created', { container: id, pid });
      if (prepared.learnKey) await this.seccomp.learn(prepared.learnKey, this.runtimeRoot, id);
    } catch (err) {
      await this.delete(id).catch(() => undefined);
      throw err;
    }
  }

  async start(id: string): Promise<void> {
    const meta = await this.readMeta(id);
    if (!meta) throw new Error(`container ${id} not found`);
    if (!this.isCrun || !releaseThroughExecFifo(this.runtimeRoot, id)) await this.runtime(['start', id]);
    await this.writeMeta({ ...meta, startedAt: new Date().toISOString() });
  }

  /**
   * Sends a signal (name like TERM/SIGTERM or number); a no-op when the container has stopped.
   * A running container is signalled by pid (what `crun kill` does too), without a helper process.
   */
  async kill(id: string, signal: string): Promise<void> {
    const name = signal.replace(/^SIG/i, '').toUpperCase();
    const current = await this.status(id);
    if (current.state === 'exited' || current.state === 'unknown') return;
    if (current.state === 'running' && current.pid !== undefined) {
      try {
        process.kill(current.pid, /^\d+$/.test(name) ? Number(name) : (`SIG${name}` as NodeJS.Signals));
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw new Error(`kill ${name} ${id}: ${(err as Error).message}`);
        // a signal name node does not know: let the runtime parse it
      }
    }
    try {
      await this.runtime(['kill', id, name]);
    } catch (err) {
      const after = await this.status(id);
      if (after.state === 'exited' || after.state === 'unknown') return;
      throw new Error(`kill ${name} ${id}: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()}`);
    }
  }

  private async runtimeState(id: string): Promise<{ status: string; pid?: number } | undefined> {
    try {
      const state = JSON.parse(await this.runtime(['state', id])) as { status: string; pid?: number };
      return state;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async readExitFile(id: string): Promise<{ code: number; at: string } | undefined> {
    const file = join(this.exitDir, id);
    try {
      const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      const code = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(code)) return undefined;
      return { code, at: info.mtime.toISOString() };
    } catch {
      return undefined;
    }
  }

  private conmonPid(id: string): number | undefined {
    try {
      const pid = Number(readFileSync(conmonPaths(this.containerDir(id)).conmonPidFile, 'utf8').trim());
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** The container init's pid, from conmon's pidfile (undefined when it has none). */
  containerPid(id: string): number | undefined {
    try {
      const pid = Number(readFileSync(conmonPaths(this.containerDir(id)).pidFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Current state without starting a process in the common cases: a container is running while
   * conmon's exit file is absent and its init pid is alive; it has exited once the exit file exists.
   * Only a container we never recorded as started asks the runtime (`crun state`): that is the short
   * create-to-start window, or adoption after an agent restart in that window.
   */
  async status(id: string): Promise<ContainerStatus> {
    const meta = await this.readMeta(id);
    if (!meta) return { id, state: 'unknown' };
    const base: ContainerStatus = { id, state: 'unknown', startedAt: meta.startedAt };
    let exit = await this.readExitFile(id);
    if (!exit) {
      const pid = this.containerPid(id);
      if (pid !== undefined && processAlive(pid)) {
        if (meta.startedAt) return { ...base, state: 'running', pid };
        const state = await this.runtimeState(id);
        if (state?.status === 'created') return { ...base, state: 'created', pid };
        if (state?.status === 'running' || state?.status === 'paused') return { ...base, state: 'running', pid };
      }
      // The process is gone: conmon writes the exit file just after it ends.
      const deadline = Date.now() + EXIT_FILE_WAIT_MS;
      while (!exit && Date.now() < deadline) {
        const conmon = this.conmonPid(id);
        if (conmon === undefined || !processAlive(conmon)) break;
        await delay(20);
        exit = await this.readExitFile(id);
      }
      if (!exit) return { ...base, state: pid !== undefined ? 'exited' : 'unknown' };
    }
    const oomKilled = exit.code === 137 && (existsSync(join(conmonPaths(this.containerDir(id)).persistDir, 'oom')) || (await readOomKillCount(meta.cgroupsPath)) > 0);
    return { ...base, state: 'exited', exitCode: exit.code, oomKilled, finishedAt: exit.at };
  }

  /** Removes the container, its conmon, runtime state, cgroup and our files; idempotent. */
  async delete(id: string): Promise<void> {
    // Nothing of it anywhere (the usual case before a create): no reads that fail one by one.
    if (!this.metas.has(id) && !existsSync(this.containerDir(id)) && !existsSync(join(this.runtimeRoot, id)) && !existsSync(join(this.exitDir, id))) return;
    const meta = await this.readMeta(id);
    // No runtime state dir: the runtime does not know the id (the usual case before a create), so
    // there is nothing for `crun delete` to do and no process to spawn.
    if (existsSync(join(this.runtimeRoot, id))) {
      try {
        // Removal never holds up a container start: background lane.
        await this.runtime(['delete', '--force', id], 'background');
      } catch (err) {
        if (!isNotFound(err)) this.log?.warn('runtime delete failed', { container: id, err });
      }
    }
    const conmon = this.conmonPid(id);
    if (conmon !== undefined) await this.waitForExitOrKill(conmon);
    if (meta?.cgroupsPath) await removeCgroup(meta.cgroupsPath);
    await rm(this.containerDir(id), { recursive: true, force: true });
    await rm(join(this.exitDir, id), { force: true });
    this.metas.delete(id);
  }

  /** conmon leaves once its container is gone; make sure it does (it is ours: we started it). */
  private async waitForExitOrKill(pid: number): Promise<void> {
    const deadline = Date.now() + 3000;
    while (processAlive(pid) && Date.now() < deadline) await delay(20);
    if (processAlive(pid) && this.isConmon(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private isConmon(pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'conmon';
    } catch {
      return false;
    }
  }

  /** Ids of every container this runtime root knows (no status reads). */
  async listIds(): Promise<string[]> {
    try {
      return (await readdir(join(this.root, 'containers'))).filter((id) => VALID_ID.test(id));
    } catch {
      return [];
    }
  }

  /** Every container this runtime root knows, for re-adoption after an agent restart. */
  async list(): Promise<ContainerStatus[]> {
    return Promise.all((await this.listIds()).map((id) => this.status(id)));
  }

  /** Waits until the container has exited (or the deadline passes) and returns its status. */
  async waitForExit(id: string, timeoutMs = 30_000): Promise<ContainerStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await this.status(id);
      if (current.state === 'exited' || current.state === 'unknown' || Date.now() >= deadline) return current;
      await delay(100);
    }
  }

  exec(id: string, args: string[], options: ExecOptions): ExecProcess {
    const dir = this.containerDir(id);
    let meta: ContainerMeta;
    let containerProcess: Record<string, unknown>;
    try {
      meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as ContainerMeta;
      containerProcess = (JSON.parse(readFileSync(join(meta.bundleDir, 'config.json'), 'utf8')) as { process: Record<string, unknown> }).process;
    } catch {
      throw new Error(`container ${id} not found`);
    }
    const spec = execProcessSpec(containerProcess, args, options);
    return startExec({ runtimePath: this.runtimePath, runtimeRoot: this.runtimeRoot, id, processFileDir: dir }, spec, options);
  }

  /** Streams of the container's main process (conmon's attach socket); see attach.ts. */
  attach(id: string, options: { stdin: boolean }): ExecProcess & { release(): void } {
    return attachContainer({
      socketDir: join(this.containerDir(id), id),
      stdin: options.stdin,
      exitCode: async () => (await this.waitForExit(id, 5000)).exitCode ?? 0,
    });
  }

  stats(cgroupsPath: string): Promise<{ cpuUsageNanos: number; memoryWorkingSetBytes: number }> {
    return readCgroupStats(cgroupsPath);
  }
}
