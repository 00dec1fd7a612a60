// Records core/v1 Events about objects. Repeats (same object, type, reason and message within 10
// minutes) bump count and lastTimestamp on the existing Event instead of creating a new one.
// Fire-and-forget: failures are logged, never thrown to the caller.
import { isApiError } from '../api/errors.js';
import { rfc3339, type KubeObject } from '../api/meta.js';
import { findKind, type ResourceDescriptor } from '../api/resources.js';
import { createLogger, type Logger } from './log.js';
import { PatchTypes, type RestClient } from './rest-client.js';

export type EventType = 'Normal' | 'Warning';

export const AGGREGATION_WINDOW_MS = 10 * 60 * 1000;
const MAX_MESSAGE_BYTES = 1024;
const MAX_CACHE_ENTRIES = 4096;

export interface EventRecorderOptions {
  client: RestClient;
  component: string;
  /** source.host / reportingInstance; defaults to the component name. */
  host?: string;
  now?: () => Date;
  log?: Logger;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  lastSeenMs: number;
}

function eventsDescriptor(): ResourceDescriptor {
  const desc = findKind('', 'v1', 'Event');
  if (!desc) throw new Error('core/v1 Event missing from the resource table');
  return desc;
}

function truncate(message: string): string {
  if (Buffer.byteLength(message) <= MAX_MESSAGE_BYTES) return message;
  return Buffer.from(message).subarray(0, MAX_MESSAGE_BYTES - 3).toString('utf8').replace(/\uFFFD+$/, '') + '...';
}

/** The last event time handed out, in nanoseconds since the epoch (see eventName). */
let lastEventNanos = 0n;

/**
 * A new event name as Kubernetes makes it: `<object name>.<the event time in Unix nanoseconds, in
 * hex>`. Times handed out here only grow, so two events of one object from this thread never share
 * a name, even within the clock's resolution.
 */
export function eventName(objectName: string, nowMs: number): string {
  let nanos = BigInt(Math.floor(nowMs * 1000)) * 1000n;
  if (nanos <= lastEventNanos) nanos = lastEventNanos + 1n;
  lastEventNanos = nanos;
  return `${objectName}.${nanos.toString(16)}`;
}

export class EventRecorder {
  private readonly client: RestClient;
  private readonly component: string;
  private readonly host: string;
  private readonly now: () => Date;
  private readonly log: Logger;
  private readonly desc = eventsDescriptor();
  private readonly recent = new Map<string, Recorded>();
  /** Writes for one aggregation key run one after another, so a repeat never races its create. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(options: EventRecorderOptions) {
    this.client = options.client;
    this.component = options.component;
    this.host = options.host ?? options.component;
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? createLogger(options.component);
  }

  /** Records an event about `obj`. Never throws; never blocks the caller. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    try {
      const key = JSON.stringify([obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name, obj.metadata.uid, type, reason, message]);
      const previous = this.chains.get(key) ?? Promise.resolve();
      const next = previous.then(() => this.write(key, obj, type, reason, truncate(message))).catch((err: unknown) => {
        this.log.warn('could not record event', { object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`, reason, err });
      });
      this.chains.set(key, next);
      void next.finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    } catch (err) {
      this.log.warn('could not record event', { reason, err });
    }
  }

  /** Resolves when every event recorded so far has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async write(key: string, obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = this.now();
    const nowMs = now.getTime();
    const seen = this.recent.get(key);
    if (seen && nowMs - seen.lastSeenMs < AGGREGATION_WINDOW_MS) {
      const count = seen.count + 1;
      try {
        await this.client.patchDiscardingResult(this.desc, seen.namespace, seen.name, PatchTypes.merge, { count, lastTimestamp: rfc3339(now) });
        seen.count = count;
        seen.lastSeenMs = nowMs;
        return;
      } catch (err) {
        // The earlier event is gone (expired or deleted): start a new one.
        if (!isApiError(err, 'NotFound')) throw err;
        this.recent.delete(key);
      }
    }
    const namespace = obj.metadata.namespace || 'default';
    const timestamp = rfc3339(now);
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(obj.metadata.name ?? 'unknown', nowMs), namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component, host: this.host },
      reportingComponent: this.component,
      reportingInstance: this.host,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
    };
    await this.client.createDiscardingResult(this.desc, event);
    this.remember(key, { name: event.metadata.name, namespace, count: 1, firstTimestamp: timestamp, lastSeenMs: nowMs });
  }

  private remember(key: string, entry: Recorded): void {
    this.recent.delete(key);
    this.recent.set(key, entry);
    // Maps iterate in insertion order: the first key is the least recently written.
    while (this.recent.size > MAX_CACHE_ENTRIES) this.recent.delete(this.recent.keys().next().value as string);
  }
}
