// Subresources with their own shapes: scale (autoscaling/v1 Scale), pods/binding, pods/eviction
// (honouring PodDisruptionBudgets), namespaces/finalize, serviceaccounts/token and the
// create-only SelfSubjectReview.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, conflict, fieldErrors, invalid, methodNotAllowed, notFound, successStatus, tooManyRequests } from '../../api/errors.js';
import type { DeleteOptions, KubeObject, LabelSelector } from '../../api/meta.js';
import { rfc3339 } from '../../api/meta.js';
import { fromLabelSelector, matches, selectorToString } from '../../machinery/labels/selector.js';
import type { RequestContext } from '../registry/context.js';
import { answerSelfSubjectReview, answerTokenRequest } from '../serviceaccount/token-subresource.js';
import { deleteResource } from '../registry/deletion.js';
import { applyPatchDocument, patchTypeOf } from '../registry/patch.js';
import type { ResourceRegistry } from '../registry/registry.js';
import { decodeBody } from './negotiation.js';
import type { ResourceRequestInfo } from './request-info.js';
import { readBody, writeJson } from './respond.js';

export interface RegistryLookup {
  (group: string, resource: string): ResourceRegistry | undefined;
}

function toScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorToString(spec.selector) },
  };
}

/** A request body that must be an object (JSON, YAML or protobuf by content type). */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  const value = decodeBody(req.headers['content-type'], raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the body of the request must be an object');
  return value as Record<string, unknown>;
}

async function handleScale(req: IncomingMessage, res: ServerResponse, registry: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext): Promise<void> {
  const name = info.name!;
  if (info.verb === 'get') {
    writeJson(res, 200, toScale(await registry.get(info.namespace, name)));
    return;
  }
  if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotAllowed();
  const bodyRaw = await readBody(req);
  const result = await registry.guaranteedUpdate(info.namespace, name, ctx, (current) => {
    const currentScale = toScale(current!);
    let wanted: KubeObject;
    if (info.verb === 'update') {
      wanted = decodeBody(req.headers['content-type'], bodyRaw) as KubeObject;
      if (!wanted || typeof wanted !== 'object') throw badRequest('the body of the request must be a Scale');
      const rv = wanted.metadata?.resourceVersion;
      if (rv && rv !== current!.metadata.resourceVersion) throw conflict(registry.ref, name);
    } else {
      const type = patchTypeOf(req.headers['content-type'] ?? '');
      if (type === 'apply') throw badRequest('server-side apply is not supported on the scale subresource');
      let patch: unknown;
      try {
        patch = JSON.parse(bodyRaw.toString('utf8'));
      } catch (err) {
        throw badRequest(`error decoding patch: ${(err as Error).message}`);
      }
      wanted = applyPatchDocument(registry, currentScale, type === 'strategic' ? 'merge' : type, patch);
    }
    const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw badRequest('Scale.spec.replicas must be an integer');
    if (replicas < 0) throw invalid('Scale', 'autoscaling', name, [fieldErrors.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
    const next = current!;
    next.spec = { ...(next.spec as object), replicas };
    delete next.metadata.resourceVersion;
    return next;
  });
  writeJson(res, 200, toScale(result.object), 'application/json', ctx.warnings);
}

async function handleBinding(req: IncomingMessage, res: ServerResponse, pods: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext, now: () => Date): Promise<void> {
  if (info.verb !== 'create') throw methodNotAllowed();
  const binding = await readJsonBody(req);
  const target = binding.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) throw invalid('Binding', '', info.name ?? '', [fieldErrors.required('target.name')]);
  if (target.kind && target.kind !== 'Node') throw invalid('Binding', '', info.name ?? '', [fieldErrors.notSupported('target.kind', target.kind, ['Node'])]);
  await pods.guaranteedUpdate(info.namespace, info.name!, { ...ctx, skipManagedFields: true }, (current) => {
    const pod = current!;
    const spec = pod.spec as { nodeName?: string };
    if (pod.metadata.deletionTimestamp) throw conflict(pods.ref, info.name!, 'pod is being deleted, cannot be assigned to a host');
    if (spec.nodeName) throw conflict(pods.ref, info.name!, `pod ${info.name} is already assigned to node "${spec.nodeName}"`);
    spec.nodeName = target.name;
    // One write binds the pod and records PodScheduled, as Kubernetes' binding does.
    const status = (pod.status ?? {}) as { conditions?: Record<string, unknown>[] };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now()) });
    pod.status = { ...status, conditions };
    return pod;
  }, { subresource: 'binding' });
  writeJson(res, 201, successStatus());
}

async function handleEviction(req: IncomingMessage, res: ServerResponse, pods: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext, lookup: RegistryLookup): Promise<void> {
  if (info.verb !== 'create') throw methodNotAllowed();
  const eviction = await readJsonBody(req);
  const evictionName = (eviction.metadata as { name?: unknown } | undefined)?.name;
  if (typeof evictionName === 'string' && evictionName !== '' && evictionName !== info.name) {
    throw badRequest('name in URL does not match name in Eviction object');
  }
  const pod = await pods.get(info.namespace, info.name!);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  const pdbs = lookup('policy', 'poddisruptionbudgets');
  if (pdbs && phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp) {
    const budgets = (await pdbs.list(info.namespace)).items.filter((pdb) => {
      const selector = (pdb.spec as { selector?: LabelSelector } | undefined)?.selector;
      return selector !== undefined && matches(fromLabelSelector(selector), pod.metadata.labels ?? {});
    });
    if (budgets.length > 1) throw new ApiError('InternalError', 500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    const pdb = budgets[0];
    if (pdb) {
      const status = (pdb.status ?? {}) as { disruptionsAllowed?: number; observedGeneration?: number };
      if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0) || (status.disruptionsAllowed ?? 0) < 1) {
        throw tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 10, [
          { reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${String((pdb.status as { desiredHealthy?: number } | undefined)?.desiredHealthy ?? 0)} healthy pods and has ${String((pdb.status as { currentHealthy?: number } | undefined)?.currentHealthy ?? 0)} currently` },
        ]);
      }
      await pdbs.guaranteedUpdate(info.namespace, pdb.metadata.name!, { ...ctx, skipManagedFields: true }, (current) => {
        const st = (current!.status ?? {}) as { disruptionsAllowed?: number };
        if ((st.disruptionsAllowed ?? 0) < 1) throw tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 10);
        current!.status = { ...st, disruptionsAllowed: (st.disruptionsAllowed ?? 1) - 1 };
        return current!;
      }, { subresource: 'status' });
    }
  }
  const options = (eviction.deleteOptions ?? {}) as DeleteOptions;
  await deleteResource(pods, info.namespace, info.name!, options, ctx);
  writeJson(res, 201, successStatus());
}

async function handleFinalize(req: IncomingMessage, res: ServerResponse, namespaces: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext): Promise<void> {
  if (info.verb !== 'update') throw methodNotAllowed();
  const body = await readJsonBody(req);
  const finalizers = ((body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).slice();
  const result = await namespaces.guaranteedUpdate(undefined, info.name!, { ...ctx, skipManagedFields: true }, (current) => {
    current!.spec = { ...(current!.spec as object), finalizers };
    if (finalizers.length === 0) delete (current!.spec as { finalizers?: string[] }).finalizers;
    return current!;
  }, { subresource: 'finalize' });
  writeJson(res, 200, result.object);
}

/** True when the request was for one of these subresources and has been answered. */
export async function handleSubresource(req: IncomingMessage, res: ServerResponse, registry: ResourceRegistry, info: ResourceRequestInfo, ctx: RequestContext, lookup: RegistryLookup, now: () => Date): Promise<boolean> {
  const key = `${info.group}/${info.resource}/${info.subresource ?? ''}`;
  if (info.subresource === 'scale' && registry.desc.subresources?.includes('scale')) {
    await handleScale(req, res, registry, info, ctx);
    return true;
  }
  switch (key) {
    case '/pods/binding':
      await handleBinding(req, res, registry, info, ctx, now);
      return true;
    case '/pods/eviction':
      await handleEviction(req, res, registry, info, ctx, lookup);
      return true;
    case '/namespaces/finalize':
      await handleFinalize(req, res, registry, info, ctx);
      return true;
    case '/serviceaccounts/token':
      writeJson(res, 201, await answerTokenRequest(registry, info.namespace ?? '', info.name!, info.verb, (await readJsonBody(req)) as KubeObject, lookup, now()));
      return true;
    case 'authentication.k8s.io/selfsubjectreviews/':
      if (info.verb !== 'create' || info.name) throw methodNotAllowed();
      await readJsonBody(req);
      writeJson(res, 201, answerSelfSubjectReview(ctx.user, now()));
      return true;
    default:
      if (info.subresource && info.subresource !== 'status') {
        if (!registry.desc.subresources?.includes(info.subresource as never)) throw notFound({ group: info.group, resource: info.resource }, info.name ?? '');
      }
      return false;
  }
}
