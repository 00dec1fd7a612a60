// The store's index file: images and unpacked layers, written atomically (temp file + rename).
import { readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  stopSignal?: string;
  exposedPorts?: string[];
  labels?: Record<string, string>;
}

export interface StoredImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  diffIds: string[];
  config: ImageConfig;
  /** Digest of the manifest (when known), whose bytes are kept in blobs/. */
  manifestDigest?: string;
  created: string;
  /** Epoch ms of the last pull or resolve, for LRU garbage collection. */
  lastUsed: number;
}

export interface StoredLayer {
  /** Directory name under layers/. */
  dir: string;
  unpackedSize: number;
}

export interface IndexData {
  version: 1;
  images: Record<string, StoredImage>;
  layers: Record<string, StoredLayer>;
}

export function emptyIndex(): IndexData {
  return { version: 1, images: {}, layers: {} };
}

export function readIndex(file: string): IndexData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex();
    throw err;
  }
  const parsed = JSON.parse(text) as IndexData;
  if (parsed.version !== 1) throw new Error(`${file}: unsupported image index version ${String(parsed.version)}`);
  return { version: 1, images: parsed.images ?? {}, layers: parsed.layers ?? {} };
}

export function writeIndex(file: string, data: IndexData): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(data, null, 1));
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** Docker/OCI image config JSON → the fields a container needs. */
export function imageConfigFromJson(doc: { config?: Record<string, unknown> }): ImageConfig {
  const c = (doc.config ?? {}) as {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    User?: string;
    StopSignal?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Labels?: Record<string, string> | null;
  };
  const out: ImageConfig = {};
  if (Array.isArray(c.Entrypoint)) out.entrypoint = c.Entrypoint;
  if (Array.isArray(c.Cmd)) out.cmd = c.Cmd;
  if (Array.isArray(c.Env)) out.env = c.Env;
  if (c.WorkingDir) out.workingDir = c.WorkingDir;
  if (c.User) out.user = c.User;
  if (c.StopSignal) out.stopSignal = c.StopSignal;
  if (c.ExposedPorts && typeof c.ExposedPorts === 'object') out.exposedPorts = Object.keys(c.ExposedPorts);
  if (c.Labels && typeof c.Labels === 'object') out.labels = c.Labels;
  return out;
}

/** Which images to delete to get usage from `usedBytes` down to the low threshold; pure. */
export function planGarbageCollection(input: {
  capacityBytes: number;
  availableBytes: number;
  highThresholdPercent: number;
  lowThresholdPercent: number;
  candidates: Array<{ id: string; lastUsed: number; reclaimableBytes: number }>;
}): { usagePercent: number; bytesToFree: number; remove: string[] } {
  const { capacityBytes, availableBytes } = input;
  const usagePercent = capacityBytes > 0 ? 100 - Math.floor((availableBytes * 100) / capacityBytes) : 0;
  if (usagePercent < input.highThresholdPercent) return { usagePercent, bytesToFree: 0, remove: [] };
  const bytesToFree = Math.max(0, Math.ceil((capacityBytes * (100 - input.lowThresholdPercent)) / 100) - availableBytes);
  const remove: string[] = [];
  let freed = 0;
  for (const c of [...input.candidates].sort((a, b) => a.lastUsed - b.lastUsed || a.id.localeCompare(b.id))) {
    if (freed >= bytesToFree) break;
    remove.push(c.id);
    freed += c.reclaimableBytes;
  }
  return { usagePercent, bytesToFree, remove };
}
