// Running extra processes in a container (`crun exec --process`), with pipes or a terminal.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PassThrough, type Readable, type Writable } from 'node:stream';

export interface ExecOptions { tty: boolean; stdin: boolean; env?: string[]; cwd?: string }

export interface ExecProcess {
  stdin?: Writable;
  stdout: Readable;
  /** With a tty, stderr is merged into stdout and this stream stays empty. */
  stderr: Readable;
  resize(width: number, height: number): void;
  /** Exit code; 128+n when killed by signal n. */
  exited: Promise<number>;
  /** Kills the exec session (the runtime process and, through it, the exec'd process). */
  kill(signal?: NodeJS.Signals): void;
}

/** The exec'd process: the container's own process settings with new args, env overrides and cwd. */
export function execProcessSpec(containerProcess: Record<string, unknown>, args: string[], options: ExecOptions): Record<string, unknown> {
  const baseEnv = Array.isArray(containerProcess.env) ? (containerProcess.env as string[]) : [];
  return {
    ...containerProcess,
    terminal: options.tty,
    args: [...args],
    env: mergeEnv(baseEnv, options.env ?? []),
    cwd: options.cwd ?? (containerProcess.cwd as string | undefined) ?? '/',
  };
}

/** Later entries win by variable name; order of first appearance is kept. */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const byName = new Map<string, string>();
  for (const entry of [...base, ...overrides]) {
    const eq = entry.indexOf('=');
    byName.set(eq < 0 ? entry : entry.slice(0, eq), entry);
  }
  return [...byName.values()];
}

export function signalExitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };
  return 128 + (signal ? numbers[signal] ?? 1 : 1);
}

/** Minimal surface of npm node-pty that we use; loaded lazily so it stays optional. */
interface PtyModule {
  spawn(file: string, args: string[], options: { name?: string; cols?: number; rows?: number; cwd?: string; env?: Record<string, string> }): PtyProcess;
}
interface PtyProcess {
  onData(listener: (data: string) => void): unknown;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): unknown;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
}

let ptyModule: PtyModule | null | undefined;
/** node-pty when installed, else undefined (then tty exec falls back to `script`, without resize). */
export function loadPty(): PtyModule | undefined {
  if (ptyModule === undefined) {
    try {
      ptyModule = createRequire(import.meta.url)('node-pty') as PtyModule;
    } catch {
      ptyModule = null;
    }
  }
  return ptyModule ?? undefined;
}

export interface RuntimeExecTarget { runtimePath: string; runtimeRoot: string; id: string; processFileDir: string }

/** Starts `<runtime> exec --process <file> <id>`; the process file is removed when it ends. */
export function startExec(target: RuntimeExecTarget, processSpec: Record<string, unknown>, options: ExecOptions): ExecProcess {
  const processFile = `${target.processFileDir}/exec-${randomBytes(6).toString('hex')}.json`;
  writeFileSync(processFile, JSON.stringify(processSpec));
  const runtimeArgs = ['--root', target.runtimeRoot, 'exec', '--process', processFile, target.id];
  const cleanup = (): void => rmSync(processFile, { force: true });
  if (!options.tty) return execWithPipes(target.runtimePath, runtimeArgs, options, cleanup);
  const pty = loadPty();
  if (pty) return execWithPty(pty, target.runtimePath, runtimeArgs, options, cleanup);
  return execWithScript(target.runtimePath, runtimeArgs, options, cleanup);
}

function execWithPipes(file: string, args: string[], options: ExecOptions, cleanup: () => void): ExecProcess {
  const child = spawn(file, args, { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(126));
    child.on('close', (code, signal) => resolve(signalExitCode(code, signal)));
  }).finally(cleanup);
  return {
    stdin: child.stdin ?? undefined,
    stdout: child.stdout!,
    stderr: child.stderr!,
    resize: () => undefined,
    exited,
    kill: (signal = 'SIGKILL') => void child.kill(signal),
  };
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** util-linux `script` gives the runtime a terminal on stdin; the window size cannot be set. */
function execWithScript(file: string, args: string[], options: ExecOptions, cleanup: () => void): ExecProcess {
  const command = [file, ...args.slice(0, 3), '--tty', ...args.slice(3)].map(shellQuote).join(' ');
  const child = spawn('/usr/bin/script', ['-qefc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  if (!options.stdin) child.stdin!.end();
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(126));
    child.on('close', (code, signal) => resolve(signalExitCode(code, signal)));
  }).finally(cleanup);
  return {
    stdin: options.stdin ? child.stdin! : undefined,
    stdout: child.stdout!,
    stderr: child.stderr!,
    resize: () => undefined,
    exited,
    kill: (signal = 'SIGKILL') => void child.kill(signal),
  };
}

function execWithPty(pty: PtyModule, file: string, args: string[], options: ExecOptions, cleanup: () => void): ExecProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const term = pty.spawn(file, [...args.slice(0, 3), '--tty', ...args.slice(3)], { name: 'xterm', cols: 80, rows: 24, env });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  term.onData((data) => stdout.write(data));
  const exited = new Promise<number>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      stdout.end();
      stderr.end();
      resolve(signal ? 128 + signal : exitCode);
    });
  }).finally(cleanup);
  let stdin: PassThrough | undefined;
  if (options.stdin) {
    stdin = new PassThrough();
    stdin.on('data', (chunk: Buffer) => term.write(chunk.toString('utf8')));
  }
  return {
    stdin,
    stdout,
    stderr,
    resize: (width, height) => {
      if (width > 0 && height > 0) term.resize(width, height);
    },
    exited,
    kill: (signal = 'SIGKILL') => term.kill(signal),
  };
}
