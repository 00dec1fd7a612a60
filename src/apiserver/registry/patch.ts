// PATCH in its four content types: JSON patch, merge patch, strategic merge patch and
// server-side apply. Each produces the desired object, which then goes through the same update
// path as a PUT (validation, generation, optimistic concurrency).

import { badRequest, unsupportedMediaType } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { rfc3339 } from '../../api/meta.js';
import { parseYaml } from '../http/negotiation.js';
import { apply } from '../../machinery/apply/apply.js';
import { applyJsonPatch } from '../../machinery/patch/json-patch.js';
import { applyMergePatchSharing } from '../../machinery/patch/merge-patch.js';
import { strategicMergePatch } from '../../machinery/patch/strategic-merge.js';
import type { RequestContext } from './context.js';
import type { ResourceRegistry, WriteResult } from './registry.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string): PatchType {
  const base = contentType.split(';')[0].trim().toLowerCase();
  switch (base) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      throw unsupportedMediaType(contentType);
  }
}

function parsePatchBody(type: PatchType, text: string): unknown {
  try {
    if (type !== 'apply') return JSON.parse(text);
    // kubectl sends apply configurations as JSON; YAML is the general case.
    try {
      return JSON.parse(text);
    } catch {
      return parseYaml(text);
    }
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

/** Applies a patch document to `current`, which the caller gives up: the result may share its parts. */
export function applyPatchDocument(registry: ResourceRegistry, current: KubeObject, type: Exclude<PatchType, 'apply'>, patch: unknown): KubeObject {
  switch (type) {
    case 'json':
      if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      return applyJsonPatch(current, patch) as KubeObject;
    case 'merge':
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('error decoding patch: the patch must be a JSON object');
      return applyMergePatchSharing(current, patch) as KubeObject;
    case 'strategic':
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('error decoding patch: the patch must be a JSON object');
      if (!registry.type) return applyMergePatchSharing(current, patch) as KubeObject;
      return strategicMergePatch(current, patch, registry.type.name, registry.deps.types) as KubeObject;
  }
}

function patchedResourceVersion(patch: unknown): string | undefined {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return undefined;
  const meta = (patch as { metadata?: { resourceVersion?: unknown } }).metadata;
  return typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : undefined;
}

export async function patchResource(
  registry: ResourceRegistry,
  namespace: string | undefined,
  name: string,
  contentType: string,
  bodyText: string,
  ctx: RequestContext,
  options: { subresource?: string; force?: boolean } = {},
): Promise<WriteResult> {
  const type = patchTypeOf(contentType);
  const patch = parsePatchBody(type, bodyText);
  if (type === 'apply') return serverSideApply(registry, namespace, name, patch, ctx, options);
  const precondition = patchedResourceVersion(patch);
  // Every field of a merge-patched object comes from the patch or from the stored object, which
  // passed these checks: the patch alone is checked, once (and a merge patch replaces lists
  // whole, so its paths are the result's). Other patch types are checked on their result.
  const checkedBefore = type === 'merge' && typeof patch === 'object' && patch !== null && !Array.isArray(patch);
  if (checkedBefore) registry.checkFields(patch, ctx, { mergePatch: true });
  return registry.guaranteedUpdate(
    namespace,
    name,
    ctx,
    (current) => {
      const patched = applyPatchDocument(registry, current!, type, patch);
      if (!patched || typeof patched !== 'object' || typeof patched.metadata !== 'object') throw badRequest('the patch produced an object without metadata');
      registry.checkBody(patched, namespace, ctx, { fields: !checkedBefore });
      if (patched.metadata.name !== name) throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`);
      if (precondition === undefined) delete patched.metadata.resourceVersion;
      return patched;
    },
    { subresource: options.subresource },
  );
}

async function serverSideApply(
  registry: ResourceRegistry,
  namespace: string | undefined,
  name: string,
  applied: unknown,
  ctx: RequestContext,
  options: { subresource?: string; force?: boolean },
): Promise<WriteResult> {
  if (typeof applied !== 'object' || applied === null || Array.isArray(applied)) throw badRequest('error decoding YAML: the applied configuration must be an object');
  const config = applied as KubeObject;
  if (!ctx.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
  if (!config.apiVersion || !config.kind) throw badRequest('Object \'Kind\' is missing in the applied configuration');
  registry.checkBody(config, namespace, ctx);
  if (config.metadata.name !== undefined && config.metadata.name !== name) {
    throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
  }
  config.metadata.name = name;
  const typeName = registry.type?.name;
  const applyCtx: RequestContext = { ...ctx, skipManagedFields: true };
  return registry.guaranteedUpdate(
    namespace,
    name,
    applyCtx,
    (current) => {
      if (!typeName) return { ...(current ?? {}), ...structuredClone(config) } as KubeObject;
      const result = apply(current, structuredClone(config), {
        manager: ctx.fieldManager!,
        force: options.force === true,
        typeName,
        types: registry.deps.types,
        apiVersion: registry.apiVersion,
        now: rfc3339(registry.deps.now()),
        subresource: options.subresource,
      });
      const object = result.object;
      if (config.metadata.resourceVersion === undefined) delete object.metadata.resourceVersion;
      return object;
    },
    { subresource: options.subresource, allowCreate: options.subresource === undefined },
  );
}
