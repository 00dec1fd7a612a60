// One Deployment sync: claim ReplicaSets, ask reconcile for the next step, apply it, write status.
import { isApiError } from '../../api/errors.js';
import { cloneObject, controllerOf, objectKey } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { matchesLabelSelector } from '../../client/label-selector.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import { PatchTypes, type RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import { adoptPatch, claimDecision, controllerRefFor, releasePatch, selectsNothing, type Pod } from '../common/pods.js';
import type { ReplicaSet } from '../replicaset/reconcile.js';
import { statusEqual } from '../replicaset/sync.js';
import { templatesEqualIgnoringHash } from './hash.js';
import { reconcileDeployment, type DeploymentAction } from './reconcile.js';
import { ANNOTATIONS, type Deployment, type DeploymentStatus } from './types.js';

export interface DeploymentSyncOptions {
  client: RestClient;
  deployments: Lister<Deployment>;
  replicaSets: Lister<ReplicaSet>;
  pods: Lister<Pod>;
  recorder: EventRecorder;
  log: Logger;
  now?: () => Date;
}

export class DeploymentSync {
  private readonly now: () => Date;
  constructor(private readonly o: DeploymentSyncOptions) {
    this.now = o.now ?? (() => new Date());
  }

  async sync(key: string): Promise<{ requeueAfterMs?: number }> {
    const [namespace, name] = key.split('/') as [string, string];
    const cached = this.o.deployments.get(namespace, name);
    if (!cached) return {};
    let current: Deployment = cached;
    if (selectsNothing(cached.spec?.selector)) {
      this.o.recorder.event(cached, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      return {};
    }
    const sets = await this.claimReplicaSets(cached);
    const plan = reconcileDeployment({ deployment: cached, replicaSets: sets, pods: this.o.pods.list(namespace), now: this.now() });
    for (const action of plan.actions) {
      const result = await this.apply(current, action);
      if (result === 'collision') return {};
      if (result) current = result;
    }
    for (const e of plan.events) this.o.recorder.event(cached, e.type, e.reason, e.message);
    await this.writeStatus(current, plan.status);
    return { requeueAfterMs: plan.requeueAfterMs };
  }

  /** ReplicaSets this deployment controls, adopting matching orphans and releasing strays. */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const uid = d.metadata.uid ?? '';
    const owned: ReplicaSet[] = [];
    for (const rs of this.o.replicaSets.list(d.metadata.namespace)) {
      const matches = matchesLabelSelector(d.spec?.selector, rs.metadata.labels);
      const decision = claimDecision(rs, uid, matches, d.metadata.deletionTimestamp !== undefined);
      if (decision === 'own') owned.push(rs);
      else if (decision === 'adopt' || decision === 'release') {
        const patch = decision === 'adopt' ? adoptPatch(rs, controllerRefFor(d, 'apps/v1', 'Deployment')) : releasePatch(rs, uid);
        try {
          const updated = await this.o.client.patch<ReplicaSet>(KINDS.replicaSet, rs.metadata.namespace, rs.metadata.name ?? '', PatchTypes.json, patch);
          if (decision === 'adopt') owned.push(updated);
        } catch (err) {
          if (!isApiError(err, 'NotFound') && !isApiError(err, 'Invalid')) throw err;
        }
      }
    }
    return owned;
  }

  /** Applies one action; returns the updated Deployment when it changed, 'collision' on a name clash. */
  private async apply(d: Deployment, action: DeploymentAction): Promise<Deployment | 'collision' | undefined> {
    const { client, log } = this.o;
    switch (action.type) {
      case 'createReplicaSet':
        try {
          await client.create(KINDS.replicaSet, action.rs);
          log.info('created replica set', { object: objectKey(action.rs), deployment: objectKey(d) });
        } catch (err) {
          if (!isApiError(err, 'AlreadyExists')) throw err;
          const existing = await client.get<ReplicaSet>(KINDS.replicaSet, action.rs.metadata.namespace, action.rs.metadata.name ?? '');
          if (controllerOf(existing)?.uid === d.metadata.uid && templatesEqualIgnoringHash(existing.spec?.template, d.spec?.template)) return 'collision';
          // Someone else's ReplicaSet has our name: change the hash input and try again.
          const next = cloneObject(d);
          next.status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
          await client.updateStatus(KINDS.deployment, next);
          log.warn('replica set name collision; bumped collisionCount', { object: objectKey(d), collisionCount: next.status.collisionCount });
          return 'collision';
        }
        return undefined;
      case 'updateReplicaSet':
        await client.update(KINDS.replicaSet, action.rs);
        return undefined;
      case 'deleteReplicaSet':
        try {
          await client.delete(KINDS.replicaSet, action.rs.metadata.namespace, action.rs.metadata.name ?? '', { preconditions: { uid: action.rs.metadata.uid } });
          log.info('deleted old replica set beyond revisionHistoryLimit', { object: objectKey(action.rs) });
        } catch (err) {
          if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
        }
        return undefined;
      case 'setDeploymentRevision':
        return client.patch<Deployment>(KINDS.deployment, d.metadata.namespace, d.metadata.name ?? '', PatchTypes.merge, { metadata: { annotations: { [ANNOTATIONS.revision]: action.revision } } });
    }
  }

  private async writeStatus(d: Deployment, status: DeploymentStatus): Promise<void> {
    if (statusEqual(d.status as Record<string, unknown> | undefined, status as Record<string, unknown>)) return;
    const next = cloneObject(d);
    next.status = status;
    try {
      await this.o.client.updateStatus(KINDS.deployment, next);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
}
