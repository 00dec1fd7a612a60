// One PodDisruptionBudget sync: compute status from pods and their controllers' scale, write it.
import { isApiError } from '../../api/errors.js';
import { cloneObject, controllerOf, type KubeObject, type OwnerReference } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Lister } from '../../client/lister.js';
import type { RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import type { Pod } from '../common/pods.js';
import { statusEqual } from '../replicaset/sync.js';
import { reconcilePdb, type PodDisruptionBudget } from './reconcile.js';

type Scalable = KubeObject & { spec?: { replicas?: number } };

export interface PdbSyncOptions {
  client: RestClient;
  pdbs: Lister<PodDisruptionBudget>;
  pods: Lister<Pod>;
  replicaSets: Lister<Scalable>;
  deployments: Lister<Scalable>;
  statefulSets: Lister<Scalable>;
  recorder: EventRecorder;
  now?: () => Date;
}

export class PdbSync {
  constructor(private readonly o: PdbSyncOptions) {}

  /** The controller whose replica count covers a pod: a ReplicaSet's Deployment when it has one. */
  scaleOf = (ref: OwnerReference, namespace: string): { uid: string; replicas: number } | undefined => {
    const found = (lister: Lister<Scalable>, name: string, uid: string): Scalable | undefined => {
      const obj = lister.get(namespace, name);
      return obj && obj.metadata.uid === uid ? obj : undefined;
    };
    const scale = (obj: Scalable): { uid: string; replicas: number } => ({ uid: obj.metadata.uid ?? '', replicas: obj.spec?.replicas ?? 1 });
    switch (ref.kind) {
      case 'ReplicaSet': {
        const rs = found(this.o.replicaSets, ref.name, ref.uid);
        if (!rs) return undefined;
        const owner = controllerOf(rs);
        if (owner?.kind === 'Deployment') {
          const d = found(this.o.deployments, owner.name, owner.uid);
          return d ? scale(d) : undefined;
        }
        return scale(rs);
      }
      case 'Deployment': {
        const d = found(this.o.deployments, ref.name, ref.uid);
        return d ? scale(d) : undefined;
      }
      case 'StatefulSet': {
        const s = found(this.o.statefulSets, ref.name, ref.uid);
        return s ? scale(s) : undefined;
      }
      default:
        return undefined;
    }
  };

  async sync(key: string): Promise<{ requeueAfterMs?: number }> {
    const [namespace, name] = key.split('/') as [string, string];
    const pdb = this.o.pdbs.get(namespace, name);
    if (!pdb) return {};
    const plan = reconcilePdb({ pdb, pods: this.o.pods.list(namespace), scaleOf: this.scaleOf, now: this.o.now?.() ?? new Date() });
    if (plan.noPods && !pdb.status) this.o.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    if (!statusEqual(pdb.status as Record<string, unknown> | undefined, plan.status as unknown as Record<string, unknown>)) {
      const next = cloneObject(pdb);
      next.status = plan.status;
      try {
        await this.o.client.updateStatus(KINDS.pdb, next);
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    }
    return { requeueAfterMs: plan.requeueAfterMs };
  }
}
