// One StatefulSet sync: record the template as a ControllerRevision, create claims and pods,
// delete pods, write status.
import { isApiError } from '../../api/errors.js';
import { cloneObject, type KubeObject } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import { isControlledBy, type Pod, type PodTemplateSpec } from '../common/pods.js';
import { statusEqual } from '../replicaset/sync.js';
import { reconcileStatefulSet, REVISION_LABEL, type StatefulSet } from './reconcile.js';

export interface ControllerRevision extends KubeObject {
  data?: { spec?: { template?: PodTemplateSpec & { $patch?: string } } };
  revision?: number;
}

export interface StatefulSetSyncOptions {
  client: RestClient;
  statefulSets: Lister<StatefulSet>;
  pods: Lister<Pod>;
  claims: Lister<KubeObject>;
  revisions: Lister<ControllerRevision>;
  recorder: EventRecorder;
  log: Logger;
  now?: () => Date;
}

export class StatefulSetSync {
  constructor(private readonly o: StatefulSetSyncOptions) {}

  async sync(key: string): Promise<void> {
    const { client, recorder } = this.o;
    const [namespace, name] = key.split('/') as [string, string];
    const sts = this.o.statefulSets.get(namespace, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const owned = this.o.revisions.list(namespace, (r) => isControlledBy(r, sts));
    const revisions = new Map<string, PodTemplateSpec>();
    for (const r of owned) {
      const template = structuredClone(r.data?.spec?.template ?? {});
      delete template.$patch;
      revisions.set(r.metadata.name ?? '', template);
    }
    const plan = reconcileStatefulSet({
      sts,
      pods: this.o.pods.list(namespace, (p) => isControlledBy(p, sts)),
      claims: new Set(this.o.claims.list(namespace).map((c) => c.metadata.name ?? '')),
      revisions,
      now: this.o.now?.() ?? new Date(),
    });
    if (plan.createRevision) {
      const revision: ControllerRevision = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: plan.createRevision.name,
          namespace,
          labels: { ...(sts.spec?.template?.metadata?.labels ?? {}), [REVISION_LABEL]: plan.createRevision.name.slice(name.length + 1) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: sts.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
        },
        data: { spec: { template: { ...plan.createRevision.template, $patch: 'replace' } } },
        revision: Math.max(0, ...owned.map((r) => r.revision ?? 0)) + 1,
      };
      await this.ignoring(['AlreadyExists'], () => client.create(KINDS.controllerRevision, revision));
    }
    for (const claim of plan.createClaims) {
      await this.ignoring(['AlreadyExists'], () => client.create(KINDS.pvc, claim));
      recorder.event(sts, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${plan.createPods[0]?.metadata.name ?? ''} in StatefulSet ${name} success`);
    }
    for (const pod of plan.createPods) {
      try {
        await client.create(KINDS.pod, pod);
        recorder.event(sts, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${name} successful`);
      } catch (err) {
        if (isApiError(err, 'AlreadyExists')) continue;
        recorder.event(sts, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
    for (const pod of plan.deletePods) {
      await this.ignoring(['NotFound', 'Conflict'], () => client.delete(KINDS.pod, namespace, pod.metadata.name ?? '', { preconditions: { uid: pod.metadata.uid } }));
      recorder.event(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`);
    }
    if (!statusEqual(sts.status as Record<string, unknown> | undefined, plan.status as unknown as Record<string, unknown>)) {
      const next = cloneObject(sts);
      next.status = plan.status;
      await this.ignoring(['NotFound'], () => client.updateStatus(KINDS.statefulSet, next));
    }
  }

  private async ignoring(reasons: string[], fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!reasons.some((r) => isApiError(err, r as never))) throw err;
    }
  }
}
