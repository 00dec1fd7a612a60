// PersistentVolumes as the informer has them, overlaid with the bindings the scheduler has assumed
// (Reserve) and not yet seen come back from the API server, so the next pods' cycles do not hand
// the same volume to another claim. An assumption lasts while the informer still holds the version
// it was made from: once the informer has a newer version (our PreBind write, or anyone else's),
// the API's object wins, as in Kubernetes' assume cache.
import type { VolumeLike } from '../../../machinery/volumes/claim-matching.js';

/** Where the API's volumes come from (the scheduler's PersistentVolume informer). */
export interface VolumeSource {
  volume(name: string): VolumeLike | undefined;
  volumes(): readonly VolumeLike[];
}

export class AssumedVolumes {
  /** Volume name -> the assumed object; its resourceVersion is the API version it was made from. */
  private readonly assumed = new Map<string, VolumeLike>();

  constructor(private readonly source: VolumeSource) {}

  get(name: string): VolumeLike | undefined {
    const api = this.source.volume(name);
    return this.assumed.size === 0 ? api : this.overlay(name, api);
  }

  list(): VolumeLike[] {
    const all = this.source.volumes();
    if (this.assumed.size === 0) return [...all];
    return all.map((v) => this.overlay(v.metadata.name ?? '', v)!);
  }

  /** `volume` is a changed copy of the current one (same resourceVersion). */
  assume(volume: VolumeLike): void {
    this.assumed.set(volume.metadata.name ?? '', volume);
  }

  /** Back to the API's object (Unreserve). */
  restore(name: string): void {
    this.assumed.delete(name);
  }

  /** How many assumptions are held (tests). */
  get size(): number {
    return this.assumed.size;
  }

  private overlay(name: string, api: VolumeLike | undefined): VolumeLike | undefined {
    const assumed = this.assumed.get(name);
    if (assumed === undefined) return api;
    if (api === undefined || api.metadata.resourceVersion !== assumed.metadata.resourceVersion) {
      this.assumed.delete(name);
      return api;
    }
    return assumed;
  }
}
