// Handling of one popped pod: run the cycle, assume the pod on the chosen node, pre-bind and bind
// in the background; on failure run PostFilter (preemption), report, and park the pod in the queue.
// API effects go through SchedulerActions so this file stays free of I/O.
import type { Logger } from '../client/log.js';
import type { SchedulerCache } from './cache.js';
import { isRejection, type Status } from './framework/interfaces.js';
import { FitError, PodPlacer } from './framework/schedule-cycle.js';
import type { Framework } from './framework/runtime.js';
import { podKey, type Pod } from './framework/types.js';
import type { QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.js';

export interface SchedulerActions {
  /** Sets PodScheduled=False/`reason` with `message`, and nominatedNodeName when given. */
  markUnschedulable(pod: Pod, reason: string, message: string, nominatedNodeName?: string): Promise<void>;
  /** Deletes a preemption victim. */
  deleteVictim(victim: Pod, preemptor: Pod, nodeName: string): Promise<void>;
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface ScheduleOneOptions {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  frameworks: ReadonlyMap<string, Framework>;
  actions: SchedulerActions;
  log: Logger;
  signal: AbortSignal;
  random?: () => number;
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export function schedulerNameOf(pod: Pod): string {
  return pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME;
}

/** Binding errors that mean the pod is gone or already bound: do not retry. */
function isFinalBindError(message: string): boolean {
  return /not found|already assigned|already bound|is being deleted/i.test(message);
}

export class ScheduleOne {
  private readonly placers = new Map<Framework, PodPlacer>();
  private readonly binds = new Set<Promise<void>>();
  scheduled = 0;
  failed = 0;

  constructor(private readonly o: ScheduleOneOptions) {
    for (const fw of o.frameworks.values()) this.placers.set(fw, new PodPlacer(fw, o.random));
  }

  /** Resolves when every binding started so far has finished. */
  async idle(): Promise<void> {
    while (this.binds.size > 0) await Promise.all([...this.binds]);
  }

  run(info: QueuedPodInfo): void {
    const { cache, queue, frameworks, log } = this.o;
    const pod = info.pod;
    const fw = frameworks.get(schedulerNameOf(pod));
    if (!fw || pod.metadata.deletionTimestamp || pod.spec?.nodeName || cache.isAssumed(pod)) {
      queue.done(info.key);
      return;
    }
    const cycle = queue.schedulingCycle();
    const state = fw.newCycleState();
    let nodeName: string;
    try {
      nodeName = this.placers.get(fw)!.schedule(state, pod).nodeName;
    } catch (err) {
      this.failed++;
      if (err instanceof FitError) this.handleFit(fw, info, cycle, err, state);
      else {
        log.error('scheduling cycle failed', { object: info.key, err });
        queue.addBackoff(info);
        this.report(pod, 'SchedulerError', err instanceof Error ? err.message : String(err));
      }
      return;
    }
    cache.assume(pod, nodeName);
    const rejected = fw.runReserve(state, pod, nodeName) ?? fw.runPermit(state, pod, nodeName);
    if (rejected) {
      fw.runUnreserve(state, pod, nodeName);
      cache.forget(pod);
      queue.addBackoff(info);
      this.report(pod, 'SchedulerError', rejected.reasons.join(', '));
      return;
    }
    const bind = this.bind(fw, info, cycle, nodeName, state);
    this.binds.add(bind);
    void bind.finally(() => this.binds.delete(bind));
  }

  private async bind(fw: Framework, info: QueuedPodInfo, cycle: number, nodeName: string, state: ReturnType<Framework['newCycleState']>): Promise<void> {
    const { cache, queue, log, signal } = this.o;
    const pod = info.pod;
    if (fw.preBindPlugins.length > 0) {
      const preBound = await fw.runPreBind(state, pod, nodeName, signal);
      if (preBound) {
        this.preBindFailed(fw, info, cycle, nodeName, state, preBound);
        return;
      }
    }
    let status;
    try {
      status = await fw.runBind(pod, nodeName, signal);
    } catch (err) {
      status = { code: 'Error' as const, reasons: [err instanceof Error ? err.message : String(err)] };
    }
    if (!status) {
      cache.finishBinding(pod);
      queue.done(info.key);
      this.scheduled++;
      this.o.actions.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${podKey(pod)} to ${nodeName}`);
      return;
    }
    fw.runUnreserve(state, pod, nodeName);
    cache.forget(pod);
    if (signal.aborted) return;
    const message = status.reasons.join(', ');
    if (isFinalBindError(message)) {
      log.info('binding dropped', { object: info.key, node: nodeName, reason: message });
      queue.done(info.key);
      return;
    }
    log.warn('binding failed; retrying after backoff', { object: info.key, node: nodeName, reason: message });
    queue.addBackoff(info);
    // Freed space may help other pods.
    queue.moveOnEvent('all');
    this.o.actions.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${message}`);
  }

  /**
   * PreBind failed (Kubernetes' handleBindingCycleError): undo Reserve and the assumption, let
   * pods that the freed space may help retry, and report the pod's failure with its condition.
   */
  private preBindFailed(fw: Framework, info: QueuedPodInfo, cycle: number, nodeName: string, state: ReturnType<Framework['newCycleState']>, status: Status): void {
    const { cache, queue, log, signal } = this.o;
    const pod = info.pod;
    fw.runUnreserve(state, pod, nodeName);
    cache.forget(pod);
    if (signal.aborted) return;
    const message = status.reasons.join(', ');
    log.warn('pre-binding failed; retrying', { object: info.key, node: nodeName, plugin: status.plugin, reason: message });
    queue.moveOnEvent('all');
    if (isRejection(status)) queue.addUnschedulable(info, cycle, status.plugin ? [status.plugin] : []);
    else queue.addBackoff(info);
    this.report(pod, isRejection(status) ? 'Unschedulable' : 'SchedulerError', message);
  }

  private handleFit(fw: Framework, info: QueuedPodInfo, cycle: number, err: FitError, state: ReturnType<Framework['newCycleState']>): void {
    const { queue, log } = this.o;
    const pod = info.pod;
    let nominated: string | undefined;
    if (fw.postFilterPlugins.length > 0 && err.numAllNodes > 0) {
      const result = fw.runPostFilter(state, pod, err.filtered);
      if (result?.status.code === 'Success' && result.nominatedNodeName) {
        nominated = result.nominatedNodeName;
        this.preempt(pod, nominated, result.victims ?? []);
      } else if (result) err.setPostFilterMessage(result.status.reasons.join(', '));
    }
    const rejectors = new Set<string>();
    for (const s of err.filtered.values()) if (s.plugin) rejectors.add(s.plugin);
    queue.addUnschedulable(info, cycle, rejectors);
    log.debug('pod is unschedulable', { object: info.key, message: err.message, nominated });
    this.report(pod, 'Unschedulable', err.message, nominated);
  }

  private preempt(pod: Pod, nodeName: string, victims: Pod[]): void {
    const { actions, log } = this.o;
    log.info('preempting', { object: podKey(pod), node: nodeName, victims: victims.map(podKey) });
    for (const victim of victims) {
      actions.deleteVictim(victim, pod, nodeName).catch((err: unknown) => log.warn('could not delete preemption victim', { object: podKey(victim), err }));
    }
  }

  private report(pod: Pod, reason: string, message: string, nominatedNodeName?: string): void {
    const { actions, log } = this.o;
    actions.event(pod, 'Warning', 'FailedScheduling', message);
    actions.markUnschedulable(pod, reason, message, nominatedNodeName).catch((err: unknown) => log.warn('could not update pod status', { object: podKey(pod), err }));
  }
}
