// The API server's HTTPS front: authentication, routing to discovery, OpenAPI and the resource
// registries, and uniform Status errors. Nothing here knows about a particular kind.

import { setMaxListeners } from 'node:events';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { chmodSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { methodNotAllowed, pathNotFound, unauthorized, notFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Logger } from '../../client/log.js';
import type { TokenAuthenticator, UserInfo } from '../auth/token.js';
import { authorize, checkAccess, forbiddenError, requestAttributes } from '../auth/authorizer.js';
import type { TlsMaterial } from '../auth/certs.js';
import { buildOpenApiDocuments, openApiIndex, type OpenApiDocument } from '../openapi/openapi-v3.js';
import { buildOpenApiV2, OPENAPI_V2_PROTOBUF, type OpenApiV2Document } from '../openapi/openapi-v2.js';
import type { TypeRegistry } from '../../api/schema/dsl.js';
import type { ResourceRegistry } from '../registry/registry.js';
import { aggregatedDiscovery, apiResourceList, legacyApiGroup, legacyApiGroupList, legacyApiVersions, versionInfo } from './discovery.js';
import { wantsAggregatedDiscovery } from './negotiation.js';
import { parseRequestInfo, type ResourceRequestInfo } from './request-info.js';
import { contextFrom, handleResource } from './resource-handler.js';
import { writeError, writeJson } from './respond.js';
import { handleSubresource, readJsonBody } from './subresources.js';
import { answerTokenReview } from '../serviceaccount/token-subresource.js';

const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

/** Handlers for connections that leave plain HTTP (exec, attach, port-forward, logs) — set by the node-streaming layer. */
export interface StreamingHandlers {
  handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, query: URLSearchParams, user: UserInfo): Promise<void>;
  handleUpgrade?(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer, info: ResourceRequestInfo, query: URLSearchParams, user: UserInfo): void;
}

export interface ApiServerOptions {
  tls: TlsMaterial;
  authenticator: TokenAuthenticator;
  registries: Map<string, ResourceRegistry>;
  types: TypeRegistry;
  log: Logger;
  now?: () => Date;
  /** Whether /readyz answers ok (set once startup work is done). */
  isReady?: () => boolean;
}

export function registryKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

export class ApiServer {
  private readonly options: ApiServerOptions;
  private readonly server: Server;
  private readonly shutdown = new AbortController();
  private readonly now: () => Date;
  private openapi?: Map<string, OpenApiDocument>;
  private local?: HttpServer;
  private openapiV2?: OpenApiV2Document;
  streaming?: StreamingHandlers;

  constructor(options: ApiServerOptions) {
    this.options = options;
    // Every open watch listens for the server's shutdown: hundreds of listeners are expected.
    setMaxListeners(0, this.shutdown.signal);
    this.now = options.now ?? (() => new Date());
    this.server = createHttpsServer({ cert: options.tls.certPem, key: options.tls.keyPem, keepAliveTimeout: 65_000 }, (req, res) => {
      void this.handle(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => this.handleUpgrade(req, socket, head));
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /**
   * Also serve plain HTTP on a Unix socket only this user can open, for the components that run in
   * this process: same authentication and handlers, without encrypting every watch event twice.
   */
  async listenLocal(socketPath: string): Promise<void> {
    rmSync(socketPath, { force: true });
    const local = createHttpServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      void this.handle(req, res);
    });
    local.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => this.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      local.once('error', reject);
      local.listen(socketPath, () => {
        local.off('error', reject);
        resolve();
      });
    });
    chmodSync(socketPath, 0o600);
    this.local = local;
  }

  async close(): Promise<void> {
    this.shutdown.abort();
    if (this.local) {
      const local = this.local;
      await new Promise<void>((resolve) => {
        local.close(() => resolve());
        local.closeAllConnections();
      });
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  lookup(group: string, resource: string, version?: string): ResourceRegistry | undefined {
    if (version) return this.options.registries.get(registryKey(group, version, resource));
    for (const registry of this.options.registries.values()) {
      if (registry.desc.group === group && registry.desc.resource === resource) return registry;
    }
    return undefined;
  }

  private authenticate(req: IncomingMessage): UserInfo {
    const user = this.options.authenticator.authenticate(req.headers.authorization);
    if (!user) throw unauthorized();
    return user;
  }

  private handleUpgrade(req: IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    const user = this.options.authenticator.authenticate(req.headers.authorization);
    if (!user || info.kind !== 'resource' || !this.streaming?.handleUpgrade) {
      const status = user ? 404 : 401;
      const body = JSON.stringify((user ? pathNotFound() : unauthorized()).toStatus());
      socket.end(`HTTP/1.1 ${status} ${user ? 'Not Found' : 'Unauthorized'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    const decision = authorize(user, requestAttributes(info));
    if (!decision.allowed) {
      const body = JSON.stringify(forbiddenError(user, requestAttributes(info)).toStatus());
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    this.streaming.handleUpgrade(req, socket, head, info, url.searchParams, user);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const logContext: Record<string, unknown> = { method: req.method, path };
    try {
      if (UNAUTHENTICATED_PATHS.has(path)) return this.handleHealth(res, path);
      const user = this.authenticate(req);
      if (req.method === 'GET' && this.handleDiscovery(req, res, path)) return;
      const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
      if (info.kind !== 'resource') throw pathNotFound();
      const registry = this.options.registries.get(registryKey(info.group, info.version, info.resource));
      if (!registry) throw pathNotFound();
      if (registry.desc.namespaced === false && info.namespace !== undefined) throw pathNotFound();
      checkAccess(user, requestAttributes(info));
      if (info.subresource && ['log', 'exec', 'attach', 'portforward', 'proxy'].includes(info.subresource)) {
        if (!this.streaming) throw notFound({ group: info.group, resource: `${info.resource}/${info.subresource}` }, info.name ?? '');
        await this.streaming.handle(req, res, info, url.searchParams, user);
        return;
      }
      const ctx = contextFrom(req, url.searchParams, user);
      if (info.group === 'authentication.k8s.io' && info.resource === 'tokenreviews') {
        if (info.verb !== 'create' || info.name) throw methodNotAllowed();
        const review = answerTokenReview((await readJsonBody(req)) as KubeObject, (token, audiences) => this.options.authenticator.review(token, audiences), this.now());
        writeJson(res, 201, review);
        return;
      }
      if (await handleSubresource(req, res, registry, info, ctx, (g, r) => this.lookup(g, r), this.now)) return;
      await handleResource(req, res, registry, info, url.searchParams, ctx, { now: this.now, shutdown: this.shutdown.signal });
    } catch (err) {
      writeError(res, err, this.options.log, logContext);
    } finally {
      const ms = Date.now() - started;
      if (ms > 1000 && url.searchParams.get('watch') !== 'true') this.options.log.info('slow request', { ...logContext, ms, code: res.statusCode });
    }
  }

  private handleHealth(res: ServerResponse, path: string): void {
    if (path === '/version') return writeJson(res, 200, versionInfo());
    const ready = path !== '/readyz' || (this.options.isReady?.() ?? true);
    res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private' });
    res.end(ready ? 'ok' : `[-]${path.slice(1)} failed: the server is starting`);
  }

  private handleDiscovery(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const accept = req.headers.accept;
    if (path === '/api' || path === '/apis') {
      const aggregated = wantsAggregatedDiscovery(accept);
      if (aggregated) {
        writeJson(res, 200, aggregatedDiscovery(path === '/api', aggregated), `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`);
      } else {
        writeJson(res, 200, path === '/api' ? legacyApiVersions(req.headers.host ?? '127.0.0.1') : legacyApiGroupList());
      }
      return true;
    }
    if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
      this.openapi ??= buildOpenApiDocuments(this.options.types);
      if (path === '/openapi/v3') {
        writeJson(res, 200, openApiIndex(this.openapi));
        return true;
      }
      const doc = this.openapi.get(path.slice('/openapi/v3/'.length));
      if (!doc) throw pathNotFound();
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'public, immutable',
        Expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString(),
        ETag: `"${doc.hash}"`,
        'Content-Length': String(Buffer.byteLength(doc.json)),
      });
      res.end(doc.json);
      return true;
    }
    if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1') {
      // Only the protobuf form: kubectl never asks v2 as JSON, and older clients reject JSON here.
      this.openapiV2 ??= buildOpenApiV2(this.options.types);
      const etag = `"${this.openapiV2.etag}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag });
        res.end();
        return true;
      }
      res.writeHead(200, {
        'Content-Type': OPENAPI_V2_PROTOBUF,
        Vary: 'Accept',
        ETag: etag,
        'Content-Length': String(this.openapiV2.protobuf.length),
      });
      res.end(this.openapiV2.protobuf);
      return true;
    }
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2) {
      const list = apiResourceList('', parts[1]);
      if (!list) throw pathNotFound();
      writeJson(res, 200, list);
      return true;
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const group = legacyApiGroup(parts[1]);
      if (!group) throw pathNotFound();
      writeJson(res, 200, group);
      return true;
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const list = apiResourceList(parts[1], parts[2]);
      if (!list) throw pathNotFound();
      writeJson(res, 200, list);
      return true;
    }
    if (req.method !== 'GET') throw methodNotAllowed();
    return false;
  }
}
