// The agent's side of the launcher: starts it on first use, sends requests as JSON lines with
// many in flight at once, and matches replies by id. When the launcher dies, the requests in
// flight fail (their helpers may or may not have run, so they are not retried here) and the
// next request starts a new launcher.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { LAUNCHER_SCRIPT } from './launcher-script.js';
import { errnoName, LaunchError, signalName, type LaunchRequest, type LaunchResult } from './launch-types.js';

/** The launcher could not be started at all (no perl, script error): callers fall back. */
export class LauncherUnavailableError extends Error {
  override readonly name = 'LauncherUnavailableError';
}

/** The launcher went away while this request was in flight. */
export class LauncherExitedError extends Error {
  override readonly name = 'LauncherExitedError';
}

interface WireReply {
  id?: number;
  ready?: boolean;
  /** In the ready line: the perl module the launcher encodes and decodes JSON with. */
  json?: string;
  pid?: number;
  code?: number | null;
  signal?: number | null;
  stdout?: string;
  stderr?: string;
  sync?: string;
  timedOut?: boolean;
  truncated?: boolean;
  errno?: number;
  error?: string;
  /** netlink requests: the replies to each message, or the message that was refused. */
  replies?: string[][];
  index?: number;
}

interface Pending {
  resolve(reply: WireReply): void;
  reject(err: Error): void;
  program: string;
}

/** mount, umount2, setns and unshare by architecture (the launcher calls them with perl's syscall()). */
const SYSCALL_NUMBERS: Partial<Record<string, [number, number, number, number]>> = { x64: [165, 166, 308, 272], arm64: [40, 39, 268, 97] };

/** How to get the launcher's fast JSON module on Debian. */
export const JSON_XS_INSTALL = 'apt-get install -y libjson-xs-perl';

/** Whether this machine's launcher can mount and enter network namespaces itself. */
export const LAUNCHER_HAS_SYSCALLS = SYSCALL_NUMBERS[process.arch] !== undefined;

export const PERL_LAUNCHER_COMMAND = ['/usr/bin/perl', '-e', LAUNCHER_SCRIPT, ...(SYSCALL_NUMBERS[process.arch] ?? []).map(String)];

/** An rtnetlink message for the launcher: its bytes in hex, where to write the nsfd's fd, and what it does (for errors). */
export interface WireNetlinkMessage {
  hex: string;
  nsfdAt?: number;
  describe: string;
}

/** Where the launcher sends netlink messages from (`netns`, a path) and which namespace's fd they carry (`nsfd`). */
export interface NetlinkTarget {
  netns?: string;
  nsfd?: string;
}

/** A mount(2) or umount2(2) the launcher does itself. */
export type MountOperation =
  | { mount: { source: string; target: string; fstype: string; flags?: number; data?: string } }
  | { umount: { target: string; flags?: number } };

export interface LauncherClientOptions {
  /** The launcher program and its arguments (default: perl with the built-in script). */
  command?: string[];
  /** Lines the launcher writes on stderr (its own trouble, not its children's). */
  onDiagnostic?: (line: string) => void;
}

export class LauncherClient {
  private readonly command: string[];
  private readonly onDiagnostic: (line: string) => void;
  private child?: ChildProcessWithoutNullStreams;
  private ready?: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** The perl JSON module of the running launcher (JSON::XS, or the slower core JSON::PP). */
  jsonModule?: string;

  constructor(options: LauncherClientOptions = {}) {
    this.command = options.command ?? PERL_LAUNCHER_COMMAND;
    this.onDiagnostic = options.onDiagnostic ?? (() => undefined);
  }

  /** The launcher's pid while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  async run(request: LaunchRequest): Promise<LaunchResult> {
    if (request.argv.length === 0) throw new LaunchError('EINVAL', 'argv must not be empty');
    const wire = {
      argv: request.argv,
      stdin: request.stdin,
      timeoutMs: request.timeoutMs,
      cwd: request.cwd,
      env: request.env,
      detached: request.detached,
      stdout: request.stdout,
      stderr: request.stderr,
      syncPipe: request.syncPipe,
      maxOutput: request.maxOutputBytes,
      netns: request.netns,
    };
    return toLaunchResult(await this.call(wire, request.argv[0]!));
  }

  /** Mounts or unmounts in the launcher's (the agent's) mount namespace; rejects with a LaunchError carrying the errno name. */
  async mount(operation: MountOperation): Promise<void> {
    await this.call(operation, 'mount' in operation ? 'mount' : 'umount');
  }

  /**
   * Sends rtnetlink messages from a socket in network namespace `netns` (a path; the launcher's
   * own by default), stopping at the first refused one; resolves with each message's replies.
   * `nsfd`: a namespace path whose fd the launcher writes into messages that carry nsfdAt.
   */
  async netlink(messages: readonly WireNetlinkMessage[], options: NetlinkTarget = {}): Promise<string[][]> {
    const wire = { netlink: { netns: options.netns, nsfd: options.nsfd, messages: messages.map(({ hex, nsfdAt }) => ({ hex, nsfdAt })) } };
    try {
      return (await this.call(wire, 'netlink')).replies ?? [];
    } catch (err) {
      // Name the message that failed, as `ip -batch` names its line.
      const index = (err as { index?: number }).index;
      if (err instanceof LaunchError && index !== undefined && messages[index]) err.message = `${messages[index].describe}: ${err.message}`;
      throw err;
    }
  }

  /** Creates a network namespace bound at `path` (what `ip netns add` does). */
  async newNetns(path: string): Promise<void> {
    await this.call({ newNetns: path }, 'netns add');
  }

  /** Sends one request (starting the launcher if needed) and resolves with its reply; `program` names it in errors. */
  private async call(request: object, program: string): Promise<WireReply> {
    if (this.closed) throw new LauncherUnavailableError('launcher client is closed');
    const child = await this.started();
    const id = this.nextId++;
    return new Promise<WireReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, program });
      this.updateRef();
      child.stdin.write(JSON.stringify({ id, ...request }) + '\n');
    });
  }

  /** Ends the launcher's stdin: it exits; processes it started keep running. */
  close(): void {
    this.closed = true;
    this.child?.stdin.end();
  }

  private started(): Promise<ChildProcessWithoutNullStreams> {
    this.ready ??= this.start();
    return this.ready.then(() => this.child!);
  }

  private start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(this.command[0]!, this.command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        this.ready = undefined;
        reject(new LauncherUnavailableError(`cannot start the launcher: ${(err as Error).message}`));
        return;
      }
      this.child = child;
      let isReady = false;
      let buffered = '';
      let diagnostics = '';
      const fail = (why: string): void => {
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        if (!isReady) {
          reject(new LauncherUnavailableError(`cannot start the launcher (${this.command[0]}): ${why}${diagnostics ? `: ${diagnostics.trim().slice(0, 500)}` : ''}`));
          return;
        }
        const error = (program: string): LauncherExitedError => new LauncherExitedError(`the helper launcher ${why} while running ${program}; it is restarted on the next request`);
        for (const [id, entry] of this.pending) {
          this.pending.delete(id);
          entry.reject(error(entry.program));
        }
      };
      child.on('error', (err) => fail(err.message));
      child.on('exit', (code, signal) => fail(signal ? `was killed by ${signal}` : `exited with code ${code}`));
      child.stdin.on('error', () => undefined);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        diagnostics += text;
        for (;;) {
          const end = diagnostics.indexOf('\n');
          if (end < 0 || !isReady) break;
          this.onDiagnostic(diagnostics.slice(0, end));
          diagnostics = diagnostics.slice(end + 1);
        }
      });
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        buffered += text;
        let end: number;
        while ((end = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          let reply: WireReply;
          try {
            reply = JSON.parse(line) as WireReply;
          } catch {
            this.onDiagnostic(`unreadable launcher reply: ${line.slice(0, 200)}`);
            continue;
          }
          if (reply.ready) {
            isReady = true;
            if (reply.json === 'JSON::PP' && this.jsonModule === undefined) {
              this.onDiagnostic(`perl's JSON::XS is not installed: the launcher uses the core JSON::PP, about 2 ms more CPU per pod start (${JSON_XS_INSTALL})`);
            }
            this.jsonModule = reply.json;
            this.updateRef();
            resolve();
            continue;
          }
          this.settle(reply);
        }
      });
    });
  }

  private settle(reply: WireReply): void {
    const entry = reply.id === undefined ? undefined : this.pending.get(reply.id);
    if (!entry) return;
    this.pending.delete(reply.id!);
    this.updateRef();
    if (reply.error !== undefined) {
      entry.reject(Object.assign(new LaunchError(errnoName(reply.errno ?? 5), reply.error), reply.index === undefined ? {} : { index: reply.index }));
      return;
    }
    entry.resolve(reply);
  }

  /** An idle launcher must not keep the agent's event loop (or a test process) alive. */
  private updateRef(): void {
    const child = this.child;
    if (!child) return;
    const busy = this.pending.size > 0;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as { ref?(): void; unref?(): void }[]) {
      if (busy) handle.ref?.();
      else handle.unref?.();
    }
  }
}

/** A finished helper's reply as the caller sees it. */
function toLaunchResult(reply: WireReply): LaunchResult {
  return {
    pid: reply.pid!,
    exitCode: reply.code ?? null,
    signal: reply.signal == null ? null : signalName(reply.signal),
    stdout: reply.stdout ?? '',
    stderr: reply.stderr ?? '',
    ...(reply.sync !== undefined ? { sync: reply.sync } : {}),
    timedOut: reply.timedOut === true,
    truncated: reply.truncated === true,
  };
}
