// One DaemonSet sync: record the template revision, create and delete pods under expectations,
// write status.
import { isApiError } from '../../api/errors.js';
import { cloneObject } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { ControllerExpectations } from '../../client/expectations.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import { isControlledBy, slowStartBatch, type Pod } from '../common/pods.js';
import { statusEqual } from '../replicaset/sync.js';
import type { ControllerRevision } from '../statefulset/sync.js';
import type { NodeObject } from './eligibility.js';
import { DS_REVISION_LABEL, reconcileDaemonSet, type DaemonSet } from './reconcile.js';

export interface DaemonSetSyncOptions {
  client: RestClient;
  daemonSets: Lister<DaemonSet>;
  nodes: Lister<NodeObject>;
  pods: Lister<Pod>;
  revisions: Lister<ControllerRevision>;
  expectations: ControllerExpectations;
  recorder: EventRecorder;
  log: Logger;
  now?: () => Date;
}

export class DaemonSetSync {
  constructor(private readonly o: DaemonSetSyncOptions) {}

  async sync(key: string): Promise<void> {
    const { client, expectations, recorder } = this.o;
    const [namespace, name] = key.split('/') as [string, string];
    const ds = this.o.daemonSets.get(namespace, name);
    if (!ds) {
      expectations.deleteExpectations(key);
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const plan = reconcileDaemonSet({ ds, nodes: this.o.nodes.list(), pods: this.o.pods.list(namespace, (p) => isControlledBy(p, ds)), now: this.o.now?.() ?? new Date() });
    await this.ensureRevision(ds, plan.updateHash);
    let failure: unknown;
    if (expectations.satisfied(key)) {
      if (plan.delete.length) {
        expectations.expectDeletions(key, plan.delete.length);
        for (const pod of plan.delete) {
          try {
            await client.delete(KINDS.pod, namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } });
            recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (err) {
            expectations.deletionObserved(key);
            if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) failure ??= err;
          }
        }
      }
      if (plan.create.length) {
        expectations.raiseExpectations(key, plan.create.length, 0);
        const result = await slowStartBatch(plan.create.length, 1, async (i) => {
          try {
            const created = await client.create<Pod>(KINDS.pod, plan.create[i]!);
            recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
          } catch (err) {
            expectations.creationObserved(key);
            recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
            throw err;
          }
        });
        for (let i = result.successes + (result.error ? 1 : 0); i < plan.create.length; i++) expectations.creationObserved(key);
        failure ??= result.error;
      }
    }
    if (!statusEqual(ds.status as Record<string, unknown> | undefined, plan.status as unknown as Record<string, unknown>)) {
      const next = cloneObject(ds);
      next.status = plan.status;
      try {
        await client.updateStatus(KINDS.daemonSet, next);
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    }
    if (failure) throw failure;
  }

  /** `kubectl rollout history daemonset` lists ControllerRevisions; keep one per template. */
  private async ensureRevision(ds: DaemonSet, hash: string): Promise<void> {
    const owned = this.o.revisions.list(ds.metadata.namespace, (r) => isControlledBy(r, ds));
    const revName = `${ds.metadata.name}-${hash}`;
    if (owned.some((r) => r.metadata.name === revName)) return;
    const revision: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: revName,
        namespace: ds.metadata.namespace,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [DS_REVISION_LABEL]: hash },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name ?? '', uid: ds.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      data: { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } },
      revision: Math.max(0, ...owned.map((r) => r.revision ?? 0)) + 1,
    };
    try {
      await this.o.client.create(KINDS.controllerRevision, revision);
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
    }
  }
}
