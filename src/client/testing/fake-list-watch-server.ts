// A minimal stand-in for the API server's list/watch protocol on one collection, used only by the
// client's own unit tests (integration tests run against the real server).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../api/meta.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

export class FakeListWatchServer {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly watchers = new Set<http.ServerResponse>();
  private revision = 0;
  /** When set, the next watch answers with an in-stream 410 ERROR event. */
  expireNextWatch = false;
  private server = http.createServer((req, res) => this.handle(req, res));

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Changes state; `notify` false changes it silently (as if the events were missed). */
  put(name: string, data: Record<string, unknown> = {}, notify = true): KubeObject {
    const existing = this.objects.get(name);
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', uid: existing?.metadata.uid ?? `uid-${name}`, resourceVersion: String(++this.revision), managedFields: [{ manager: 'test', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] }, data };
    this.objects.set(name, obj);
    if (notify) this.send({ type: existing ? 'MODIFIED' : 'ADDED', object: obj });
    return obj;
  }

  remove(name: string, notify = true): void {
    const obj = this.objects.get(name);
    if (!obj) return;
    this.objects.delete(name);
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.revision) } };
    if (notify) this.send({ type: 'DELETED', object: gone });
  }

  endWatches(): void {
    for (const w of this.watchers) w.end();
    this.watchers.clear();
  }

  private send(event: unknown): void {
    for (const w of this.watchers) w.write(JSON.stringify(event) + '\n');
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams });
    if (url.pathname !== '/api/v1/namespaces/ns/configmaps' && url.pathname !== '/api/v1/configmaps') {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' }));
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (this.expireNextWatch) {
        this.expireNextWatch = false;
        const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' };
        res.end(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
        return;
      }
      res.flushHeaders();
      this.watchers.add(res);
      res.on('close', () => this.watchers.delete(res));
      return;
    }
    const all = [...this.objects.values()].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const limit = Number(url.searchParams.get('limit') ?? '0') || all.length;
    const start = Number(url.searchParams.get('continue') ?? '0');
    const items = all.slice(start, start + limit);
    const more = start + limit < all.length;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: String(this.revision), ...(more ? { continue: String(start + limit) } : {}) }, items }));
  }
}
