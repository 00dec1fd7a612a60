// What a helper launch asks for and what it returns, shared by the launcher client and the
// direct-spawn fallback (both give the same answers, so callers cannot tell them apart).

import { constants } from 'node:os';

export type OutputTarget = 'pipe' | 'null' | { file: string };

export interface LaunchRequest {
  argv: string[];
  /** Text written to the child's stdin (then closed); without it stdin is /dev/null. */
  stdin?: string;
  /** The child is killed (SIGKILL, by pid) after this long. */
  timeoutMs?: number;
  cwd?: string;
  /** Added to (or replacing) the agent's environment. */
  env?: Record<string, string>;
  /** In its own session (setsid), so it outlives the agent and the launcher. */
  detached?: boolean;
  stdout?: OutputTarget;
  stderr?: OutputTarget;
  /**
   * fd 3 of the child is a pipe (conmon's _OCI_SYNCPIPE=3); the launch ends once a complete
   * `{...}` message arrived on it or it closed, and the text is returned as `sync`.
   */
  syncPipe?: boolean;
  /** Per stream; more is dropped and `truncated` set. Default 16 MiB. */
  maxOutputBytes?: number;
  /** A network namespace (path, e.g. /run/netns/x) the child runs in. */
  netns?: string;
}

export interface LaunchResult {
  pid: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  sync?: string;
  timedOut: boolean;
  truncated: boolean;
}

export const DEFAULT_MAX_OUTPUT = 16 << 20;

/** The child could not be started (no such program, bad cwd, ...): `code` is the errno name. */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, num]) => [num, name as NodeJS.Signals]));
const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, num]) => [num, name]));

export function signalName(num: number): NodeJS.Signals | null {
  return signalNames.get(num) ?? null;
}

export function errnoName(num: number): string {
  return errnoNames.get(num) ?? `E${num}`;
}
