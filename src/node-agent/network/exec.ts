// The one place where pod networking runs `ip`, `nft`, `bridge` and `sysctl`. Every command can be
// scoped to a "node" network namespace so tests (and nested nodes) never touch the host network.

import { HelperCommandError, runHelper } from '../launcher/launch.js';
import { limitedSpawn } from '../process-limit.js';
import { netnsPath } from './names.js';

export class NetworkCommandError extends Error {
  override readonly name = 'NetworkCommandError';
  constructor(
    readonly command: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${command.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || '(no stderr)'}`);
  }
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without a shell, in network namespace `netns` (a path) when given; rejects with
 * NetworkCommandError carrying the command and stderr.
 */
export function runCommand(command: string[], input?: string, timeoutMs = 15_000, netns?: string): Promise<CommandResult> {
  return limitedSpawn(() => spawnCommand(command, input, timeoutMs, netns));
}

async function spawnCommand(command: string[], input: string | undefined, timeoutMs: number, netns: string | undefined): Promise<CommandResult> {
  try {
    return await runHelper(command[0]!, command.slice(1), { input, timeoutMs, netns });
  } catch (error) {
    if (!(error instanceof HelperCommandError)) throw error;
    const code = typeof error.code === 'number' ? error.code : null;
    const detail = error.stderr || (typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message);
    throw new NetworkCommandError(command, code, detail);
  }
}


/** stderr fragments meaning "the thing is already gone" (so deletes can be idempotent). */
const GONE_PATTERNS = [
  /cannot find device/i,
  /no such file or directory/i,
  /no such process/i,
  /does not exist/i,
  /not found/i,
  /cannot remove namespace file/i,
];

export function isAlreadyGone(error: unknown): boolean {
  return error instanceof NetworkCommandError && GONE_PATTERNS.some((p) => p.test(error.stderr));
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof NetworkCommandError && /file exists|already exists/i.test(error.stderr);
}

/**
 * Builds command lines for one node network namespace (or the current one when `nodeNetns` is
 * undefined). `ip -n` and the launcher's setns keep every change inside that namespace.
 */
export class NodeCommands {
  constructor(readonly nodeNetns?: string) {}

  ip(...args: string[]): Promise<CommandResult> {
    return runCommand(this.nodeNetns ? ['ip', '-n', this.nodeNetns, ...args] : ['ip', ...args]);
  }

  /** Several `ip` commands in one process (`ip -batch -`), in the node namespace or in `netns`. */
  ipBatch(lines: string[][], netns?: string): Promise<CommandResult> {
    const target = netns ?? this.nodeNetns;
    const base = target ? ['ip', '-n', target] : ['ip'];
    return runCommand([...base, '-batch', '-'], lines.map((l) => l.join(' ')).join('\n') + '\n').catch((error: unknown) => {
      // ip stops at the first failing line; the message lists the batch so the culprit is visible.
      if (!(error instanceof NetworkCommandError)) throw error;
      throw new NetworkCommandError([...base, '-batch', `[${lines.map((l) => l.join(' ')).join('; ')}]`], error.exitCode, error.stderr);
    });
  }

  /**
   * Like ipBatch in the node namespace, for batches that start with `netns add`: `ip -n` runs in a
   * private mount namespace where the new namespace's bind mount would stay invisible, so `ip`
   * only enters the node's network namespace (the launcher's setns) and keeps the shared mounts.
   */
  ipBatchCreatingNetns(lines: string[][]): Promise<CommandResult> {
    const text = lines.map((l) => l.join(' ')).join('\n') + '\n';
    return runCommand(['ip', '-batch', '-'], text, undefined, this.nodeNetnsPath()).catch((error: unknown) => {
      if (!(error instanceof NetworkCommandError)) throw error;
      throw new NetworkCommandError([...(this.nodeNetns ? [`(in ${this.nodeNetns})`] : []), 'ip', '-batch', `[${lines.map((l) => l.join(' ')).join('; ')}]`], error.exitCode, error.stderr);
    });
  }

  /** The node namespace's path, undefined for the current one. */
  nodeNetnsPath(): string | undefined {
    return this.nodeNetns ? netnsPath(this.nodeNetns) : undefined;
  }

  /** `ip` in the current namespace (for `ip netns add/del`, which are global). */
  ipGlobal(...args: string[]): Promise<CommandResult> {
    return runCommand(['ip', ...args]);
  }

  /** Runs any program inside the node namespace. */
  inNode(...command: string[]): Promise<CommandResult> {
    return runCommand(command, undefined, undefined, this.nodeNetnsPath());
  }

  nft(...args: string[]): Promise<CommandResult> {
    return this.inNode('nft', ...args);
  }

  /** Loads an nft ruleset atomically from stdin. */
  nftApply(ruleset: string): Promise<CommandResult> {
    return runCommand(['nft', '-f', '-'], ruleset, undefined, this.nodeNetnsPath());
  }

  /** Deletes a command's target, treating "already gone" as success. */
  async tolerateGone(action: Promise<unknown>): Promise<void> {
    try {
      await action;
    } catch (error) {
      if (!isAlreadyGone(error)) throw error;
    }
  }
}
