// One protection sync: drops the finalizer of a terminating claim or volume nothing uses. A claim
// the pod cache shows unused is checked once more against a live pod list, since a cache that
// lags behind a just-scheduled pod must not release storage under it.
import { isApiError } from '../../api/errors.js';
import { cloneObject, type KubeObject } from '../../api/meta.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import { podUsesClaim, PV_PROTECTION, PVC_PROTECTION, releasedFinalizers, volumeInUse, type PodLike } from './reconcile.js';

export interface StorageProtectionSyncOptions {
  client: RestClient;
  claims: Lister<KubeObject>;
  volumes: Lister<KubeObject>;
  pods: Lister<PodLike>;
  log: Logger;
}

export class StorageProtectionSync {
  constructor(private readonly o: StorageProtectionSyncOptions) {}

  async syncClaim(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const claim = this.o.claims.get(namespace, name);
    if (!claim?.metadata.deletionTimestamp) return;
    const cached = this.o.pods.list(namespace).some((pod) => podUsesClaim(pod, name));
    if (releasedFinalizers(claim, PVC_PROTECTION, cached) === undefined) return;
    const live = await this.o.client.listAll<PodLike>(KINDS.pod, { namespace });
    const finalizers = releasedFinalizers(claim, PVC_PROTECTION, live.items.some((pod) => podUsesClaim(pod, name)));
    if (finalizers) await this.release(KINDS.pvc, claim, finalizers);
  }

  async syncVolume(name: string): Promise<void> {
    const volume = this.o.volumes.get(undefined, name);
    if (!volume) return;
    const finalizers = releasedFinalizers(volume, PV_PROTECTION, volumeInUse(volume));
    if (finalizers) await this.release(KINDS.persistentVolume, volume, finalizers);
  }

  private async release(desc: typeof KINDS.pvc, obj: KubeObject, finalizers: string[]): Promise<void> {
    const next = cloneObject(obj);
    next.metadata.finalizers = finalizers;
    try {
      await this.o.client.update(desc, next);
      this.o.log.info('removed protection finalizer', { object: `${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}` });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
}
