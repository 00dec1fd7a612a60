// Applies the kube-root-ca.crt decision of one namespace through the API.
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { findKind } from '../../api/resources.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { reconcileRootCa, ROOT_CA_CONFIGMAP } from './reconcile.js';

const CONFIG_MAP = findKind('', 'v1', 'ConfigMap')!;

export class RootCaSync {
  constructor(private readonly o: { client: RestClient; namespaces: Lister<KubeObject>; configMaps: Lister<KubeObject>; caPem: string; log: Logger }) {}

  async sync(namespace: string): Promise<void> {
    const ns = this.o.namespaces.get(undefined, namespace);
    const existing = this.o.configMaps.get(namespace, ROOT_CA_CONFIGMAP);
    const action = reconcileRootCa(ns, existing, this.o.caPem);
    try {
      if (action.type === 'create') {
        await this.o.client.create(CONFIG_MAP, action.configMap);
        this.o.log.info('published the cluster CA', { object: `${namespace}/${ROOT_CA_CONFIGMAP}` });
      } else if (action.type === 'update') {
        await this.o.client.update(CONFIG_MAP, action.configMap);
        this.o.log.info('restored the cluster CA', { object: `${namespace}/${ROOT_CA_CONFIGMAP}` });
      }
    } catch (err) {
      // Gone or terminating namespaces refuse writes; a lost race shows up again as an informer event.
      if (isApiError(err, 'AlreadyExists') || isApiError(err, 'NotFound') || isApiError(err, 'Forbidden') || isApiError(err, 'Conflict')) return;
      throw err;
    }
  }
}
