// The scheduler cache: the cluster Snapshot plus pods assumed onto nodes whose binding is still in
// flight, so the next pod already sees them. The informer's confirmation replaces an assumed pod;
// a failed binding forgets it; an assumption never confirmed expires.
import { Snapshot } from './framework/snapshot.js';
import { podUid, type Node, type Pod } from './framework/types.js';

interface Assumed {
  pod: Pod;
  nodeName: string;
  /** Set when the binding call succeeded; the informer event should follow shortly. */
  deadline?: number;
}

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

/** Terminal pods hold no resources on their node. */
export function isTerminal(pod: Pod): boolean {
  return TERMINAL_PHASES.has(pod.status?.phase ?? '');
}

export class SchedulerCache {
  readonly snapshot = new Snapshot();
  private readonly assumed = new Map<string, Assumed>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly assumedTtlMs = 30_000,
  ) {}

  assume(pod: Pod, nodeName: string): void {
    this.assumed.set(podUid(pod), { pod, nodeName });
    this.snapshot.addPod(pod, nodeName);
  }

  isAssumed(pod: Pod): boolean {
    return this.assumed.has(podUid(pod));
  }

  /** The binding succeeded; start the clock for the informer to confirm it. */
  finishBinding(pod: Pod): void {
    const a = this.assumed.get(podUid(pod));
    if (a) a.deadline = this.now() + this.assumedTtlMs;
  }

  forget(pod: Pod): void {
    const uid = podUid(pod);
    if (!this.assumed.delete(uid)) return;
    this.snapshot.removePod(pod);
  }

  /** An assigned pod from the informer (add or update). */
  upsertPod(pod: Pod): void {
    this.assumed.delete(podUid(pod));
    if (isTerminal(pod)) this.snapshot.removePod(pod);
    else this.snapshot.addPod(pod);
  }

  removePod(pod: Pod): void {
    this.assumed.delete(podUid(pod));
    this.snapshot.removePod(pod);
  }

  setNode(node: Node): void {
    this.snapshot.setNode(node);
  }

  removeNode(name: string): void {
    this.snapshot.removeNode(name);
  }

  /** Drops bound-but-unconfirmed assumptions past their deadline; returns how many. */
  cleanupExpired(): number {
    const now = this.now();
    let n = 0;
    for (const [uid, a] of this.assumed) {
      if (a.deadline === undefined || a.deadline > now) continue;
      this.assumed.delete(uid);
      this.snapshot.removePod(a.pod);
      n++;
    }
    return n;
  }

  assumedCount(): number {
    return this.assumed.size;
  }
}
