// The agent's one entry point for short-lived helper processes: through the shared launcher
// (started on first use), or by a direct spawn when the launcher cannot start (warned once,
// retried after a minute) or is switched off with KIJABI_HELPER_LAUNCHER=direct.
// Callers still wrap each launch in limitedSpawn (process-limit.ts) themselves.

import { createLogger, type Logger } from '../../client/log.js';
import { directLaunch } from './direct-launch.js';
import { LAUNCHER_HAS_SYSCALLS, LauncherClient, LauncherUnavailableError, type MountOperation, type NetlinkTarget, type WireNetlinkMessage } from './launcher-client.js';
import type { LaunchRequest, LaunchResult } from './launch-types.js';

export { LaunchError, type LaunchRequest, type LaunchResult, type OutputTarget } from './launch-types.js';
export { LauncherExitedError, LauncherUnavailableError, type MountOperation, type NetlinkTarget, type WireNetlinkMessage } from './launcher-client.js';

const RETRY_AFTER_MS = 60_000;

let log: Logger | undefined;
let shared: LauncherClient | undefined;
let unavailableUntil = 0;
let warned = false;

function logger(): Logger {
  log ??= createLogger('helper-launcher');
  return log;
}

function useDirect(): boolean {
  return process.env.KIJABI_HELPER_LAUNCHER === 'direct' || Date.now() < unavailableUntil;
}

function sharedClient(): LauncherClient {
  shared ??= new LauncherClient({ onDiagnostic: (line) => logger().warn('helper launcher', { line }) });
  return shared;
}

/** Runs one helper; resolves with how it ended (a non-zero exit is not an error here). */
export async function launch(request: LaunchRequest): Promise<LaunchResult> {
  if (useDirect()) return directLaunch(request);
  try {
    return await sharedClient().run(request);
  } catch (err) {
    if (!(err instanceof LauncherUnavailableError)) throw err;
    unavailableUntil = Date.now() + RETRY_AFTER_MS;
    if (!warned) {
      warned = true;
      logger().warn('helper launcher unavailable: spawning helpers directly from the agent (slower under load)', { err });
    }
    return directLaunch(request);
  }
}

/**
 * A request the launcher serves itself (system calls, no process); undefined when that is not
 * possible here (direct mode, unknown architecture, launcher unavailable), and the caller falls
 * back to a helper program. A refused call rejects with a LaunchError whose code is the errno name.
 */
async function throughLauncher<T>(call: (client: LauncherClient) => Promise<T>): Promise<T | undefined> {
  if (useDirect() || !LAUNCHER_HAS_SYSCALLS) return undefined;
  try {
    return await call(sharedClient());
  } catch (err) {
    if (err instanceof LauncherUnavailableError) return undefined;
    throw err;
  }
}

/** mount(2) / umount2(2) done by the launcher; false when the caller must run the mount binaries. */
export async function mountThroughLauncher(operation: MountOperation): Promise<boolean> {
  return (await throughLauncher((client) => client.mount(operation).then(() => true))) ?? false;
}

/** rtnetlink messages sent by the launcher (see LauncherClient.netlink); undefined when the caller must run `ip`. */
export function netlinkThroughLauncher(messages: readonly WireNetlinkMessage[], options: NetlinkTarget = {}): Promise<string[][] | undefined> {
  return throughLauncher((client) => client.netlink(messages, options));
}

/** `ip netns add` done by the launcher; false when the caller must run `ip`. */
export async function newNetnsThroughLauncher(path: string): Promise<boolean> {
  return (await throughLauncher((client) => client.newNetns(path).then(() => true))) ?? false;
}

/** The shared launcher's pid, if it runs (tests and benchmarks). */
export function sharedLauncherPid(): number | undefined {
  return shared?.pid;
}

/** Stops the shared launcher (its children keep running); the next launch starts a new one. */
export function closeSharedLauncher(): void {
  shared?.close();
  shared = undefined;
}

/** Error of runHelper, shaped like execFile's so callers read `code`, `stderr`, `killed`. */
export class HelperCommandError extends Error {
  override readonly name = 'HelperCommandError';
  constructor(
    message: string,
    readonly code: number | string | null,
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly killed: boolean,
  ) {
    super(message);
  }
}

export interface HelperOptions {
  input?: string;
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  maxOutputBytes?: number;
  /** Network namespace (path) the helper runs in. */
  netns?: string;
}

/**
 * Runs `file args` and resolves with its output when it exits 0; otherwise rejects with a
 * HelperCommandError (`code` is the exit code, or the errno name when it could not start).
 */
export async function runHelper(file: string, args: string[], options: HelperOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const commandLine = [file, ...args].join(' ');
  let result: LaunchResult;
  try {
    result = await launch({ argv: [file, ...args], stdin: options.input, timeoutMs: options.timeoutMs, cwd: options.cwd, env: options.env, maxOutputBytes: options.maxOutputBytes, netns: options.netns });
  } catch (err) {
    const code = (err as { code?: string }).code ?? null;
    throw new HelperCommandError(`Command failed: ${commandLine}: ${(err as Error).message}`, code, null, '', '', false);
  }
  if (result.exitCode === 0 && !result.timedOut) return { stdout: result.stdout, stderr: result.stderr };
  const how = result.timedOut ? `timed out after ${options.timeoutMs} ms` : result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
  throw new HelperCommandError(`Command failed (${how}): ${commandLine}\n${result.stderr}`, result.exitCode, result.signal, result.stdout, result.stderr, result.timedOut);
}
