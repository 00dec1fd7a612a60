// Imports image archives: `docker save` tarballs (manifest.json + config + layer tars) and OCI image
// layout tarballs (oci-layout, index.json, blobs/). The outer tar is unpacked into a temp dir with the
// same path checks as layers, then each image is installed through ImageStore.install.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { normalizeImageRef } from './image-ref.js';
import type { ImageRecord, ImageStore, LayerSource } from './image-store.js';
import { checkedEntryPath, unpackLayerFile } from './layer-unpack.js';
import { choosePlatformManifest, isIndexDocument, type Descriptor, type ImageIndex, type ImageManifest } from './registry-client.js';

export class ImageArchiveError extends Error {
  override name = 'ImageArchiveError';
}

/** A file inside the unpacked archive; symlinks may be followed but must stay inside it. */
async function insideArchive(root: string, relative: string): Promise<string> {
  const rel = checkedEntryPath(relative);
  const real = await realpath(join(root, rel)).catch(() => {
    throw new ImageArchiveError(`archive is missing "${relative}"`);
  });
  const realRoot = await realpath(root);
  if (!real.startsWith(`${realRoot}/`)) throw new ImageArchiveError(`archive entry "${relative}" points outside the archive`);
  return real;
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return `sha256:${hash.digest('hex')}`;
}

function diffIdsOf(configBytes: Buffer, count: number): string[] {
  const doc = JSON.parse(configBytes.toString('utf8')) as { rootfs?: { diff_ids?: string[] } };
  const ids = doc.rootfs?.diff_ids ?? [];
  if (ids.length !== count) throw new ImageArchiveError(`image config lists ${ids.length} diff_ids for ${count} layers`);
  return ids;
}

/** Keeps only names that parse; returns canonical `name:tag` forms. */
function canonicalTags(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    try {
      const ref = normalizeImageRef(n);
      if (ref.tag && !ref.digest) out.push(ref.canonical);
    } catch {
      // not a reference: ignore
    }
  }
  return out;
}

function fileLayer(file: string, diffId: string, size: number, digest?: string): LayerSource {
  return { diffId, size, ...(digest ? { digest } : {}), obtain: async () => ({ file, temporary: false }) };
}

async function importDockerArchive(store: ImageStore, root: string): Promise<ImageRecord[]> {
  const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as Array<{ Config: string; RepoTags?: string[] | null; Layers: string[] }>;
  if (!Array.isArray(manifest)) throw new ImageArchiveError('manifest.json is not a list');
  const records: ImageRecord[] = [];
  for (const item of manifest) {
    const configBytes = await readFile(await insideArchive(root, item.Config));
    const diffIds = diffIdsOf(configBytes, item.Layers.length);
    const layers: LayerSource[] = [];
    let size = configBytes.length;
    for (const [i, layerPath] of item.Layers.entries()) {
      const file = await insideArchive(root, layerPath);
      const bytes = (await stat(file)).size;
      size += bytes;
      layers.push(fileLayer(file, diffIds[i]!, bytes));
    }
    records.push(await store.install({ configBytes, layers, repoTags: canonicalTags(item.RepoTags ?? []), repoDigests: [], size }));
  }
  return records;
}

async function readVerifiedBlob(root: string, descriptor: Descriptor): Promise<{ file: string; bytes?: Buffer }> {
  if (!/^sha256:[a-f0-9]{64}$/.test(descriptor.digest)) throw new ImageArchiveError(`unsupported digest "${descriptor.digest}"`);
  const file = await insideArchive(root, `blobs/sha256/${descriptor.digest.slice(7)}`);
  const actual = await sha256OfFile(file);
  if (actual !== descriptor.digest) throw new ImageArchiveError(`blob ${descriptor.digest} is corrupt (content is ${actual})`);
  return { file };
}

/** The image name of an OCI index entry: a containerd name annotation, or a ref.name that is a full reference. */
function ociEntryNames(descriptor: Descriptor): string[] {
  const annotations = descriptor.annotations ?? {};
  const names: string[] = [];
  if (annotations['io.containerd.image.name']) names.push(annotations['io.containerd.image.name']);
  const refName = annotations['org.opencontainers.image.ref.name'];
  if (refName && /[:/@]/.test(refName)) names.push(refName);
  return names;
}

async function importOciArchive(store: ImageStore, root: string): Promise<ImageRecord[]> {
  const index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8')) as ImageIndex;
  const records: ImageRecord[] = [];
  for (const entry of index.manifests ?? []) {
    let descriptor = entry;
    let doc = JSON.parse(await readFile((await readVerifiedBlob(root, descriptor)).file, 'utf8')) as Record<string, unknown>;
    if (isIndexDocument(descriptor.mediaType, doc)) {
      const choice = choosePlatformManifest(doc as unknown as ImageIndex);
      if (!choice) throw new ImageArchiveError(`no linux manifest for this architecture in ${descriptor.digest}`);
      descriptor = choice;
      doc = JSON.parse(await readFile((await readVerifiedBlob(root, descriptor)).file, 'utf8')) as Record<string, unknown>;
    }
    const manifest = doc as unknown as ImageManifest;
    const manifestBytes = await readFile((await readVerifiedBlob(root, descriptor)).file);
    const configBytes = await readFile((await readVerifiedBlob(root, manifest.config)).file);
    const diffIds = diffIdsOf(configBytes, manifest.layers.length);
    const layers: LayerSource[] = [];
    for (const [i, layer] of manifest.layers.entries()) {
      const { file } = await readVerifiedBlob(root, layer);
      layers.push(fileLayer(file, diffIds[i]!, layer.size, layer.digest));
    }
    const repoTags = canonicalTags(ociEntryNames(entry));
    const repoDigests = repoTags.map((t) => `${normalizeImageRef(t).name}@${entry.digest}`);
    const size = manifest.config.size + manifest.layers.reduce((s, l) => s + l.size, 0);
    records.push(await store.install({ configBytes, layers, repoTags, repoDigests, manifestBytes, size }));
  }
  return records;
}

/** Imports every image in the archive at `file` (plain or gzip tar). */
export async function importImageArchive(store: ImageStore, file: string, tmpRoot: string): Promise<ImageRecord[]> {
  const work = await mkdtemp(join(tmpRoot, 'import-'));
  try {
    await unpackLayerFile(file, work, { preserveOwner: false });
    const has = (name: string) => stat(join(work, name)).then(() => true, () => false);
    if (await has('manifest.json')) return await importDockerArchive(store, work);
    if (await has('index.json')) return await importOciArchive(store, work);
    throw new ImageArchiveError(`${file} is neither a docker save archive (manifest.json) nor an OCI image layout (index.json)`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
