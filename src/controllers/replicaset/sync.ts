// One ReplicaSet sync: read the caches, ask reconcile what to do, do it through the API server,
// record expectations first so a lagging cache never doubles a creation, then write status.
import { isApiError } from '../../api/errors.js';
import { cloneObject, objectKey } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { ControllerExpectations } from '../../client/expectations.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import { PatchTypes, type RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import { adoptPatch, controllerRefFor, releasePatch, slowStartBatch, type Pod } from '../common/pods.js';
import { podFromTemplate, reconcileReplicaSet, type ReplicaSet, type ReplicaSetStatus } from './reconcile.js';

export interface ReplicaSetSyncOptions {
  client: RestClient;
  replicaSets: Lister<ReplicaSet>;
  pods: Lister<Pod>;
  expectations: ControllerExpectations;
  recorder: EventRecorder;
  log: Logger;
  now?: () => Date;
}

export interface SyncResult {
  requeueAfterMs?: number;
}

export function statusEqual(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  return JSON.stringify(sortKeys(a ?? {})) === JSON.stringify(sortKeys(b ?? {}));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export class ReplicaSetSync {
  private readonly now: () => Date;
  constructor(private readonly o: ReplicaSetSyncOptions) {
    this.now = o.now ?? (() => new Date());
  }

  async sync(key: string): Promise<SyncResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const rs = this.o.replicaSets.get(namespace, name);
    if (!rs) {
      this.o.expectations.deleteExpectations(key);
      return {};
    }
    const plan = reconcileReplicaSet({
      rs,
      pods: this.o.pods.list(namespace),
      now: this.now(),
      expectationsSatisfied: this.o.expectations.satisfied(key),
    });
    const ref = controllerRefFor(rs, 'apps/v1', 'ReplicaSet');
    for (const pod of plan.adopt) await this.patchIgnoringGone(pod, adoptPatch(pod, ref));
    for (const pod of plan.release) await this.patchIgnoringGone(pod, releasePatch(pod, rs.metadata.uid ?? ''));

    let failure: unknown;
    if (plan.create > 0) failure = await this.createPods(key, rs, plan.create);
    else if (plan.delete.length > 0) failure = await this.deletePods(key, rs, plan.delete);

    await this.writeStatus(rs, plan.status);
    if (failure) throw failure;
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  private async createPods(key: string, rs: ReplicaSet, count: number): Promise<unknown> {
    const { client, expectations, recorder, log } = this.o;
    expectations.expectCreations(key, count);
    const template = podFromTemplate(rs, rs.spec?.template, { apiVersion: 'apps/v1', kind: 'ReplicaSet' }, `${rs.metadata.name}-`);
    const result = await slowStartBatch(count, 1, async () => {
      try {
        const created = await client.create<Pod>(KINDS.pod, cloneObject(template));
        recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        expectations.creationObserved(key);
        // A terminating namespace refuses new pods; that is not worth an event.
        if (!(isApiError(err, 'Forbidden') && /being terminated/.test(String((err as Error).message)))) {
          recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        }
        throw err;
      }
    });
    const skipped = count - result.successes - (result.error ? 1 : 0);
    // Creations never attempted will never be observed.
    for (let i = 0; i < skipped; i++) expectations.creationObserved(key);
    if (result.error) log.warn('pod creation failed', { object: key, err: result.error });
    return result.error;
  }

  private async deletePods(key: string, rs: ReplicaSet, pods: Pod[]): Promise<unknown> {
    const { client, expectations, recorder } = this.o;
    expectations.expectDeletions(key, pods.length);
    const results = await Promise.allSettled(
      pods.map(async (pod) => {
        try {
          await client.delete(KINDS.pod, pod.metadata.namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
          recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          expectations.deletionObserved(key);
          if (isApiError(err, 'NotFound')) return;
          recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          throw err;
        }
      }),
    );
    return results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  }

  private async patchIgnoringGone(pod: Pod, patch: unknown[]): Promise<void> {
    try {
      await this.o.client.patch(KINDS.pod, pod.metadata.namespace, pod.metadata.name ?? '', PatchTypes.json, patch);
    } catch (err) {
      if (isApiError(err, 'NotFound') || isApiError(err, 'Invalid') || isApiError(err, 'Conflict')) return;
      throw err;
    }
  }

  private async writeStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<void> {
    if (statusEqual(rs.status as Record<string, unknown> | undefined, status as unknown as Record<string, unknown>)) return;
    const next = cloneObject(rs) as ReplicaSet;
    next.status = status;
    try {
      await this.o.client.updateStatus(KINDS.replicaSet, next);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return;
      throw err;
    }
    this.o.log.debug('status updated', { object: objectKey(rs), replicas: status.replicas, ready: status.readyReplicas });
  }
}
