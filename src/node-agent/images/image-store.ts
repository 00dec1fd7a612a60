// The node's image store: <root>/blobs/sha256/<hex> (manifests, configs), <root>/layers/<short id>/
// (each layer unpacked once, used read-only as an overlay lower dir), <root>/index.json.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../client/log.js';
import { normalizeImageRef, type ImageRef } from './image-ref.js';
import { imageConfigFromJson, planGarbageCollection, readIndex, writeIndex, type ImageConfig, type IndexData, type StoredImage } from './image-index.js';
import { importImageArchive } from './archive-import.js';
import { unpackLayerFile } from './layer-unpack.js';
import { ImagePullError, RegistryClient, sha256Hex, type Descriptor } from './registry-client.js';
import type { RegistriesConfig, RegistryAuth } from './registries.js';

export type { ImageConfig } from './image-index.js';
export { ImagePullError, type ImagePullErrorReason } from './registry-client.js';
export { normalizeImageRef, type ImageRef } from './image-ref.js';
export type { RegistriesConfig, RegistryAuth } from './registries.js';

export interface ImageRecord {
  /** sha256:<config digest> */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** Absolute unpacked layer dirs, lowest first. */
  layers: string[];
  config: ImageConfig;
}

export interface PullProgress {
  ref: string;
  /** Layer blob digest. */
  layer: string;
  phase: 'downloading' | 'unpacking' | 'done' | 'exists';
  bytesDone: number;
  bytesTotal: number;
}

export interface PullOptions {
  auth?: RegistryAuth[];
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
}

export interface GarbageCollectOptions {
  highThresholdPercent?: number;
  lowThresholdPercent?: number;
}

export interface GarbageCollectResult {
  usagePercent: number;
  bytesToFree: number;
  freedBytes: number;
  removed: string[];
}

export interface ImageStoreOptions {
  registriesConfig?: RegistriesConfig;
  log?: Logger;
  /** Disk usage of the store's filesystem; defaults to statfs(root). Injected by tests. */
  diskUsage?: (path: string) => Promise<{ capacityBytes: number; availableBytes: number }>;
  now?: () => number;
}

/** Where a layer's bytes come from: a file to unpack (downloaded on demand). */
export interface LayerSource {
  diffId: string;
  /** Blob digest (compressed) when known, for progress and verification. */
  digest?: string;
  size: number;
  /** Produces a local file holding the layer (gzip or plain tar) and says whether to delete it after. */
  obtain(tmpDir: string, onBytes: (done: number) => void): Promise<{ file: string; temporary: boolean }>;
}

export interface InstallRequest {
  configBytes: Buffer;
  layers: LayerSource[];
  repoTags: string[];
  repoDigests: string[];
  manifestBytes?: Buffer;
  size: number;
  progressRef?: string;
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
}

interface InflightPull {
  promise: Promise<ImageRecord>;
  listeners: Set<(p: PullProgress) => void>;
  controller: AbortController;
  waiters: number;
}

const SHORT_ID = 12;

export class ImageStore {
  readonly root: string;
  private readonly index: IndexData;
  private readonly inflight = new Map<string, InflightPull>();
  private readonly layerInflight = new Map<string, Promise<void>>();
  /** Layers an install is working with; GC and remove leave them alone. */
  private readonly pinned = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    root: string,
    private readonly options: ImageStoreOptions = {},
  ) {
    this.root = root;
    this.now = options.now ?? Date.now;
    for (const dir of ['blobs/sha256', 'layers', 'tmp']) mkdirSync(join(root, dir), { recursive: true, mode: 0o700 });
    rmSync(join(root, 'tmp'), { recursive: true, force: true });
    mkdirSync(join(root, 'tmp'), { mode: 0o700 });
    this.index = readIndex(this.indexFile());
  }

  private indexFile(): string {
    return join(this.root, 'index.json');
  }

  private save(): void {
    writeIndex(this.indexFile(), this.index);
  }

  private toRecord(image: StoredImage): ImageRecord {
    return {
      id: image.id,
      repoTags: [...image.repoTags],
      repoDigests: [...image.repoDigests],
      size: image.size,
      layers: image.diffIds.map((d) => join(this.root, 'layers', this.index.layers[d]?.dir ?? d.slice(7, 7 + SHORT_ID))),
      config: structuredClone(image.config),
    };
  }

  private find(ref: string): StoredImage | undefined {
    const text = ref.trim();
    if (/^sha256:[a-f0-9]{64}$/.test(text)) return this.index.images[text];
    if (/^(sha256:)?[a-f0-9]{12,64}$/.test(text)) {
      const hex = text.replace(/^sha256:/, '');
      const matches = Object.values(this.index.images).filter((i) => i.id.slice(7).startsWith(hex));
      if (matches.length === 1) return matches[0];
    }
    let parsed: ImageRef;
    try {
      parsed = normalizeImageRef(text);
    } catch {
      return undefined;
    }
    const images = Object.values(this.index.images);
    if (parsed.digest) return images.find((i) => i.repoDigests.includes(`${parsed.name}@${parsed.digest}`));
    return images.find((i) => i.repoTags.includes(parsed.canonical));
  }

  /** Finds an image by name:tag, name@digest, full id or unique id prefix (12+ hex); counts as a use. */
  resolve(ref: string): ImageRecord | undefined {
    const image = this.find(ref);
    if (!image) return undefined;
    image.lastUsed = this.now();
    return this.toRecord(image);
  }

  list(): ImageRecord[] {
    return Object.values(this.index.images)
      .sort((a, b) => (a.repoTags[0] ?? '~').localeCompare(b.repoTags[0] ?? '~') || a.id.localeCompare(b.id))
      .map((i) => this.toRecord(i));
  }

  /** Pulls from the registry; concurrent pulls of the same reference share one download. */
  pull(ref: string, options: PullOptions = {}): Promise<ImageRecord> {
    let parsed: ImageRef;
    try {
      parsed = normalizeImageRef(ref);
    } catch (err) {
      return Promise.reject(new ImagePullError('InvalidImageName', `Failed to apply default image tag "${ref}": ${(err as Error).message}`));
    }
    let entry = this.inflight.get(parsed.canonical);
    if (!entry) {
      const controller = new AbortController();
      const listeners = new Set<(p: PullProgress) => void>();
      const created: InflightPull = {
        controller,
        listeners,
        waiters: 0,
        promise: this.pullUncached(parsed, options.auth, controller.signal, (p) => listeners.forEach((l) => l(p))).finally(() => this.inflight.delete(parsed.canonical)),
      };
      created.promise.catch(() => undefined);
      this.inflight.set(parsed.canonical, created);
      entry = created;
    }
    return this.joinPull(entry, options);
  }

  private joinPull(entry: InflightPull, options: PullOptions): Promise<ImageRecord> {
    const listener = options.onProgress;
    if (listener) entry.listeners.add(listener);
    entry.waiters++;
    const signal = options.signal;
    return new Promise<ImageRecord>((resolve, reject) => {
      const onAbort = () => {
        // Stop the shared download only when nobody is waiting for it any more.
        if (--entry.waiters === 0) entry.controller.abort(signal?.reason);
        reject(signal?.reason ?? new Error('pull aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(resolve, reject).finally(() => {
        signal?.removeEventListener('abort', onAbort);
        if (listener) entry.listeners.delete(listener);
      });
    });
  }

  private async pullUncached(ref: ImageRef, auths: RegistryAuth[] | undefined, signal: AbortSignal, onProgress: (p: PullProgress) => void): Promise<ImageRecord> {
    const client = new RegistryClient(ref, {
      ...(this.options.registriesConfig ? { registriesConfig: this.options.registriesConfig } : {}),
      ...(auths ? { auths } : {}),
      signal,
      ...(this.options.log ? { log: this.options.log } : {}),
    });
    const resolved = await client.resolve();
    const manifest = resolved.manifest;
    if (!manifest.config?.digest || !Array.isArray(manifest.layers)) {
      throw new ImagePullError('ErrImagePull', `manifest of "${ref.canonical}" has no config or layers`);
    }
    const existing = this.index.images[manifest.config.digest];
    // imagePullPolicy Always on an image that has not changed (the usual case for :latest): the
    // registry confirmed the digest, every layer is unpacked, so nothing is read or written.
    const repoDigest = `${ref.name}@${resolved.topDigest}`;
    if (
      existing &&
      existing.repoDigests.includes(repoDigest) &&
      (!ref.tag || ref.digest || existing.repoTags.includes(ref.canonical)) &&
      existing.diffIds.every((d) => { const layer = this.index.layers[d]; return layer !== undefined && existsSync(join(this.root, 'layers', layer.dir)); })
    ) {
      existing.lastUsed = this.now();
      for (const layer of manifest.layers) onProgress({ ref: ref.canonical, layer: layer.digest, phase: 'exists', bytesDone: layer.size ?? 0, bytesTotal: layer.size ?? 0 });
      return this.toRecord(existing);
    }
    const configBytes = existing ? this.readBlob(manifest.config.digest) ?? (await client.fetchBlobBytes(manifest.config)) : await client.fetchBlobBytes(manifest.config);
    const diffIds = this.diffIdsOf(configBytes, manifest.layers.length, ref.canonical);
    const layers: LayerSource[] = manifest.layers.map((descriptor: Descriptor, i) => ({
      diffId: diffIds[i]!,
      digest: descriptor.digest,
      size: descriptor.size,
      obtain: async (tmpDir, onBytes) => {
        const file = join(tmpDir, descriptor.digest.replace(':', '-'));
        await client.downloadBlob(descriptor, file, onBytes);
        return { file, temporary: true };
      },
    }));
    const size = manifest.config.size + manifest.layers.reduce((sum, l) => sum + (l.size ?? 0), 0);
    const repoTags = ref.tag && !ref.digest ? [ref.canonical] : [];
    return this.install({
      configBytes,
      layers,
      repoTags,
      repoDigests: [`${ref.name}@${resolved.topDigest}`],
      manifestBytes: resolved.manifestBytes,
      size,
      progressRef: ref.canonical,
      onProgress,
      signal,
    });
  }

  private readBlob(digest: string): Buffer | undefined {
    const file = join(this.root, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  private diffIdsOf(configBytes: Buffer, layerCount: number, name: string): string[] {
    let doc: { rootfs?: { diff_ids?: string[] } };
    try {
      doc = JSON.parse(configBytes.toString('utf8')) as typeof doc;
    } catch {
      throw new ImagePullError('ErrImagePull', `image config of "${name}" is not valid JSON`);
    }
    const diffIds = doc.rootfs?.diff_ids ?? [];
    if (diffIds.length !== layerCount || !diffIds.every((d) => /^sha256:[a-f0-9]{64}$/.test(d))) {
      throw new ImagePullError('ErrImagePull', `image config of "${name}" lists ${diffIds.length} diff_ids for ${layerCount} layers`);
    }
    return diffIds;
  }

  /** Unpacks missing layers, stores config and manifest blobs, records the image and moves its tags. */
  async install(request: InstallRequest): Promise<ImageRecord> {
    const id = `sha256:${sha256Hex(request.configBytes)}`;
    const configDoc = JSON.parse(request.configBytes.toString('utf8')) as { config?: Record<string, unknown>; created?: string };
    const diffIds = request.layers.map((l) => l.diffId);
    for (const d of diffIds) this.pinned.set(d, (this.pinned.get(d) ?? 0) + 1);
    try {
      for (const layer of request.layers) await this.ensureLayer(layer, request);
      await this.writeBlob(id, request.configBytes);
      let manifestDigest: string | undefined;
      if (request.manifestBytes) {
        manifestDigest = `sha256:${sha256Hex(request.manifestBytes)}`;
        await this.writeBlob(manifestDigest, request.manifestBytes);
      }
      const previous = this.index.images[id];
      for (const other of Object.values(this.index.images)) {
        if (other.id === id) continue;
        other.repoTags = other.repoTags.filter((t) => !request.repoTags.includes(t));
        other.repoDigests = other.repoDigests.filter((t) => !request.repoDigests.includes(t));
      }
      const image: StoredImage = {
        id,
        repoTags: [...new Set([...(previous?.repoTags ?? []), ...request.repoTags])],
        repoDigests: [...new Set([...(previous?.repoDigests ?? []), ...request.repoDigests])],
        size: previous?.size ?? request.size,
        diffIds,
        config: imageConfigFromJson(configDoc),
        ...((manifestDigest ?? previous?.manifestDigest) ? { manifestDigest: manifestDigest ?? previous?.manifestDigest } : {}),
        created: configDoc.created ?? previous?.created ?? new Date(this.now()).toISOString(),
        lastUsed: this.now(),
      };
      this.index.images[id] = image;
      this.save();
      return this.toRecord(image);
    } finally {
      for (const d of diffIds) {
        const n = (this.pinned.get(d) ?? 1) - 1;
        if (n <= 0) this.pinned.delete(d);
        else this.pinned.set(d, n);
      }
    }
  }

  private async writeBlob(digest: string, bytes: Buffer): Promise<void> {
    const file = join(this.root, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
    if (existsSync(file)) return;
    const temp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(temp, bytes);
    await rename(temp, file);
  }

  private layerDirName(diffId: string): string {
    const hex = diffId.replace(/^sha256:/, '');
    const taken = new Set(Object.entries(this.index.layers).filter(([d]) => d !== diffId).map(([, l]) => l.dir));
    for (const len of [SHORT_ID, 20, 64]) if (!taken.has(hex.slice(0, len))) return hex.slice(0, len);
    return hex;
  }

  private async ensureLayer(layer: LayerSource, request: InstallRequest): Promise<void> {
    const progress = (phase: PullProgress['phase'], bytesDone: number) =>
      request.onProgress?.({ ref: request.progressRef ?? '', layer: layer.digest ?? layer.diffId, phase, bytesDone, bytesTotal: layer.size });
    const known = this.index.layers[layer.diffId];
    if (known && existsSync(join(this.root, 'layers', known.dir))) {
      progress('exists', layer.size);
      return;
    }
    let running = this.layerInflight.get(layer.diffId);
    if (!running) {
      running = this.unpackLayer(layer, request, progress).finally(() => this.layerInflight.delete(layer.diffId));
      this.layerInflight.set(layer.diffId, running);
    }
    await running;
  }

  private async unpackLayer(layer: LayerSource, request: InstallRequest, progress: (phase: PullProgress['phase'], done: number) => void): Promise<void> {
    const work = await mkdtemp(join(this.root, 'tmp', 'l-'));
    try {
      let lastReported = -Infinity;
      const { file, temporary } = await layer.obtain(work, (done) => {
        if (done - lastReported >= 256 * 1024 || done === layer.size) {
          lastReported = done;
          progress('downloading', done);
        }
      });
      progress('unpacking', layer.size);
      const staging = join(work, 'rootfs');
      const result = await unpackLayerFile(file, staging, request.signal ? { signal: request.signal } : {});
      if (temporary) await rm(file, { force: true });
      if (result.diffId !== layer.diffId) {
        throw new ImagePullError('ErrImagePull', `layer ${layer.digest ?? ''} content does not match diffID ${layer.diffId} (got ${result.diffId})`);
      }
      const dir = this.layerDirName(layer.diffId);
      const final = join(this.root, 'layers', dir);
      await rm(final, { recursive: true, force: true });
      await rename(staging, final);
      this.index.layers[layer.diffId] = { dir, unpackedSize: result.unpackedSize };
      progress('done', layer.size);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Deletes an image (all its tags) and the layers no other image uses. Whether it is in use is the caller's concern. */
  async remove(ref: string): Promise<void> {
    const image = this.find(ref);
    if (!image) throw new Error(`image "${ref}" not found`);
    await this.removeImage(image);
    this.save();
  }

  /** Returns the bytes the removal freed (unpacked layer sizes). */
  private async removeImage(image: StoredImage): Promise<number> {
    delete this.index.images[image.id];
    const stillUsed = new Set(Object.values(this.index.images).flatMap((i) => i.diffIds));
    let freed = 0;
    for (const diffId of new Set(image.diffIds)) {
      if (stillUsed.has(diffId) || this.pinned.has(diffId)) continue;
      const layer = this.index.layers[diffId];
      if (!layer) continue;
      delete this.index.layers[diffId];
      await rm(join(this.root, 'layers', layer.dir), { recursive: true, force: true });
      freed += layer.unpackedSize;
    }
    const blobsInUse = new Set(Object.values(this.index.images).flatMap((i) => [i.id, i.manifestDigest]));
    for (const digest of [image.id, image.manifestDigest]) {
      if (digest && !blobsInUse.has(digest)) await rm(join(this.root, 'blobs', 'sha256', digest.replace(/^sha256:/, '')), { force: true });
    }
    return freed;
  }

  private reclaimableBytes(image: StoredImage): number {
    const others = new Set(Object.values(this.index.images).filter((i) => i.id !== image.id).flatMap((i) => i.diffIds));
    return image.diffIds.filter((d) => !others.has(d)).reduce((sum, d) => sum + (this.index.layers[d]?.unpackedSize ?? 0), 0);
  }

  /**
   * Image GC as the kubelet does it: when disk usage of the store's filesystem reaches the high
   * threshold, delete unused images, least recently used first, until usage would reach the low one.
   * `inUse` holds image ids or references of images that running containers use.
   */
  async garbageCollect(inUse: Set<string>, opts: GarbageCollectOptions = {}): Promise<GarbageCollectResult> {
    const usage = this.options.diskUsage
      ? await this.options.diskUsage(this.root)
      : await statfs(this.root).then((s) => ({ capacityBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize }));
    const inUseIds = new Set<string>();
    for (const ref of inUse) {
      const image = this.find(ref);
      if (image) inUseIds.add(image.id);
    }
    const plan = planGarbageCollection({
      ...usage,
      highThresholdPercent: opts.highThresholdPercent ?? 85,
      lowThresholdPercent: opts.lowThresholdPercent ?? 80,
      candidates: Object.values(this.index.images)
        .filter((i) => !inUseIds.has(i.id))
        .map((i) => ({ id: i.id, lastUsed: i.lastUsed, reclaimableBytes: this.reclaimableBytes(i) })),
    });
    let freedBytes = 0;
    for (const id of plan.remove) {
      const image = this.index.images[id];
      if (image) freedBytes += await this.removeImage(image);
    }
    if (plan.remove.length) {
      this.save();
      this.options.log?.info('image garbage collection', { removed: plan.remove, freedBytes, usagePercent: plan.usagePercent });
    }
    return { usagePercent: plan.usagePercent, bytesToFree: plan.bytesToFree, freedBytes, removed: plan.remove };
  }

  /** Imports a `docker save` tarball or an OCI image layout tarball. */
  async importArchive(file: string): Promise<ImageRecord[]> {
    return importImageArchive(this, file, join(this.root, 'tmp'));
  }
}
