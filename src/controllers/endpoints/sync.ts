// One Endpoints sync: read the Service and its namespace's pods from the caches, ask reconcile, and
// create, update or delete the Endpoints object named after the Service.
import { isApiError } from '../../api/errors.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { reconcileEndpoints } from './reconcile.js';
import { KINDS, type Endpoints, type Pod, type Service } from './types.js';

export interface EndpointsSyncOptions {
  client: RestClient;
  services: Lister<Service>;
  pods: Lister<Pod>;
  endpoints: Lister<Endpoints>;
  log: Logger;
}

export class EndpointsSync {
  constructor(private readonly o: EndpointsSyncOptions) {}

  async sync(key: string): Promise<{ requeueAfterMs?: number }> {
    const { client, services, pods, endpoints, log } = this.o;
    const [namespace, name] = key.split('/') as [string, string];
    const service = services.get(namespace, name);
    const existing = endpoints.get(namespace, name);
    if (!service) {
      // The Service is gone: its Endpoints go with it, as in Kubernetes.
      if (existing) {
        await client.delete(KINDS.endpoints, namespace, name).catch((err: unknown) => {
          if (!isApiError(err, 'NotFound')) throw err;
        });
      }
      return {};
    }
    const action = reconcileEndpoints({ service, pods: pods.list(namespace), existing });
    if (action.type === 'create') {
      try {
        await client.create(KINDS.endpoints, action.endpoints);
      } catch (err) {
        // Our cache has not seen an earlier create yet: try again once it has.
        if (isApiError(err, 'AlreadyExists')) return { requeueAfterMs: 100 };
        throw err;
      }
      log.debug('endpoints created', { object: key });
    } else if (action.type === 'update') {
      await client.update(KINDS.endpoints, action.endpoints);
      log.debug('endpoints updated', { object: key });
    }
    return {};
  }
}
