// The API server's side of pods/log, exec, attach and portforward: find the pod's node and agent,
// then proxy. Logs are a plain HTTPS request streamed back; upgrades are relayed byte for byte after
// the agent's response, like Kubernetes' UpgradeAwareHandler. The top half is pure decisions.

import { request as httpsRequest } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { badRequest, internal, isApiError, methodNotAllowed, notFound, type ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Logger } from '../../client/log.js';
import type { UserInfo } from '../auth/token.js';
import type { ResourceRegistry } from '../registry/registry.js';
import type { ResourceRequestInfo } from './request-info.js';
import { writeError } from './respond.js';
import type { StreamingHandlers } from './server.js';


export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';
export const DEFAULT_KUBELET_PORT = 10250;

export type StreamSubresource = 'log' | 'exec' | 'attach' | 'portforward';

interface PodShape {
  metadata: KubeObject['metadata'];
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
  status?: { phase?: string };
}

interface NodeShape {
  status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

/** The container a request is about: the query, else the default-container annotation, else the first. */
export function chooseContainer(pod: KubeObject, requested: string | null): string {
  const p = pod as unknown as PodShape;
  const containers = p.spec?.containers ?? [];
  const all = [...containers, ...(p.spec?.initContainers ?? []), ...(p.spec?.ephemeralContainers ?? [])].map((c) => c.name);
  const name = requested || p.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION] || containers[0]?.name;
  if (!name) throw badRequest(`a container name must be specified for pod ${pod.metadata.name}`);
  if (!all.includes(name)) throw badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
  return name;
}

/** Checks the pod can serve the stream; returns the node it runs on. */
export function requireStreamablePod(pod: KubeObject, subresource: StreamSubresource, container: string | undefined): string {
  const p = pod as unknown as PodShape;
  const nodeName = p.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const phase = p.status?.phase ?? 'Pending';
  if (subresource === 'portforward' && phase !== 'Running') {
    throw badRequest(`unable to forward port because pod is not running. Current status=${phase}`);
  }
  if ((subresource === 'exec' || subresource === 'attach') && phase !== 'Running') {
    throw badRequest(`container not found ("${container ?? ''}")`);
  }
  return nodeName;
}

/** The agent's address (InternalIP, else Hostname, else any) and streaming port of a Node. */
export function nodeEndpoint(node: KubeObject): { host: string; port: number } | ApiError {
  const n = node as unknown as NodeShape;
  const addresses = n.status?.addresses ?? [];
  const pick = addresses.find((a) => a.type === 'InternalIP') ?? addresses.find((a) => a.type === 'Hostname') ?? addresses[0];
  if (!pick?.address) return badRequest(`node ${node.metadata.name} has no address to reach its agent`);
  const port = n.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return { host: pick.address, port: typeof port === 'number' && port > 0 ? port : DEFAULT_KUBELET_PORT };
}

/** The kubelet-style path on the agent for a pods/<subresource> request. */
export function agentPath(subresource: StreamSubresource, namespace: string, pod: string, container: string): string {
  const e = encodeURIComponent;
  switch (subresource) {
    case 'log':
      return `/containerLogs/${e(namespace)}/${e(pod)}/${e(container)}`;
    case 'exec':
      return `/exec/${e(namespace)}/${e(pod)}/${e(container)}`;
    case 'attach':
      return `/attach/${e(namespace)}/${e(pod)}/${e(container)}`;
    case 'portforward':
      return `/portForward/${e(namespace)}/${e(pod)}`;
  }
}

/** The query forwarded to the agent: the client's, minus what the path already says. */
export function agentQuery(query: URLSearchParams): string {
  const copy = new URLSearchParams(query);
  copy.delete('container');
  const text = copy.toString();
  return text ? `?${text}` : '';
}

/** Request headers an upgrade passes on to the agent (from rawHeaders, so repeats survive). */
const FORWARDED_UPGRADE_HEADERS = new Set(['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version']);

export function upgradeHeaderLines(rawHeaders: string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (FORWARDED_UPGRADE_HEADERS.has(rawHeaders[i].toLowerCase())) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  }
  return lines;
}

const STREAM_SUBRESOURCES = new Set<string>(['log', 'exec', 'attach', 'portforward']);

export interface NodeProxyOptions {
  lookup: (group: string, resource: string) => ResourceRegistry | undefined;
  /** Bearer token the agents accept from the API server. */
  agentToken: string;
  /** The cluster CA that signs agents' serving certificates; without it agent certificates are NOT verified. */
  caPem?: string;
  log: Logger;
}

interface ProxyTarget {
  host: string;
  port: number;
  path: string;
}

export class NodeProxy implements StreamingHandlers {
  private readonly options: NodeProxyOptions;

  constructor(options: NodeProxyOptions) {
    this.options = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequestInfo, query: URLSearchParams, _user: UserInfo): Promise<void> {
    const subresource = info.subresource ?? '';
    if (subresource !== 'log') {
      if (!STREAM_SUBRESOURCES.has(subresource)) throw notFound({ group: info.group, resource: `${info.resource}/${subresource}` }, info.name ?? '');
      throw badRequest('Upgrade request required');
    }
    if (req.method !== 'GET') throw methodNotAllowed();
    const target = await this.resolve(info, query);
    await new Promise<void>((resolve) => {
      const upstream = httpsRequest({ ...this.tlsOptions(target.host), host: target.host, port: target.port, method: 'GET', path: target.path, headers: { Authorization: `Bearer ${this.options.agentToken}` } }, (agentRes) => {
        const code = agentRes.statusCode ?? 502;
        const headers: Record<string, string> = { 'Content-Type': code === 200 ? 'text/plain' : String(agentRes.headers['content-type'] ?? 'application/json'), 'Cache-Control': 'no-cache, private' };
        res.writeHead(code, headers);
        res.flushHeaders();
        agentRes.pipe(res);
        agentRes.once('error', () => res.destroy());
        agentRes.once('end', () => resolve());
      });
      upstream.once('error', (err) => {
        if (!res.headersSent) writeError(res, badRequest(`failed to reach the node agent: ${err.message}`), this.options.log, { pod: info.name });
        else res.destroy();
        resolve();
      });
      // follow=true streams until either side goes away.
      res.once('close', () => {
        upstream.destroy();
        resolve();
      });
      upstream.end();
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, info: ResourceRequestInfo, query: URLSearchParams, _user: UserInfo): void {
    socket.on('error', () => socket.destroy());
    void (async () => {
      const subresource = info.subresource ?? '';
      if (!STREAM_SUBRESOURCES.has(subresource) || subresource === 'log') throw notFound({ group: '', resource: `pods/${subresource}` }, info.name ?? '');
      const target = await this.resolve(info, query);
      const agent = await this.connectAgent(target.host, target.port);
      const requestHead = [
        `${req.method ?? 'GET'} ${target.path} HTTP/1.1`,
        `Host: ${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`,
        `Authorization: Bearer ${this.options.agentToken}`,
        ...upgradeHeaderLines(req.rawHeaders),
        '',
        '',
      ].join('\r\n');
      agent.write(requestHead);
      if (head.length) agent.write(head);
      // From here the agent's answer (101 or an error) and everything after it is relayed as is.
      agent.on('error', () => socket.destroy());
      socket.on('close', () => agent.destroy());
      agent.on('close', () => socket.destroy());
      agent.pipe(socket);
      socket.pipe(agent);
    })().catch((err: unknown) => {
      const apiError: ApiError = isApiError(err) ? err : internal(err);
      if (!isApiError(err)) this.options.log.error('pod stream proxy failed', { pod: info.name, error: err instanceof Error ? err.stack : String(err) });
      const body = JSON.stringify(apiError.toStatus());
      if (!socket.destroyed) {
        socket.end(`HTTP/1.1 ${apiError.code} ${apiError.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    });
  }

  /** Pod → container → node → agent endpoint and path; throws Status errors as Kubernetes words them. */
  private async resolve(info: ResourceRequestInfo, query: URLSearchParams): Promise<ProxyTarget> {
    const subresource = info.subresource as StreamSubresource;
    const pods = this.options.lookup('', 'pods');
    const nodes = this.options.lookup('', 'nodes');
    if (!pods || !nodes || !info.name) throw notFound({ group: '', resource: 'pods' }, info.name ?? '');
    const pod = await pods.get(info.namespace, info.name);
    const container = subresource === 'portforward' ? '' : chooseContainer(pod, query.get('container'));
    const nodeName = requireStreamablePod(pod, subresource, container);
    const node = await nodes.get(undefined, nodeName);
    const endpoint = nodeEndpoint(node);
    if (isApiError(endpoint)) throw endpoint;
    return { ...endpoint, path: agentPath(subresource, info.namespace ?? 'default', info.name, container) + agentQuery(query) };
  }

  private tlsOptions(host: string): ConnectionOptions {
    const servername = isIP(host) ? undefined : host;
    if (this.options.caPem) return { ca: this.options.caPem, servername };
    return { rejectUnauthorized: false, servername };
  }

  private connectAgent(host: string, port: number): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ ...this.tlsOptions(host), host, port, ALPNProtocols: ['http/1.1'] });
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(socket);
      });
      socket.once('error', (err) => reject(badRequest(`error dialing backend: ${err.message}`)));
    });
  }
}
