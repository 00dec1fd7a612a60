// The verbs on resources: get, list, watch, create, update, patch, delete, deletecollection, and
// the generic status subresource. Subresources with their own shape live in subresources.ts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, internal, isApiError, methodNotAllowed, notFound } from '../../api/errors.js';
import type { DeleteOptions, KubeObject } from '../../api/meta.js';
import { authorize, reviewAttributes } from '../auth/authorizer.js';
import type { RequestContext } from '../registry/context.js';
import { deleteCollection, deleteResource } from '../registry/deletion.js';
import { patchResource } from '../registry/patch.js';
import { parseResourceVersion, type ListOptions, type ResourceRegistry } from '../registry/registry.js';
import { watchResource } from '../watch/watch.js';
import { decodeBody, wantsTable } from './negotiation.js';
import { objectJson, ownedBytes } from '../registry/object-json.js';
import type { ResourceRequestInfo } from './request-info.js';
import { readBody, writeJson } from './respond.js';
import { toTable, type IncludeObject } from './table.js';
import { WatchWriter } from './watch-writes.js';

export interface HandlerEnv {
  now: () => Date;
  /** Ends long-lived responses (watches) when the server stops. */
  shutdown: AbortSignal;
}

/** An integer query parameter; text that is not one is a 400 worded as Kubernetes' (Go's) parser words it. */
function intParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^[+-]?\d+$/.test(text)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

function listOptionsFrom(query: URLSearchParams): ListOptions {
  return {
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
    limit: intParam(query, 'limit'),
    continueToken: query.get('continue') || undefined,
    resourceVersion: query.get('resourceVersion') ?? undefined,
    resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
  };
}

function includeObjectFrom(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

/** Writes one object or list, as a Table when the client asked for one. */
function respondObjects(req: IncomingMessage, res: ServerResponse, registry: ResourceRegistry, env: HandlerEnv, query: URLSearchParams, body: KubeObject | { items: KubeObject[]; metadata: object }, code: number, ctx?: RequestContext): void {
  const tableVersion = wantsTable(req.headers.accept);
  if (tableVersion && code < 300) {
    const isList = 'items' in body && Array.isArray(body.items);
    const items = isList ? (body as { items: KubeObject[] }).items : [body as KubeObject];
    const meta = isList ? (body as { metadata: Record<string, unknown> }).metadata : { resourceVersion: (body as KubeObject).metadata.resourceVersion };
    writeJson(res, code, toTable(items, {
      printer: registry.strategy.table,
      includeObject: includeObjectFrom(query),
      tableVersion,
      now: env.now(),
      resourceVersion: meta.resourceVersion as string | undefined,
      continueToken: meta.continue as string | undefined,
      remainingItemCount: meta.remainingItemCount as number | undefined,
    }), 'application/json', ctx?.warnings);
    return;
  }
  // A single object comes from the registry (shared, unchanged): its text is reused by watch events.
  writeJson(res, code, 'items' in body ? body : objectJson(body), 'application/json', ctx?.warnings);
}

export function contextFrom(req: IncomingMessage, query: URLSearchParams, user: RequestContext['user']): RequestContext {
  const validation = query.get('fieldValidation');
  if (validation !== null && !['Strict', 'Warn', 'Ignore'].includes(validation)) {
    throw badRequest(`fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`);
  }
  const dryRun = query.getAll('dryRun');
  for (const value of dryRun) if (value !== 'All') throw badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
  return {
    user,
    userAgent: req.headers['user-agent'],
    dryRun: dryRun.includes('All'),
    fieldManager: query.get('fieldManager') ?? undefined,
    fieldValidation: (validation as RequestContext['fieldValidation'] | null) ?? 'Warn',
    warnings: [],
  };
}

async function readObject(req: IncomingMessage): Promise<KubeObject> {
  const raw = await readBody(req);
  if (raw.length === 0) throw badRequest('the body of the request is empty: it must contain an object');
  const value = decodeBody(req.headers['content-type'], raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest("Object 'Kind' is missing in the request body: it must be a JSON object");
  return value as KubeObject;
}

/** The Go type of each DeleteOptions field, for the decoding error Kubernetes gives a wrong one. */
const DELETE_OPTION_TYPES: Record<string, ['number' | 'string' | 'boolean' | 'object' | 'array', string]> = {
  gracePeriodSeconds: ['number', 'int64'],
  propagationPolicy: ['string', 'v1.DeletionPropagation'],
  orphanDependents: ['boolean', 'bool'],
  preconditions: ['object', 'v1.Preconditions'],
  dryRun: ['array', '[]string'],
};

/** A DeleteOptions body whose fields have the wrong JSON type is refused before anything is deleted. */
function checkDeleteOptions(value: Record<string, unknown>): DeleteOptions {
  for (const [field, [kind, goType]] of Object.entries(DELETE_OPTION_TYPES)) {
    const v = value[field];
    if (v === undefined || v === null) continue;
    const actual = Array.isArray(v) ? 'array' : typeof v;
    const ok = kind === 'number' ? typeof v === 'number' && Number.isInteger(v) : actual === kind;
    if (!ok) {
      const jsonKind = actual === 'object' ? 'object' : actual === 'array' ? 'array' : actual === 'boolean' ? 'bool' : actual;
      throw badRequest(`json: cannot unmarshal ${jsonKind} into Go struct field DeleteOptions.${field} of type ${goType}`);
    }
  }
  return value as DeleteOptions;
}

async function readDeleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
  const raw = await readBody(req);
  let options: DeleteOptions = {};
  if (raw.length > 0) {
    const value = decodeBody(req.headers['content-type'], raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) options = checkDeleteOptions(value as Record<string, unknown>);
  }
  const grace = intParam(query, 'gracePeriodSeconds');
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  const propagation = query.get('propagationPolicy');
  if (propagation) options.propagationPolicy = propagation as DeleteOptions['propagationPolicy'];
  const orphan = query.get('orphanDependents');
  if (orphan !== null) options.orphanDependents = orphan === 'true';
  return options;
}

/**
 * Serialised watch lines, shared by every watcher that receives the same event object: with a
 * thousand watchers an event is encoded once, not a thousand times.
 */
const encodedEvents = new WeakMap<object, Map<string, Buffer>>();

/**
 * Lines are kept as bytes: a string written to a chunked response is measured (for the chunk
 * size) and encoded to UTF-8 again for every watcher; bytes are written as they are.
 */
function encodeEvent(type: string, object: unknown): Buffer {
  if (typeof object !== 'object' || object === null) return Buffer.from(`${JSON.stringify({ type, object })}\n`);
  let byType = encodedEvents.get(object);
  if (!byType) {
    byType = new Map();
    encodedEvents.set(object, byType);
  }
  let line = byType.get(type);
  if (line === undefined) {
    // The same text as JSON.stringify({ type, object }), reusing the object's text from the response.
    line = ownedBytes(`{"type":${JSON.stringify(type)},"object":${objectJson(object)}}\n`);
    byType.set(type, line);
  }
  return line;
}

/** How often a watch that allows bookmarks is told how far it has come (Kubernetes: every minute). */
const BOOKMARK_INTERVAL_MS = 60_000;
/** The last bookmark goes this long before a watch's timeout, so the client resumes from it. */
const BOOKMARK_BEFORE_TIMEOUT_MS = 1_000;

async function streamWatch(req: IncomingMessage, res: ServerResponse, registry: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, env: HandlerEnv): Promise<void> {
  const timeoutSeconds = intParam(query, 'timeoutSeconds') ?? 0;
  const controller = new AbortController();
  const stop = () => controller.abort();
  req.on('close', stop);
  env.shutdown.addEventListener('abort', stop, { once: true });
  // kubectl get -w ends when the server closes the stream, so without timeoutSeconds we keep it for an hour.
  const lifetimeMs = (timeoutSeconds > 0 ? timeoutSeconds : 3600) * 1000;
  const timer = setTimeout(stop, lifetimeMs);
  timer.unref();
  const progress: { current?: () => number | undefined } = {};
  let fieldSelector = query.get('fieldSelector') ?? undefined;
  if (info.name) fieldSelector = [`metadata.name=${info.name}`, fieldSelector].filter(Boolean).join(',');
  const events = watchResource(registry, info.namespace, {
    resourceVersion: query.get('resourceVersion') ?? undefined,
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector,
    signal: controller.signal,
    progress,
  });
  const tableVersion = wantsTable(req.headers.accept);
  const bookmarkTimers: NodeJS.Timeout[] = [];
  const include = includeObjectFrom(query);
  let first = true;
  try {
    // Bad selectors and resourceVersions are answered as a Status before the stream starts; after
    // that the headers go out at once, so clients see the watch open even when nothing changes.
    registry.selection({ labelSelector: query.get('labelSelector') ?? undefined, fieldSelector });
    const rv = query.get('resourceVersion');
    if (rv && rv !== '0') parseResourceVersion(rv);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const writer = new WatchWriter(res);
    const write = (line: string | Buffer) => writer.write(line);
    // Bookmarks (allowWatchBookmarks=true) tell the client the revision it has seen everything up to,
    // also when the selector filtered every change out, so its next watch resumes from there
    // instead of from an old revision (which compaction may have dropped).
    // Only a revision newer than the one the watch started from, or than the last bookmark, is news.
    let lastRevision = rv && rv !== '0' ? Number(rv) : 0;
    if (query.get('allowWatchBookmarks') === 'true' && !tableVersion) {
      const bookmark = () => {
        const revision = progress.current?.();
        if (revision === undefined || revision <= lastRevision || res.writableEnded) return;
        lastRevision = revision;
        write(encodeEvent('BOOKMARK', { apiVersion: registry.apiVersion, kind: registry.desc.kind, metadata: { resourceVersion: String(revision) } }));
      };
      bookmarkTimers.push(setInterval(bookmark, BOOKMARK_INTERVAL_MS), setTimeout(bookmark, Math.max(0, lifetimeMs - BOOKMARK_BEFORE_TIMEOUT_MS)));
      for (const t of bookmarkTimers) t.unref();
    }
    for (let next = await events.next(); !next.done; next = await events.next()) {
      const event = next.value;
      if (tableVersion && event.type !== 'ERROR' && event.type !== 'BOOKMARK') {
        const table = toTable([event.object as KubeObject], { printer: registry.strategy.table, includeObject: include, tableVersion, now: env.now(), withColumns: first, resourceVersion: (event.object as KubeObject).metadata.resourceVersion });
        first = false;
        write(`${JSON.stringify({ type: event.type, object: table })}\n`);
      } else {
        write(encodeEvent(event.type, event.object));
      }
    }
  } catch (err) {
    // Once streaming, a failure becomes an in-stream ERROR event, as Kubernetes sends it.
    if (!res.headersSent) throw err;
    const status = isApiError(err) ? err.toStatus() : internal(err).toStatus();
    if (!res.writableEnded) res.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
  } finally {
    clearTimeout(timer);
    for (const t of bookmarkTimers) clearTimeout(t);
    req.off('close', stop);
    env.shutdown.removeEventListener('abort', stop);
    await events.return(undefined);
    if (!res.writableEnded) res.end();
  }
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, registry: ResourceRegistry, info: ResourceRequestInfo, query: URLSearchParams, ctx: RequestContext, env: HandlerEnv): Promise<void> {
  const sub = info.subresource;
  // Besides status, only subresources that write a part of the object (pods/ephemeralcontainers) come here.
  const partial = sub !== undefined && registry.strategy.partialSubresources?.includes(sub) === true;
  if (sub !== undefined && sub !== 'status' && !partial) throw notFound({ group: info.group, resource: `${info.resource}/${sub}` }, info.name ?? '');
  if (partial && !['get', 'update', 'patch'].includes(info.verb)) throw methodNotAllowed();
  if (sub === 'status' && !registry.desc.subresources?.includes('status')) throw notFound({ group: info.group, resource: info.resource }, info.name ?? '');
  const verbs = registry.desc.verbs;
  if (verbs && !verbs.includes(info.verb)) throw methodNotAllowed();
  switch (info.verb) {
    case 'get':
      return respondObjects(req, res, registry, env, query, await registry.get(info.namespace, info.name!), 200);
    case 'list':
      return respondObjects(req, res, registry, env, query, await registry.list(info.namespace, listOptionsFrom(query)), 200);
    case 'watch':
      return streamWatch(req, res, registry, info, query, env);
    case 'create': {
      if (info.name) throw methodNotAllowed();
      const created = await registry.create(info.namespace, await readObject(req), ctx);
      // Reviews are answered, not stored: the decision goes into their status.
      if (registry.desc.resource === 'selfsubjectaccessreviews') created.status = authorize(ctx.user, reviewAttributes(created.spec));
      return respondObjects(req, res, registry, env, query, created, 201, ctx);
    }
    case 'update': {
      const result = await registry.update(info.namespace, info.name!, await readObject(req), ctx, sub);
      return respondObjects(req, res, registry, env, query, result.object, result.created ? 201 : 200, ctx);
    }
    case 'patch': {
      if (!info.name) throw methodNotAllowed();
      const body = (await readBody(req)).toString('utf8');
      const result = await patchResource(registry, info.namespace, info.name, req.headers['content-type'] ?? '', body, ctx, { subresource: sub, force: query.get('force') === 'true' });
      return respondObjects(req, res, registry, env, query, result.object, result.created ? 201 : 200, ctx);
    }
    case 'delete': {
      const options = await readDeleteOptions(req, query);
      if (options.dryRun?.includes('All')) ctx.dryRun = true;
      const result = await deleteResource(registry, info.namespace, info.name!, options, ctx);
      return respondObjects(req, res, registry, env, query, result.object, result.deleted ? 200 : 200, ctx);
    }
    case 'deletecollection': {
      const options = await readDeleteOptions(req, query);
      if (options.dryRun?.includes('All')) ctx.dryRun = true;
      const list = await deleteCollection(registry, info.namespace, listOptionsFrom(query), options, ctx);
      return respondObjects(req, res, registry, env, query, list, 200, ctx);
    }
    default:
      throw methodNotAllowed();
  }
}
