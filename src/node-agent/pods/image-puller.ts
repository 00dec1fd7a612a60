// Making a container's image present: imagePullPolicy, credentials from imagePullSecrets, and the
// kubelet's events and waiting reasons (ErrImagePull, ImagePullBackOff, ErrImageNeverPull).

import type { KubeObject } from '../../api/meta.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { ImageRecord, ImageStore, RegistryAuth } from '../images/image-store.js';
import type { ObjectSource } from './kubelet-deps.js';

type Json = Record<string, unknown>;

/** A failed attempt to make the image present; `reason` becomes the container's waiting reason. */
export class ImagePullFailure extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
  ) {
    super(message);
  }
}

/** Kubernetes' default: Always for :latest or no tag, else IfNotPresent. */
export function effectivePullPolicy(container: Json): 'Always' | 'IfNotPresent' | 'Never' {
  const policy = container.imagePullPolicy;
  if (policy === 'Always' || policy === 'IfNotPresent' || policy === 'Never') return policy;
  const image = String(container.image ?? '');
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Credentials from a .dockerconfigjson (or legacy .dockercfg) document. */
export function parseDockerConfig(text: string): RegistryAuth[] {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return [];
  }
  const auths = (typeof doc.auths === 'object' && doc.auths !== null ? doc.auths : doc) as Record<string, Json>;
  const out: RegistryAuth[] = [];
  for (const [registry, entry] of Object.entries(auths)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const auth: RegistryAuth = { registry: registry.replace(/^https?:\/\//, '').replace(/\/.*$/, '') };
    if (typeof entry.username === 'string') auth.username = entry.username;
    if (typeof entry.password === 'string') auth.password = entry.password;
    if (typeof entry.auth === 'string') auth.auth = entry.auth;
    if (typeof entry.identitytoken === 'string') auth.identityToken = entry.identitytoken;
    out.push(auth);
  }
  return out;
}

/** Go-style duration text: 834ms, 1.234s. */
export function formatPullDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

export interface PullContext {
  images: ImageStore;
  source: ObjectSource;
  events: EventRecorder;
}

async function pullSecrets(pod: KubeObject, source: ObjectSource): Promise<RegistryAuth[]> {
  const refs = ((pod as unknown as { spec?: { imagePullSecrets?: Json[] } }).spec?.imagePullSecrets ?? []);
  const out: RegistryAuth[] = [];
  for (const ref of refs) {
    const secret = (await source.getSecret(pod.metadata.namespace ?? 'default', String(ref.name)).catch(() => undefined)) as (KubeObject & { data?: Record<string, string> }) | undefined;
    const data = secret?.data ?? {};
    const encoded = data['.dockerconfigjson'] ?? data['.dockercfg'];
    if (encoded) out.push(...parseDockerConfig(Buffer.from(encoded, 'base64').toString('utf8')));
  }
  return out;
}

/** Returns the image, pulling it when the policy says so; throws ImagePullFailure. */
export async function ensureImage(ctx: PullContext, pod: KubeObject, container: Json, signal?: AbortSignal): Promise<ImageRecord> {
  const image = String(container.image ?? '');
  const policy = effectivePullPolicy(container);
  const present = ctx.images.resolve(image);
  if (present && policy !== 'Always') {
    ctx.events.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return present;
  }
  if (policy === 'Never') {
    const message = `Container image "${image}" is not present with pull policy of Never`;
    ctx.events.event(pod, 'Warning', 'ErrImageNeverPull', message);
    throw new ImagePullFailure('ErrImageNeverPull', message);
  }
  ctx.events.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
  const started = Date.now();
  try {
    const auth = await pullSecrets(pod, ctx.source);
    const record = await ctx.images.pull(image, { auth, signal });
    const took = formatPullDuration(Date.now() - started);
    ctx.events.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${record.size} bytes.`);
    return record;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const message = `failed to pull and unpack image "${image}": ${detail}`;
    ctx.events.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
    ctx.events.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    const reason = (err as { reason?: string }).reason === 'InvalidImageName' ? 'InvalidImageName' : 'ErrImagePull';
    throw new ImagePullFailure(reason, message);
  }
}
