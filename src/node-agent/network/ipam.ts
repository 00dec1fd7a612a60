// Host-local IP address management for one node's pod CIDR: the pure allocator plus a store that
// persists allocations (atomic rename) so pods keep their IPs across agent restarts.

import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cidrContains, formatIpv4, gatewayOf, parseCidr, parseIpv4, podRange } from './cidr.js';

export interface IpamState {
  podCidr: string;
  /** pod uid -> IPv4 address */
  allocations: Record<string, string>;
  /** Last address handed out; the next search starts after it so freed IPs are not reused at once. */
  lastAllocated?: string;
}

export class IpamExhaustedError extends Error {
  override readonly name = 'IpamExhaustedError';
}

export function emptyIpamState(podCidr: string): IpamState {
  parseCidr(podCidr);
  return { podCidr, allocations: {} };
}

/**
 * Returns the state with `podUid` holding an address (the same one if it already has one) and that
 * address. Pure: never mutates `state`.
 */
export function allocate(state: IpamState, podUid: string): { state: IpamState; ip: string } {
  const existing = state.allocations[podUid];
  if (existing) return { state, ip: existing };
  const cidr = parseCidr(state.podCidr);
  const { first, last } = podRange(cidr);
  const used = new Set(Object.values(state.allocations).map(parseIpv4));
  const previous = state.lastAllocated ? parseIpv4(state.lastAllocated) : last;
  const start = previous >= first && previous <= last ? previous : last;
  const count = last - first + 1;
  for (let step = 1; step <= count; step++) {
    const candidate = first + ((start - first + step) % count);
    if (used.has(candidate)) continue;
    const ip = formatIpv4(candidate);
    return { state: { ...state, allocations: { ...state.allocations, [podUid]: ip }, lastAllocated: ip }, ip };
  }
  throw new IpamExhaustedError(`no free IP left in pod CIDR ${state.podCidr} (${count} addresses in use)`);
}

/** Returns the state without `podUid`'s address (unchanged if it had none). Pure. */
export function release(state: IpamState, podUid: string): IpamState {
  if (!(podUid in state.allocations)) return state;
  const allocations = { ...state.allocations };
  delete allocations[podUid];
  return { ...state, allocations };
}

/** Checks a loaded state against the configured CIDR; drops entries that fall outside it. */
export function reconcileLoaded(loaded: IpamState, podCidr: string): IpamState {
  const cidr = parseCidr(podCidr);
  const { first, last } = podRange(cidr);
  const gateway = gatewayOf(cidr);
  const allocations: Record<string, string> = {};
  const seen = new Set<number>();
  for (const [uid, ip] of Object.entries(loaded.allocations ?? {})) {
    let value: number;
    try {
      value = parseIpv4(ip);
    } catch {
      continue;
    }
    if (!cidrContains(cidr, value) || value === gateway || value < first || value > last || seen.has(value)) continue;
    seen.add(value);
    allocations[uid] = ip;
  }
  return { podCidr, allocations, lastAllocated: loaded.podCidr === podCidr ? loaded.lastAllocated : undefined };
}

/**
 * Writes a file so that readers see either the old or the new content, never a torn one. No fsync:
 * the rename is atomic and survives an agent crash; the agent keeps this state on its tmpfs run
 * dir, which a reboot clears together with every pod network it describes.
 */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/**
 * The persisted allocator. Decisions are synchronous, in memory, so two concurrent pod setups can
 * never interleave between reading and changing the state; `persisted()` writes the latest state
 * (one write at a time, many changes per write) and resolves once the caller's change is on disk,
 * so an address is used only after it is recorded, without blocking the agent's thread.
 */
export class IpamStore {
  readonly path: string;
  private state: IpamState;
  private dirty = false;
  private writing?: Promise<void>;
  private dirMade = false;

  constructor(stateDir: string, podCidr: string) {
    this.path = join(stateDir, 'ipam.json');
    this.state = IpamStore.load(this.path, podCidr);
  }

  private static load(path: string, podCidr: string): IpamState {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyIpamState(podCidr);
      throw error;
    }
    const parsed = JSON.parse(text) as IpamState;
    return reconcileLoaded(parsed, podCidr);
  }

  get(podUid: string): string | undefined {
    return this.state.allocations[podUid];
  }

  allocations(): Readonly<Record<string, string>> {
    return this.state.allocations;
  }

  /** Takes an address for the pod (its existing one on a repeat); await `persisted()` before using it. */
  allocate(podUid: string): string {
    const result = allocate(this.state, podUid);
    if (result.state !== this.state) this.change(result.state);
    return result.ip;
  }

  release(podUid: string): void {
    const next = release(this.state, podUid);
    if (next !== this.state) this.change(next);
  }

  /** Resolves once every change made so far is written. */
  persisted(): Promise<void> {
    if (!this.dirty && !this.writing) return Promise.resolve();
    this.writing ??= this.writeChanges().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private change(next: IpamState): void {
    this.state = next;
    this.dirty = true;
  }

  private async writeChanges(): Promise<void> {
    if (!this.dirMade) {
      await mkdir(dirname(this.path), { recursive: true });
      this.dirMade = true;
    }
    // Changes made while a write is in flight are picked up by the next round of the loop.
    while (this.dirty) {
      this.dirty = false;
      await writeFileAtomicAsync(this.path, JSON.stringify(this.state) + '\n');
    }
  }
}

/** writeFileAtomic off the calling thread (one writer per path at a time; the dir exists). */
async function writeFileAtomicAsync(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  // A few hundred bytes on the run dir's tmpfs: synchronous is cheaper than two thread-pool trips.
  writeFileSync(temp, content, { mode: 0o600 });
  renameSync(temp, path);
}
