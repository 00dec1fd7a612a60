// The StreamingBackend over the pod workers' state: logs from conmon's CRI files, exec through the
// runtime, and port-forward by running busybox nc inside the pod's network namespace (Node cannot
// setns itself).

import { Duplex, type Readable } from 'node:stream';
import type { ContainerRuntime } from './runtime/container-runtime.js';
import { backendError, type ExecProcess, type LogOptions, type StreamingBackend, type StreamOptions } from './streaming/backend.js';
import { openLogStream } from './pods/container-logs.js';
import { netnsDialer } from './probes/netns-dial.js';
import { containerLogPath, type ContainerRecord, type PodRecord } from './pods/pod-record.js';
import type { KubeObject } from '../api/meta.js';

/** How long a port-forward connection may take to come up inside the pod. */
const PORT_FORWARD_CONNECT_TIMEOUT_MS = 10_000;

export interface AgentStreamingBackendOptions {
  runtime: ContainerRuntime;
  podsDir: string;
  /** The pod bound to this node, by namespace/name. */
  pod: (namespace: string, name: string) => KubeObject | undefined;
  record: (uid: string) => PodRecord | undefined;
  /** The netns to use for hostNetwork pods (undefined = the agent's own). */
  hostNetnsPath?: string;
  nsenterPath?: string;
  busyboxPath?: string;
  /** /stats/summary provider (see pods/stats-summary.ts). */
  statsSummary?: () => Promise<unknown>;
}

export class AgentStreamingBackend implements StreamingBackend {
  constructor(private readonly options: AgentStreamingBackendOptions) {}

  async statsSummary(): Promise<unknown> {
    if (!this.options.statsSummary) throw backendError('NotFound', 'stats are not available on this node');
    return this.options.statsSummary();
  }

  private find(namespace: string, name: string): { pod: KubeObject; rec: PodRecord | undefined } {
    const pod = this.options.pod(namespace, name);
    if (!pod) throw backendError('NotFound', `pod "${name}" not found in namespace "${namespace}" on this node`);
    return { pod, rec: this.options.record(pod.metadata.uid!) };
  }

  private container(namespace: string, name: string, container: string): { pod: KubeObject; rec?: PodRecord; c?: ContainerRecord } {
    const { pod, rec } = this.find(namespace, name);
    const spec = (pod as unknown as { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[]; ephemeralContainers?: { name: string }[] } }).spec;
    const names = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
    if (!names.includes(container)) throw backendError('BadRequest', `container ${container} is not valid for pod ${name}`);
    return { pod, rec, c: rec?.containers[container] };
  }

  async logs(namespace: string, pod: string, container: string, options: LogOptions): Promise<Readable> {
    const { rec, c } = this.container(namespace, pod, container);
    if (!rec || !c || (c.containerId === undefined && c.restartCount === 0 && !c.lastTerminated)) {
      const reason = c?.waiting?.reason ?? 'ContainerCreating';
      throw backendError('BadRequest', `container "${container}" in pod "${pod}" is waiting to start: ${reason}`);
    }
    let attempt = c.restartCount;
    if (options.previous) {
      if (!c.lastTerminated || attempt === 0) throw backendError('BadRequest', `previous terminated container "${container}" in pod "${pod}" not found`);
      attempt -= 1;
    } else if (c.containerId === undefined && c.lastTerminated) {
      // Waiting to restart: the last run's log is the current one.
      attempt = Math.max(0, attempt - 1);
    }
    const sinceMs = options.sinceTime ? Date.parse(options.sinceTime) : options.sinceSeconds !== undefined ? Date.now() - options.sinceSeconds * 1000 : undefined;
    const id = c.containerId;
    const runtime = this.options.runtime;
    const following = !options.previous && attempt === c.restartCount && id !== undefined;
    return openLogStream(containerLogPath(this.options.podsDir, rec.uid, container, attempt), {
      timestamps: options.timestamps,
      tailLines: options.tailLines,
      sinceMs: Number.isFinite(sinceMs) ? sinceMs : undefined,
      limitBytes: options.limitBytes,
      follow: options.follow,
      isDone: async () => {
        if (!following) return true;
        const status = await runtime.status(id);
        return status.state === 'exited' || status.state === 'unknown';
      },
    });
  }

  private runningId(namespace: string, pod: string, container: string): string {
    const { c } = this.container(namespace, pod, container);
    if (!c?.containerId || c.terminated) throw backendError('BadRequest', `container not found ("${container}")`);
    return c.containerId;
  }

  async exec(namespace: string, pod: string, container: string, command: string[], options: StreamOptions): Promise<ExecProcess> {
    const id = this.runningId(namespace, pod, container);
    const status = await this.options.runtime.status(id);
    if (status.state !== 'running') throw backendError('BadRequest', `container not found ("${container}")`);
    return this.options.runtime.exec(id, command, { tty: options.tty, stdin: options.stdin });
  }

  async attach(namespace: string, pod: string, container: string, options: StreamOptions): Promise<ExecProcess> {
    const id = this.runningId(namespace, pod, container);
    const status = await this.options.runtime.status(id);
    if (status.state !== 'running') throw backendError('BadRequest', `container not found ("${container}")`);
    // Input only reaches containers created with stdin: true (conmon holds their stdin pipe).
    const spec = this.container(namespace, pod, container).pod as unknown as { spec?: { containers?: Record<string, unknown>[]; initContainers?: Record<string, unknown>[]; ephemeralContainers?: Record<string, unknown>[] } };
    const containerSpec = [...(spec.spec?.containers ?? []), ...(spec.spec?.initContainers ?? []), ...(spec.spec?.ephemeralContainers ?? [])].find((c) => c.name === container);
    return this.options.runtime.attach(id, { stdin: options.stdin && containerSpec?.stdin === true });
  }

  async portForward(namespace: string, pod: string, port: number): Promise<Duplex> {
    const { rec } = this.find(namespace, pod);
    const netns = rec?.hostNetwork ? this.options.hostNetnsPath : rec?.netnsPath;
    if (!rec || (!netns && !rec.hostNetwork)) throw backendError('BadRequest', `pod ${pod} has no network namespace yet`);
    const stream = netnsDialer(netns, { nsenterPath: this.options.nsenterPath, busyboxPath: this.options.busyboxPath }).stream('127.0.0.1', port, PORT_FORWARD_CONNECT_TIMEOUT_MS);
    // nc says nothing when it connects; a refused connection ends it within milliseconds.
    await new Promise<void>((resolve, reject) => {
      const refused = (err: Error): void => {
        clearTimeout(timer);
        reject(new Error(err.message || `connection to port ${port} failed`));
      };
      const timer = setTimeout(() => {
        stream.off('error', refused);
        resolve();
      }, 300);
      stream.once('error', refused);
    });
    return stream;
  }
}
