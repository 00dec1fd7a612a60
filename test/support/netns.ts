// Test helper: a private "node" network namespace (kjb-t<hex>) so network tests never touch the
// host's interfaces, routes or nft rules. Create it in `before`, remove it in `after`.

import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { runCommand, type CommandResult } from '../../src/node-agent/network/exec.js';

/** Why real-network tests cannot run here, or undefined when they can. */
export function networkTestSkipReason(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'needs root (creates network namespaces, veths and nft tables)';
  }
  for (const tool of ['ip', 'nft', 'busybox', 'timeout', 'sysctl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      return `needs ${tool} (apt-get install iproute2 nftables busybox-static procps coreutils)`;
    }
  }
  return undefined;
}

export function randomHex(bytes = 3): string {
  return randomBytes(bytes).toString('hex');
}

export interface TestNodeNetns {
  name: string;
  /** Runs a command inside the namespace. */
  exec(command: string[], timeoutMs?: number): Promise<CommandResult>;
  remove(): Promise<void>;
}

/** Creates `kjb-t<hex>` with lo up. */
export async function createTestNodeNetns(): Promise<TestNodeNetns> {
  const name = `kjb-t${randomHex()}`;
  await runCommand(['ip', 'netns', 'add', name]);
  await runCommand(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  return {
    name,
    exec: (command, timeoutMs) => runCommand(['ip', 'netns', 'exec', name, ...command], undefined, timeoutMs),
    remove: () => removeNetns(name),
  };
}

/** Deletes a netns by name; a missing one is fine. */
export async function removeNetns(name: string): Promise<void> {
  try {
    await runCommand(['ip', 'netns', 'del', name]);
  } catch (error) {
    if (!/no such file|cannot remove/i.test(String((error as Error).message))) throw error;
  }
}

export async function listNetns(): Promise<string[]> {
  const { stdout } = await runCommand(['ip', 'netns', 'list']);
  return stdout.split('\n').map((line) => line.split(' ')[0]!).filter(Boolean);
}
