// Shared pieces of the workload end-to-end suites: kubectl result checks and a pod recorder that
// keeps every watch event in order, so assertions about "never" are made on the event stream
// rather than on samples.

import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.js';
import { findResource } from '../../src/api/resources.js';
import { RestClient } from '../../src/client/rest-client.js';
import type { KubectlResult } from '../support/cluster.js';

const PODS = findResource('', 'v1', 'pods')!;

export function succeeded(result: KubectlResult): string {
  assert.equal(result.code, 0, `kubectl failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

export interface PodView {
  metadata: KubeObject['metadata'];
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[]; nodeSelector?: Record<string, string> };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

export function podReady(pod: PodView): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ready and not being deleted: what a Deployment may count as available. */
export function podServing(pod: PodView): boolean {
  return podReady(pod) && !pod.metadata.deletionTimestamp;
}

export interface RecordedEvent {
  type: string;
  name: string;
  ready: boolean;
  deleting: boolean;
  nodeName?: string;
}

/**
 * Lists the pods matching `labelSelector`, then watches from the list's resourceVersion and applies
 * every event to a local copy. `onChange` runs after each event with the current set.
 */
export class PodRecorder {
  readonly pods = new Map<string, PodView>();
  readonly events: RecordedEvent[] = [];
  private readonly client: RestClient;
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private failure?: unknown;

  constructor(
    kubeconfig: string,
    private readonly namespace: string,
    private readonly labelSelector: string,
    private readonly onChange: (pods: ReadonlyMap<string, PodView>, event: RecordedEvent) => void = () => {},
  ) {
    this.client = RestClient.fromKubeconfig(kubeconfig, { userAgent: 'kijabi-e2e-recorder' });
  }

  async start(): Promise<void> {
    const list = await this.client.list<PodView & KubeObject>(PODS, { namespace: this.namespace, labelSelector: this.labelSelector });
    for (const pod of list.items) this.pods.set(pod.metadata.name!, pod);
    const resourceVersion = list.metadata?.resourceVersion;
    this.running = (async () => {
      try {
        for await (const event of this.client.watch<PodView & KubeObject>(PODS, { namespace: this.namespace, labelSelector: this.labelSelector, resourceVersion, signal: this.abort.signal })) {
          if (event.type === 'BOOKMARK') continue;
          const pod = event.object;
          const name = pod.metadata.name!;
          if (event.type === 'DELETED') this.pods.delete(name);
          else this.pods.set(name, pod);
          const recorded = { type: event.type, name, ready: podReady(pod), deleting: Boolean(pod.metadata.deletionTimestamp), nodeName: pod.spec?.nodeName };
          this.events.push(recorded);
          this.onChange(this.pods, recorded);
        }
      } catch (err) {
        if (!this.abort.signal.aborted) this.failure = err;
      }
    })();
  }

  /** Stops the watch; throws if it broke before (a gap would make the record worthless). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.client.close();
    if (this.failure) throw this.failure;
  }
}
