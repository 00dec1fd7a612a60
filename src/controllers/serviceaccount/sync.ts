// Creates the missing service accounts of one namespace.
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Lister } from '../../client/lister.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { KINDS } from '../common/kinds.js';
import { missingServiceAccounts, serviceAccount, type NamespaceLike } from './reconcile.js';

export class ServiceAccountSync {
  constructor(private readonly o: { client: RestClient; namespaces: Lister<NamespaceLike>; serviceAccounts: Lister<KubeObject>; log: Logger }) {}

  async sync(namespace: string): Promise<void> {
    const ns = this.o.namespaces.get(undefined, namespace);
    const existing = this.o.serviceAccounts.list(namespace).map((sa) => sa.metadata.name ?? '');
    for (const name of missingServiceAccounts(ns, existing)) {
      try {
        await this.o.client.create(KINDS.serviceAccount, serviceAccount(namespace, name));
        this.o.log.info('created service account', { object: `${namespace}/${name}` });
      } catch (err) {
        // Gone or terminating namespaces refuse creation; the namespace controller owns that story.
        if (isApiError(err, 'AlreadyExists') || isApiError(err, 'NotFound') || isApiError(err, 'Forbidden')) continue;
        throw err;
      }
    }
  }
}
