// Pods waiting to be scheduled: activeQ (ready now, higher priority first, then oldest), backoffQ
// (failed recently; waiting 1 s doubling to 10 s per attempt) and the unschedulable pool (failed
// for reasons only a cluster change can fix; moved back on such events or after 5 minutes).
// Pure apart from the pop() promise: time comes from an injected clock and the owner calls the
// flush methods on its own timers.
import { podPriority, podKey, type Pod } from '../framework/types.js';
import { KeyedHeap } from './heap.js';

export interface QueuedPodInfo {
  pod: Pod;
  key: string;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When the pod last entered a queue (ordering and backoff start from here). */
  timestamp: number;
  initialAttemptTimestamp?: number;
  /** Plugins that rejected the pod last time; an event only moves pods some of them care about. */
  unschedulablePlugins: Set<string>;
}

export interface SchedulingQueueOptions {
  now?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
}

/** Plugins an event could help; 'all' for events that may help any pod. */
export type EventAudience = ReadonlySet<string> | 'all';

function higherFirst(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const pa = podPriority(a.pod);
  const pb = podPriority(b.pod);
  return pa !== pb ? pa > pb : a.timestamp < b.timestamp;
}

export class SchedulingQueue {
  private readonly now: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly activeQ = new KeyedHeap<QueuedPodInfo>((p) => p.key, higherFirst);
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet returned or done: their updates are kept here. */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly waiters: Array<(info: QueuedPodInfo | undefined) => void> = [];
  private cycle = 0;
  private moveRequestCycle = -1;
  private closed = false;

  constructor(options: SchedulingQueueOptions = {}) {
    this.now = options.now ?? Date.now;
    this.initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = options.maxUnschedulableMs ?? 5 * 60_000;
    this.backoffQ = new KeyedHeap<QueuedPodInfo>((p) => p.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Incremented on every pop: the id of the scheduling cycle the popped pod runs in. */
  schedulingCycle(): number {
    return this.cycle;
  }

  backoffDurationMs(info: QueuedPodInfo): number {
    if (info.attempts <= 0) return 0;
    let d = this.initialBackoffMs;
    for (let i = 1; i < info.attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDurationMs(info);
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.has(key)) {
      this.update(pod);
      return;
    }
    this.pushActive({ pod, key, attempts: 0, timestamp: this.now(), unschedulablePlugins: new Set() });
  }

  has(key: string): boolean {
    return this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  /** A pending pod changed. A spec or label change may make an unschedulable pod fit: retry it. */
  update(pod: Pod): void {
    const key = podKey(pod);
    const active = this.activeQ.get(key);
    if (active) {
      this.activeQ.push({ ...active, pod });
      return;
    }
    const backoff = this.backoffQ.get(key);
    if (backoff) {
      this.backoffQ.push({ ...backoff, pod });
      return;
    }
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.pod = pod;
      return;
    }
    const parked = this.unschedulable.get(key);
    if (parked) {
      const changed = JSON.stringify(parked.pod.spec) !== JSON.stringify(pod.spec) || JSON.stringify(parked.pod.metadata.labels) !== JSON.stringify(pod.metadata.labels);
      const info = { ...parked, pod };
      if (!changed) {
        this.unschedulable.set(key, info);
        return;
      }
      this.unschedulable.delete(key);
      this.requeue(info);
      return;
    }
    this.add(pod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** The next pod to schedule without waiting, or undefined when activeQ is empty. */
  tryPop(): QueuedPodInfo | undefined {
    const info = this.activeQ.pop();
    if (!info) return undefined;
    return this.startAttempt(info);
  }

  /** Waits for a pod; resolves undefined once the queue is closed or `signal` aborts. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const ready = this.tryPop();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const waiter = (info: QueuedPodInfo | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(info);
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** The popped pod is settled (bound or dropped). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The popped pod did not fit. If a cluster event arrived while it was being scheduled, it may
   * fit now, so it goes to backoff instead of waiting for the next event.
   */
  addUnschedulable(info: QueuedPodInfo, podSchedulingCycle: number, rejectors: Iterable<string> = []): void {
    if (!this.inFlight.has(info.key)) return; // deleted meanwhile
    const current = this.inFlight.get(info.key)!;
    this.inFlight.delete(info.key);
    const next: QueuedPodInfo = { ...current, timestamp: this.now(), unschedulablePlugins: new Set(rejectors) };
    if (this.moveRequestCycle >= podSchedulingCycle) this.backoffQ.push(next);
    else this.unschedulable.set(info.key, next);
  }

  /** The popped pod hit an error (bind failed, API error): retry after backoff. */
  addBackoff(info: QueuedPodInfo): void {
    const current = this.inFlight.get(info.key);
    if (!current) return;
    this.inFlight.delete(info.key);
    this.backoffQ.push({ ...current, timestamp: this.now() });
  }

  /** A cluster event: unschedulable pods it could help move to active (or backoff if still backing off). */
  moveOnEvent(audience: EventAudience): number {
    this.moveRequestCycle = this.cycle;
    let moved = 0;
    for (const [key, info] of this.unschedulable) {
      if (audience !== 'all' && info.unschedulablePlugins.size > 0 && ![...info.unschedulablePlugins].some((p) => audience.has(p))) continue;
      this.unschedulable.delete(key);
      this.requeue(info);
      moved++;
    }
    return moved;
  }

  /** Moves pods whose backoff has expired to activeQ. Call about every second. */
  flushBackoffCompleted(): void {
    const now = this.now();
    for (let head = this.backoffQ.peek(); head && this.backoffExpiry(head) <= now; head = this.backoffQ.peek()) {
      this.pushActive(this.backoffQ.pop()!);
    }
  }

  /** Retries pods that have waited in the unschedulable pool too long. Call every 30 s or so. */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const [key, info] of this.unschedulable) {
      if (now - info.timestamp < this.maxUnschedulableMs) continue;
      this.unschedulable.delete(key);
      this.requeue(info);
    }
  }

  /** Ends pending and future pops. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  counts(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  private requeue(info: QueuedPodInfo): void {
    if (this.backoffExpiry(info) > this.now()) this.backoffQ.push(info);
    else this.pushActive(info);
  }

  private pushActive(info: QueuedPodInfo): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.startAttempt(info));
      return;
    }
    this.activeQ.push(info);
  }

  private startAttempt(info: QueuedPodInfo): QueuedPodInfo {
    this.cycle++;
    const started: QueuedPodInfo = { ...info, attempts: info.attempts + 1, initialAttemptTimestamp: info.initialAttemptTimestamp ?? this.now() };
    this.inFlight.set(info.key, started);
    return started;
  }
}
