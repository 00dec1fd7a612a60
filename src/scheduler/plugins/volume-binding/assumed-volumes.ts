// PersistentVolumes and PersistentVolumeClaims as the informers have them, overlaid with the
// changes the scheduler has assumed (Reserve: a volume's claimRef, a claim's selected node) and not
// yet seen come back from the API server, so the next pods' cycles neither hand the same volume to
// another claim nor pick another node for a claim being provisioned. An assumption lasts while the
// informer still holds the version it was made from: once the informer has a newer version (our
// PreBind write, or anyone else's), the API's object wins, as in Kubernetes' assume cache.
import { claimKey, type ClaimLike, type VolumeLike } from '../../../machinery/volumes/claim-matching.js';

/** Where the API's volumes come from (the scheduler's PersistentVolume informer). */
export interface VolumeSource {
  volume(name: string): VolumeLike | undefined;
  volumes(): readonly VolumeLike[];
}

interface Versioned {
  metadata: { resourceVersion?: string };
}

/** Objects by key, each possibly replaced by an assumed copy of the API version it was made from. */
class AssumeCache<T extends Versioned> {
  /** Key -> the assumed object; its resourceVersion is the API version it was made from. */
  private readonly assumed = new Map<string, T>();

  constructor(
    private readonly lookup: (key: string) => T | undefined,
    private readonly keyOf: (object: T) => string,
  ) {}

  get(key: string): T | undefined {
    const api = this.lookup(key);
    return this.assumed.size === 0 ? api : this.overlay(key, api);
  }

  /** `object` is a changed copy of the current one (same resourceVersion). */
  assume(object: T): void {
    this.assumed.set(this.keyOf(object), object);
  }

  /** Back to the API's object (Unreserve). */
  restore(key: string): void {
    this.assumed.delete(key);
  }

  /** How many assumptions are held (tests). */
  get size(): number {
    return this.assumed.size;
  }

  protected overlay(key: string, api: T | undefined): T | undefined {
    const assumed = this.assumed.get(key);
    if (assumed === undefined) return api;
    if (api === undefined || api.metadata.resourceVersion !== assumed.metadata.resourceVersion) {
      this.assumed.delete(key);
      return api;
    }
    return assumed;
  }
}

export class AssumedVolumes extends AssumeCache<VolumeLike> {
  constructor(private readonly source: VolumeSource) {
    super((name) => source.volume(name), (v) => v.metadata.name ?? '');
  }

  list(): VolumeLike[] {
    const all = this.source.volumes();
    if (this.size === 0) return [...all];
    return all.map((v) => this.overlay(v.metadata.name ?? '', v)!);
  }
}

export class AssumedClaims extends AssumeCache<ClaimLike> {
  constructor(source: { claim(namespace: string, name: string): ClaimLike | undefined }) {
    super((key) => {
      const slash = key.indexOf('/');
      return source.claim(key.slice(0, slash), key.slice(slash + 1));
    }, claimKey);
  }

  claim(namespace: string, name: string): ClaimLike | undefined {
    return this.get(`${namespace}/${name}`);
  }
}
