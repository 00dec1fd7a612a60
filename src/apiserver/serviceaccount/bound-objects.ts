// Whether the objects a service account token names still exist with the same UID. Kubernetes
// asks informer caches for this; here each resource gets a watch-fed index of name -> uid inside
// the API server. Authentication is synchronous, so the index must answer without waiting: it
// starts on the first token that needs it, and until its first list is in it answers "exists"
// (a window of milliseconds after a restart, like a short cache).

import type { KubeObject } from '../../api/meta.js';
import type { ResourceRegistry } from '../registry/registry.js';
import { watchResource } from '../watch/watch.js';
import type { ObjectRef, ServiceAccountTokenSubject } from './claims.js';

export interface BoundObjectChecker {
  /** False when an object the token names is gone or was replaced (other UID). */
  stillBound(subject: ServiceAccountTokenSubject): boolean;
}

/** A watch-fed `namespace/name -> uid` index of one resource. */
export class UidIndex {
  private readonly uids = new Map<string, string>();
  private synced = false;
  private started = false;

  constructor(private readonly registry: () => ResourceRegistry | undefined, private readonly signal: AbortSignal) {}

  /** The UID at `namespace/name`, null when absent, undefined while the first list is not in. */
  uidOf(namespace: string, name: string): string | null | undefined {
    this.start();
    if (!this.synced) return undefined;
    return this.uids.get(`${namespace}/${name}`) ?? null;
  }

  /** Lists and follows in the background; resolves once the first list is in (tests, warm-up). */
  start(): Promise<void> {
    if (this.started) return this.firstList;
    this.started = true;
    this.firstList = new Promise<void>((resolve) => {
      this.resolveFirstList = resolve;
    });
    void this.run();
    return this.firstList;
  }

  private firstList: Promise<void> = Promise.resolve();
  private resolveFirstList: () => void = () => {};

  private key(obj: KubeObject): string {
    return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
  }

  private async relist(registry: ResourceRegistry): Promise<string | undefined> {
    const list = await registry.list(undefined).catch(() => undefined);
    if (!list) return undefined;
    this.uids.clear();
    for (const obj of list.items) this.uids.set(this.key(obj), obj.metadata.uid ?? '');
    this.synced = true;
    this.resolveFirstList();
    return list.metadata.resourceVersion ?? '0';
  }

  private async run(): Promise<void> {
    const registry = this.registry();
    if (!registry) {
      this.resolveFirstList();
      return;
    }
    while (!this.signal.aborted) {
      const rv = await this.relist(registry);
      if (rv === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 1000).unref());
        continue;
      }
      try {
        for await (const event of watchResource(registry, undefined, { resourceVersion: rv, signal: this.signal })) {
          if (event.type === 'ERROR') break;
          const obj = event.object as KubeObject;
          if (event.type === 'DELETED') this.uids.delete(this.key(obj));
          else this.uids.set(this.key(obj), obj.metadata.uid ?? '');
        }
      } catch {
        // the watch ended: relist
      }
    }
  }
}

export interface RegistryBoundObjectCheckerOptions {
  serviceAccounts: () => ResourceRegistry | undefined;
  pods: () => ResourceRegistry | undefined;
  secrets: () => ResourceRegistry | undefined;
  signal: AbortSignal;
}

export class RegistryBoundObjectChecker implements BoundObjectChecker {
  readonly serviceAccounts: UidIndex;
  readonly pods: UidIndex;
  readonly secrets: UidIndex;

  constructor(options: RegistryBoundObjectCheckerOptions) {
    this.serviceAccounts = new UidIndex(options.serviceAccounts, options.signal);
    this.pods = new UidIndex(options.pods, options.signal);
    this.secrets = new UidIndex(options.secrets, options.signal);
  }

  stillBound(subject: ServiceAccountTokenSubject): boolean {
    const present = (index: UidIndex, ref: ObjectRef | undefined) => {
      if (!ref) return true;
      const uid = index.uidOf(subject.namespace, ref.name);
      return uid === undefined || (uid !== null && (ref.uid === '' || uid === ref.uid));
    };
    return present(this.serviceAccounts, subject.serviceAccount) && present(this.pods, subject.pod) && present(this.secrets, subject.secret);
  }
}
