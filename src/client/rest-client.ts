// The HTTP client every component uses to talk to the API server: JSON over HTTPS with a bearer
// token and a pinned CA, typed helpers keyed by ResourceDescriptor, and watch as an async iterable.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { EventEmitter } from 'node:events';
import type { Agent as Dispatcher, request as dispatch } from 'undici';
import type { Status } from '../api/errors.js';
import type { DeleteOptions, KubeList, KubeObject, WatchEvent } from '../api/meta.js';
import { findKind, RESOURCES, type ResourceDescriptor } from '../api/resources.js';
import { loadKubeconfig, type ClientConfig } from './kubeconfig.js';
import { LineSplitter } from './line-splitter.js';
import { errorFromResponse, errorFromStatus, queryString, resourcePath, type Query } from './rest-paths.js';

export const PatchTypes = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
export type PatchType = (typeof PatchTypes)[keyof typeof PatchTypes];

export interface RestClientOptions extends ClientConfig {
  userAgent?: string;
  /** Per-request timeout for everything but watches; default 60 s. */
  timeoutMs?: number;
  /** Connection pool size for ordinary requests; watches use their own pool. Default 64. */
  maxSockets?: number;
  /** Talk plain HTTP over this Unix socket instead of TCP (the server's local socket). */
  socketPath?: string;
  /**
   * What carries ordinary requests (watches always use node:http streams). undici costs the
   * client about half the CPU per request of node:http but about 12 MiB more memory per thread:
   * for processes that write for every pod (hollow nodes, benchmarks), not for the server's own
   * threads, which keep the server's idle footprint small. Default node.
   */
  transport?: 'node' | 'undici';
}

const loadUndici = () => import('undici');
type Undici = Awaited<ReturnType<typeof loadUndici>>;
let undici: Promise<Undici> | undefined;

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  /** Objects are sent as JSON; strings are sent as they are. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  signal?: AbortSignal;
}

export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  signal?: AbortSignal;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  signal?: AbortSignal;
}

export interface PatchOptions extends WriteOptions {
  subresource?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteCollectionOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  signal?: AbortSignal;
}

/** autoscaling/v1 Scale. */
export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('object has no metadata.name');
  return name;
}

function writeQuery(opts: WriteOptions | undefined): Query {
  return { dryRun: opts?.dryRun ? 'All' : undefined, fieldManager: opts?.fieldManager };
}

export class RestClient {
  readonly server: string;
  private readonly token?: string;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly isHttps: boolean;
  /** In-process components reach their own server over a Unix socket: plain HTTP, no TLS work. */
  private readonly socketPath?: string;
  private readonly agent: http.Agent;
  private readonly watchAgent: http.Agent;
  /** With transport undici: the pool ordinary requests go through (made on first use). */
  private dispatcher?: Promise<{ lib: Undici; pool: Dispatcher }>;
  private readonly origin: string;
  private readonly transport: 'node' | 'undici';
  private readonly connect: object;
  private readonly connections: number;

  constructor(options: RestClientOptions) {
    const url = new URL(options.server);
    this.server = url.origin + url.pathname.replace(/\/+$/, '');
    this.token = options.token;
    this.userAgent = options.userAgent ?? 'kijabi/0.1';
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.socketPath = options.socketPath;
    this.isHttps = url.protocol === 'https:' && !options.socketPath;
    const tls = { ca: options.ca, cert: options.cert, key: options.key, rejectUnauthorized: !options.insecure };
    const pooled = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: options.maxSockets ?? 64 };
    // Watches hold a socket for minutes; a separate unbounded pool keeps them from starving requests.
    const streaming = { keepAlive: true, keepAliveMsecs: 30_000 };
    this.agent = this.isHttps ? new https.Agent({ ...pooled, ...tls }) : new http.Agent(pooled);
    this.origin = options.socketPath ? 'http://localhost' : this.server;
    this.transport = options.transport ?? 'node';
    this.connect = options.socketPath ? { socketPath: options.socketPath } : this.isHttps ? tls : {};
    this.connections = options.maxSockets ?? 64;
    this.watchAgent = this.isHttps ? new https.Agent({ ...streaming, ...tls }) : new http.Agent(streaming);
  }

  static fromKubeconfig(path: string, options: { context?: string; userAgent?: string; transport?: RestClientOptions['transport'] } = {}): RestClient {
    return new RestClient({ ...loadKubeconfig(path, { context: options.context }), userAgent: options.userAgent, transport: options.transport });
  }

  /** Closes pooled connections; in-flight watches end. */
  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
    void this.dispatcher?.then(({ pool }) => pool.destroy()).catch(() => undefined);
  }

  /** One request; resolves with the parsed JSON body, rejects with an ApiError for non-2xx replies. */
  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    let text: string;
    let code: number;
    if (this.transport === 'undici') {
      const res = await this.dispatch(opts);
      text = await res.body.text();
      code = res.statusCode;
    } else {
      const res = await this.send(opts, this.agent, opts.timeoutMs ?? this.timeoutMs);
      text = await readBody(res);
      code = res.statusCode ?? 0;
    }
    if (code < 200 || code >= 300) throw errorFromResponse(code, text);
    if (text.trim() === '') return undefined as T;
    return JSON.parse(text) as T;
  }

  /**
   * A request whose successful answer the caller does not need (status reports, events): the body
   * is read off the connection but not decoded, which for a write is a whole object. Errors
   * still reject with the ApiError.
   */
  async requestDiscardingBody(opts: RequestOptions): Promise<void> {
    if (this.transport === 'undici') {
      const res = await this.dispatch(opts);
      const code = res.statusCode;
      if (code < 200 || code >= 300) throw errorFromResponse(code, await res.body.text());
      await res.body.dump({ limit: Infinity }); // read off, so the connection goes back to the pool
      return;
    }
    const res = await this.send(opts, this.agent, opts.timeoutMs ?? this.timeoutMs);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw errorFromResponse(code, await readBody(res));
    for await (const _chunk of res as AsyncIterable<Buffer>) {
      // drained, so the connection goes back to the pool
    }
  }

  /** create() for callers that do not need the stored object back. */
  createDiscardingResult(desc: ResourceDescriptor, obj: KubeObject, opts: WriteOptions = {}): Promise<void> {
    return this.requestDiscardingBody({ method: 'POST', path: resourcePath(desc, obj.metadata?.namespace), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  /** patch() for callers that do not need the stored object back. */
  patchDiscardingResult(desc: ResourceDescriptor, namespace: string | undefined, name: string, patchType: PatchType, body: unknown, opts: PatchOptions = {}): Promise<void> {
    return this.requestDiscardingBody(patchRequest(desc, namespace, name, patchType, body, opts));
  }

  get<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, namespace: string | undefined, name: string, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.request<T>({ method: 'GET', path: resourcePath(desc, namespace, name), signal: opts.signal });
  }

  list<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>({
      method: 'GET',
      path: resourcePath(desc, opts.namespace),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
      },
      signal: opts.signal,
    });
  }

  /** Lists every page (limit `pageSize`); returns the items and the resourceVersion of the list. */
  async listAll<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, opts: Omit<ListOptions, 'limit' | 'continue'> & { pageSize?: number } = {}): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page: KubeList<T> = await this.list<T>(desc, {
        ...opts,
        limit: opts.pageSize ?? 500,
        continue: token,
        // A continue token carries its own snapshot; resourceVersion only applies to the first page.
        resourceVersion: token ? undefined : opts.resourceVersion,
        resourceVersionMatch: token ? undefined : opts.resourceVersionMatch,
      });
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?.continue || undefined;
    } while (token);
    return { items, resourceVersion };
  }

  create<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, obj: T, opts: WriteOptions = {}): Promise<T> {
    const namespace = obj.metadata?.namespace;
    return this.request<T>({ method: 'POST', path: resourcePath(desc, namespace), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  update<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', path: resourcePath(desc, obj.metadata?.namespace, nameOf(obj)), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  updateStatus<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', path: resourcePath(desc, obj.metadata?.namespace, nameOf(obj), 'status'), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  patch<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, namespace: string | undefined, name: string, patchType: PatchType, body: unknown, opts: PatchOptions = {}): Promise<T> {
    return this.request<T>(patchRequest(desc, namespace, name, patchType, body, opts));
  }

  /** Returns the object (when finalizers keep it around) or a Success Status. */
  delete<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, namespace: string | undefined, name: string, options: DeleteOptions = {}, opts: { signal?: AbortSignal } = {}): Promise<T | Status> {
    return this.request<T | Status>({
      method: 'DELETE',
      path: resourcePath(desc, namespace, name),
      body: { apiVersion: 'v1', kind: 'DeleteOptions', ...options },
      signal: opts.signal,
    });
  }

  deleteCollection(desc: ResourceDescriptor, opts: DeleteCollectionOptions = {}, options: DeleteOptions = {}): Promise<unknown> {
    return this.request({
      method: 'DELETE',
      path: resourcePath(desc, opts.namespace),
      query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
      body: { apiVersion: 'v1', kind: 'DeleteOptions', ...options },
      signal: opts.signal,
    });
  }

  /**
   * Streams watch events. ERROR events are thrown as ApiError (a 410 has code 410, reason Expired
   * or Gone), so callers handle an expired resourceVersion in one place. Ends quietly on abort.
   */
  async *watch<T extends KubeObject = KubeObject>(desc: ResourceDescriptor, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const res = await this.send(
      {
        method: 'GET',
        path: resourcePath(desc, opts.namespace),
        query: {
          watch: 'true',
          resourceVersion: opts.resourceVersion,
          allowWatchBookmarks: opts.allowWatchBookmarks === false ? undefined : 'true',
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          timeoutSeconds: opts.timeoutSeconds,
        },
        signal: opts.signal,
      },
      this.watchAgent,
      0,
    ).catch((err: unknown) => {
      if (opts.signal?.aborted) return undefined;
      throw err;
    });
    if (!res) return;
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw errorFromResponse(code, await readBody(res));
    const splitter = new LineSplitter();
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        for (const line of splitter.push(chunk)) yield parseWatchLine<T>(line);
      }
      for (const line of splitter.end()) yield parseWatchLine<T>(line);
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    } finally {
      res.destroy();
    }
  }

  /** Assigns a pod to a node through pods/binding, as the scheduler must. */
  bind(namespace: string, podName: string, nodeName: string, opts: { signal?: AbortSignal } = {}): Promise<unknown> {
    return this.request({
      method: 'POST',
      path: resourcePath(podsDescriptor(), namespace, podName, 'binding'),
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: podName, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
      signal: opts.signal,
    });
  }

  /** Evicts a pod through pods/eviction (honours PodDisruptionBudgets; 429 when one forbids it). */
  evict(namespace: string, podName: string, deleteOptions?: DeleteOptions, opts: { signal?: AbortSignal } = {}): Promise<unknown> {
    const body: Record<string, unknown> = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: podName, namespace } };
    if (deleteOptions) body.deleteOptions = deleteOptions;
    return this.request({ method: 'POST', path: resourcePath(podsDescriptor(), namespace, podName, 'eviction'), body, signal: opts.signal });
  }

  getScale(desc: ResourceDescriptor, namespace: string, name: string, opts: { signal?: AbortSignal } = {}): Promise<Scale> {
    return this.request<Scale>({ method: 'GET', path: resourcePath(desc, namespace, name, 'scale'), signal: opts.signal });
  }

  updateScale(desc: ResourceDescriptor, namespace: string, name: string, scale: Scale, opts: WriteOptions = {}): Promise<Scale> {
    return this.request<Scale>({ method: 'PUT', path: resourcePath(desc, namespace, name, 'scale'), query: writeQuery(opts), body: scale, signal: opts.signal });
  }

  /** PUT /api/v1/namespaces/<name>/finalize: replaces spec.finalizers of a namespace. */
  finalizeNamespace<T extends KubeObject = KubeObject>(namespace: T, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', path: `/api/v1/namespaces/${encodeURIComponent(nameOf(namespace))}/finalize`, body: namespace, signal: opts.signal });
  }

  private async dispatch(opts: RequestOptions): Promise<Awaited<ReturnType<typeof dispatch>>> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const { headers, payload } = this.headersAndPayload(opts);
    this.dispatcher ??= (undici ??= loadUndici()).then((lib) => ({ lib, pool: new lib.Agent({ connections: this.connections, keepAliveTimeout: 30_000, connect: this.connect }) }));
    const { lib, pool } = await this.dispatcher;
    const relay = new AbortRelay();
    const forget = opts.signal ? onAbort(opts.signal, () => relay.abort()) : undefined;
    try {
      return await lib.request(this.origin + opts.path + queryString(opts.query), {
        method: opts.method,
        headers,
        body: payload,
        dispatcher: pool,
        signal: opts.signal ? relay : undefined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      if (err instanceof lib.errors.HeadersTimeoutError || err instanceof lib.errors.BodyTimeoutError) {
        throw new Error(`${opts.method} ${opts.path}: no response within ${timeoutMs} ms`);
      }
      if (opts.signal?.aborted) throw abortError();
      throw err;
    } finally {
      forget?.();
    }
  }

  private headersAndPayload(opts: RequestOptions): { headers: Record<string, string>; payload?: string } {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.userAgent };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body === undefined) return { headers };
    headers['content-type'] = opts.contentType ?? 'application/json';
    return { headers, payload: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) };
  }

  private send(opts: RequestOptions, agent: http.Agent, timeoutMs: number): Promise<IncomingMessage> {
    const url = new URL(this.server + opts.path + queryString(opts.query));
    const { headers, payload: text } = this.headersAndPayload(opts);
    const payload = text === undefined ? undefined : Buffer.from(text, 'utf8');
    if (payload) headers['content-length'] = String(payload.length);
    const transport = this.isHttps ? https : http;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = transport.request(url, { method: opts.method, headers, agent, socketPath: this.socketPath }, resolve);
      req.on('error', reject);
      if (opts.signal) {
        const forget = onAbort(opts.signal, () => req.destroy(abortError()));
        req.once('close', forget);
      }
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`${opts.method} ${opts.path}: no response within ${timeoutMs} ms`)));
      }
      req.end(payload);
    });
  }
}

/**
 * Cancellations in flight per abort signal, with one listener per signal. Passing `signal` to
 * http.request or undici instead adds a listener per request, and adding one scans every listener
 * already on the signal: a component with hundreds of requests in flight on its one stop signal
 * (the scheduler's bindings) spent more time there than in scheduling.
 */
const cancellationsBySignal = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `cancel` when `signal` aborts (at once if it has); returns what forgets it when the request ends. */
function onAbort(signal: AbortSignal, cancel: () => void): () => void {
  if (signal.aborted) {
    cancel();
    return () => undefined;
  }
  let cancellations = cancellationsBySignal.get(signal);
  if (!cancellations) {
    const tracked = new Set<() => void>();
    cancellationsBySignal.set(signal, tracked);
    signal.addEventListener('abort', () => {
      for (const run of tracked) run();
      tracked.clear();
    }, { once: true });
    cancellations = tracked;
  }
  const set = cancellations;
  set.add(cancel);
  return () => set.delete(cancel);
}

/** The error an aborted request fails with, as Node's own `signal` option gives it. */
function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** What undici listens to instead of the caller's signal (an emitter with `aborted`, as it accepts). */
class AbortRelay extends EventEmitter {
  aborted = false;
  abort(): void {
    this.aborted = true;
    this.emit('abort');
  }
}

function patchRequest(desc: ResourceDescriptor, namespace: string | undefined, name: string, patchType: PatchType, body: unknown, opts: PatchOptions): RequestOptions {
  return {
    method: 'PATCH',
    path: resourcePath(desc, namespace, name, opts.subresource),
    query: { ...writeQuery(opts), force: opts.force ? 'true' : undefined },
    body,
    contentType: patchType,
    signal: opts.signal,
  };
}

function podsDescriptor(): ResourceDescriptor {
  const pods = findKind('', 'v1', 'Pod') ?? RESOURCES.find((r) => r.resource === 'pods');
  if (!pods) throw new Error('pods missing from the resource table');
  return pods;
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses one line of a watch stream; ERROR events become thrown ApiErrors. */
export function parseWatchLine<T extends KubeObject = KubeObject>(line: string): WatchEvent<T> {
  const event = JSON.parse(line) as WatchEvent<T>;
  if (event.type === 'ERROR') throw errorFromStatus(event.object);
  return event;
}
