// One binder sync: reads claims, volumes and classes from the informers, plans with reconcile.ts,
// writes the one step the plan names and records its events.
import { isApiError } from '../../api/errors.js';
import { rfc3339, type KubeObject } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import type { StorageClassInfo } from '../../machinery/volumes/claim-matching.js';
import { reconcileClaim, reconcileVolume, type BinderPlan, type Claim, type Volume } from './reconcile.js';

export interface PersistentVolumeSyncOptions {
  client: RestClient;
  claims: Lister<Claim & KubeObject>;
  volumes: Lister<Volume & KubeObject>;
  classes: Lister<StorageClassInfo & KubeObject>;
  recorder: EventRecorder;
  log: Logger;
  now?: () => Date;
  /** Asks for another look at a claim (a volume sync found the claim's side unwritten). */
  enqueueClaim: (key: string) => void;
}

export class PersistentVolumeSync {
  private readonly now: () => Date;
  constructor(private readonly o: PersistentVolumeSyncOptions) {
    this.now = o.now ?? (() => new Date());
  }

  async syncClaim(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const claim = this.o.claims.get(namespace, name);
    if (!claim) return;
    const classes = new Map(this.o.classes.list().map((c) => [c.metadata.name ?? '', c]));
    const plan = reconcileClaim(claim, this.o.volumes.list(), classes, rfc3339(this.now()));
    await this.execute(plan, claim);
  }

  async syncVolume(name: string): Promise<void> {
    const volume = this.o.volumes.get(undefined, name);
    if (!volume) return;
    const ref = volume.spec?.claimRef;
    let claim: Claim | undefined;
    if (ref?.uid && ref.name) {
      claim = this.o.claims.get(ref.namespace ?? '', ref.name);
      // A claim the cache does not have yet is not proof that it is gone: ask before releasing.
      if (!claim || claim.metadata.uid !== ref.uid) claim = await this.liveClaim(ref.namespace ?? '', ref.name);
    }
    const plan = reconcileVolume(volume, claim, rfc3339(this.now()));
    if (plan.syncClaim) this.o.enqueueClaim(plan.syncClaim);
    await this.execute(plan, volume);
  }

  private async liveClaim(namespace: string, name: string): Promise<Claim | undefined> {
    try {
      return await this.o.client.get<Claim & KubeObject>(KINDS.pvc, namespace, name);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  private async execute(plan: BinderPlan, subject: KubeObject): Promise<void> {
    const { client, log } = this.o;
    const write = plan.write;
    if (write) {
      const object = write.object as KubeObject;
      const target = `${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name ?? ''}`;
      try {
        switch (write.kind) {
          case 'volume':
            await client.update(KINDS.persistentVolume, object);
            break;
          case 'volumeStatus':
            await client.updateStatus(KINDS.persistentVolume, object);
            break;
          case 'claim':
            await client.update(KINDS.pvc, object);
            break;
          case 'claimStatus':
            await client.updateStatus(KINDS.pvc, object);
            break;
          case 'deleteVolume':
            await client.delete(KINDS.persistentVolume, undefined, object.metadata.name ?? '', { preconditions: { uid: object.metadata.uid } });
            break;
        }
        log.debug('binder write', { kind: write.kind, object: target });
      } catch (err) {
        // The object changed or went meanwhile: its informer event brings the next sync.
        if (isApiError(err, 'NotFound')) return;
        throw err;
      }
    }
    for (const e of plan.events) this.o.recorder.event(subject, e.type, e.reason, e.message);
  }
}
