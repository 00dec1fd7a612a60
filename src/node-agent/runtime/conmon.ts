// Starting conmon, the per-container monitor that outlives the agent: it runs `<runtime> create`,
// holds the container's stdio, writes CRI-format logs and records the exit code and OOM flag.

import { launch as launchHelper, type LaunchResult } from '../launcher/launch.js';

export interface ConmonLaunch {
  conmonPath: string;
  runtimePath: string;
  /** crun/runc state directory, passed as `--root`. */
  runtimeRoot: string;
  id: string;
  bundleDir: string;
  /** Per-container dir for conmon's pidfiles, persist dir and attach socket. */
  containerDir: string;
  exitDir: string;
  logPath: string;
  logSizeMax?: number;
  tty: boolean;
  stdin: boolean;
  /** Keep the container's stdin open when an attached client goes (Kubernetes' stdinOnce: false). */
  leaveStdinOpen?: boolean;
  timeoutMs?: number;
}

/** Paths conmon writes for one container (containerDir-relative names fixed here). */
export function conmonPaths(containerDir: string): { pidFile: string; conmonPidFile: string; persistDir: string; conmonLog: string } {
  return {
    pidFile: `${containerDir}/pidfile`,
    conmonPidFile: `${containerDir}/conmon.pid`,
    persistDir: `${containerDir}/persist`,
    conmonLog: `${containerDir}/conmon.log`,
  };
}

export function conmonArgs(launch: ConmonLaunch): string[] {
  const paths = conmonPaths(launch.containerDir);
  const args = [
    '--api-version', '1',
    '-b', launch.bundleDir,
    '-c', launch.id,
    '-u', launch.id,
    '-n', launch.id,
    '-r', launch.runtimePath,
    '--runtime-arg', '--root', '--runtime-arg', launch.runtimeRoot,
    '-p', paths.pidFile,
    '-P', paths.conmonPidFile,
    '-l', `k8s-file:${launch.logPath}`,
    '--exit-dir', launch.exitDir,
    '--socket-dir-path', launch.containerDir,
    '--persist-dir', paths.persistDir,
  ];
  if (launch.logSizeMax !== undefined && launch.logSizeMax > 0) args.push('--log-size-max', String(launch.logSizeMax));
  if (launch.tty) args.push('-t');
  if (launch.stdin) args.push('-i');
  if (launch.stdin && launch.leaveStdinOpen) args.push('--leave-stdin-open');
  return args;
}

/** Parses conmon's sync-pipe message: {"data": pid} or {"data": -1, "message": "..."}. */
export function parseSyncMessage(text: string): { pid?: number; error?: string } | undefined {
  const match = /\{[^{}]*\}/.exec(text);
  if (!match) return undefined;
  try {
    const message = JSON.parse(match[0]) as { data?: number; message?: string };
    if (typeof message.data !== 'number') return undefined;
    if (message.data < 0) return { error: message.message ?? `conmon reported ${message.data}` };
    return { pid: message.data };
  } catch {
    return undefined;
  }
}

/**
 * Runs conmon (which daemonizes at once) through the helper launcher, detached, and waits for the
 * container to be created. Resolves with the container init's pid; rejects with the runtime's
 * message when create fails.
 */
export async function launchConmon(launch: ConmonLaunch): Promise<number> {
  const paths = conmonPaths(launch.containerDir);
  const timeoutMs = launch.timeoutMs ?? 30_000;
  let result: LaunchResult;
  try {
    result = await launchHelper({
      argv: [launch.conmonPath, ...conmonArgs(launch)],
      detached: true,
      // conmon also drops an `oom` marker in its working directory: keep it in the container's dir.
      cwd: launch.containerDir,
      // A file, not a pipe: a pipe to us would break when the agent exits.
      stdout: { file: paths.conmonLog },
      stderr: { file: paths.conmonLog },
      env: { _OCI_SYNCPIPE: '3' },
      syncPipe: true,
      timeoutMs,
    });
  } catch (err) {
    throw new Error(`starting conmon: ${(err as Error).message}`);
  }
  const message = parseSyncMessage(result.sync ?? '');
  if (message?.error !== undefined) throw new Error(`creating container ${launch.id}: ${message.error.trim()}`);
  if (message?.pid !== undefined) return message.pid;
  if (result.timedOut) throw new Error(`conmon did not report container ${launch.id} created within ${timeoutMs} ms`);
  throw new Error(`conmon exited before creating container ${launch.id} (see ${paths.conmonLog})`);
}
