// The node agent (Kijabi's kubelet): checks the host, registers the Node and keeps its Lease,
// sets up pod networking, runs the pods bound to this node and serves logs/exec/port-forward.

import { defaultListenAddress } from './listen-address.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../api/meta.js';
import { isApiError } from '../api/errors.js';
import { findResource, type ResourceDescriptor } from '../api/resources.js';
import { EventRecorder } from '../client/event-recorder.js';
import { Informer } from '../client/informer.js';
import { createLogger, type Logger } from '../client/log.js';
import type { RestClient } from '../client/rest-client.js';
import { ImageStore, type RegistriesConfig } from './images/image-store.js';
import { PodNetwork } from './network/pod-network.js';
import { NETNS_DIR } from './network/names.js';
import { NodeRouteWatcher } from './network/node-routes.js';
import { collectFacts, NodeHeartbeat } from './node/node-heartbeat.js';
import { allocatePodCidr } from './node/node-status.js';
import { DEFAULT_CRASH_BACKOFF, type BackoffPolicy } from './pods/backoff.js';
import { clusterDnsIp } from './pods/container-config.js';
import { loadKubeletDeps, type ObjectSource } from './pods/kubelet-deps.js';
import { PodManager } from './pods/pod-manager.js';
import { PodSyncer } from './pods/pod-syncer.js';
import type { PodRecord } from './pods/pod-record.js';
import { StatsSummaryCollector, type StatsTarget } from './pods/stats-summary.js';
import { prepareRunDir } from './runtime/run-dir.js';
import { SparePodDirs } from './pods/spare-dirs.js';
import { ContainerRuntime } from './runtime/container-runtime.js';
import { AgentStreamingBackend } from './streaming-backend.js';
import { WatchedObjects } from './volumes/watched-objects.js';
import { LocalPathCleanup } from './volumes/local-path-cleanup.js';
import { StreamingServer } from './streaming/streaming-server.js';
import { netnsDialer } from './probes/netns-dial.js';

export interface NodeAgentOptions {
  client: RestClient;
  /** Registry mirrors and credentials (the registries file; see images/registries-file.ts). */
  registriesConfig?: RegistriesConfig;
  nodeName: string;
  /** <data-dir>/agent */
  dataDir: string;
  podCidr?: string;
  clusterCidr: string;
  serviceCidr: string;
  /** The node's address (InternalIP; other nodes route our pod CIDR to it). Default 127.0.0.1. */
  nodeIp?: string;
  /**
   * Where the streaming server (logs/exec/port-forward) listens. Default: 127.0.0.1 with nodeNetns
   * (the node IP then only exists inside that netns, not where this process listens), else nodeIp.
   * A loopback listen address different from nodeIp is advertised as an extra, first InternalIP so
   * an API server on the same host reaches it; routes use the first non-loopback InternalIP.
   */
  kubeletListenAddress?: string;
  /** Run the bridge and pod networking inside this named netns (tests). */
  nodeNetns?: string;
  bridge?: string;
  /** 0 picks a free port. */
  streamingPort: number;
  streamingTls: { certPem: string; keyPem: string };
  /** Bearer token the API server presents to the streaming server. */
  agentToken: string;
  crashLoopBackoff?: { baseMs: number; capMs: number };
  /** Called once the streaming server listens and the Node is registered. */
  onReady?: (info: { streamingPort: number; podCidr: string }) => void;
  log?: Logger;
}

const SERVICES_SYNC_TIMEOUT_MS = 10_000;

/**
 * ObjectSource of the API: configMaps and secrets (of env and volumes) from a watch per object
 * (WatchedObjects), read directly until that watch has listed.
 */
export class ClientObjectSource implements ObjectSource {
  private readonly configMaps = findResource('', 'v1', 'configmaps')!;
  private readonly secrets = findResource('', 'v1', 'secrets')!;
  private readonly claims = findResource('', 'v1', 'persistentvolumeclaims')!;
  private readonly volumes = findResource('', 'v1', 'persistentvolumes')!;
  private readonly watched: WatchedObjects;
  private readonly log?: Logger;
  /** Every Service, for the service link variables; watched from the first pod start on. */
  private services?: Informer<KubeObject>;
  private readonly stopServices = new AbortController();

  constructor(private readonly client: RestClient, log?: Logger) {
    this.watched = new WatchedObjects(client, { log });
    this.log = log;
  }

  /** The Services the service link variables come from; waits (briefly) for the first list, as the kubelet does. */
  async listServices(): Promise<KubeObject[]> {
    if (!this.services) {
      this.services = new Informer(this.client, findResource('', 'v1', 'services')!, { log: this.log });
      this.services.start(this.stopServices.signal).catch(() => undefined);
    }
    if (!this.services.hasSynced()) {
      const synced = await this.services.waitForSync(AbortSignal.any([this.stopServices.signal, AbortSignal.timeout(SERVICES_SYNC_TIMEOUT_MS)]));
      if (!synced) throw new Error('services have not yet been read at least once, cannot construct envvars');
    }
    return this.services.list();
  }

  getConfigMap(ns: string, name: string): Promise<KubeObject | undefined> {
    return this.watched.get(this.configMaps, ns, name);
  }

  getSecret(ns: string, name: string): Promise<KubeObject | undefined> {
    return this.watched.get(this.secrets, ns, name);
  }

  /** Claims and their volumes are read when a pod's volumes are set up, as the kubelet reads them (no cache). */
  getPersistentVolumeClaim(ns: string, name: string): Promise<KubeObject | undefined> {
    return this.getOrUndefined(this.claims, ns, name);
  }

  getPersistentVolume(name: string): Promise<KubeObject | undefined> {
    return this.getOrUndefined(this.volumes, undefined, name);
  }

  private async getOrUndefined(desc: ResourceDescriptor, ns: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(desc, ns, name);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  /** Stops the watches. */
  close(): void {
    this.stopServices.abort();
    this.watched.close();
  }

  /** TokenRequest for serviceAccountToken projections (the serviceaccounts/token subresource). */
  requestServiceAccountToken(namespace: string, serviceAccount: string, tokenRequest: KubeObject): Promise<KubeObject> {
    return this.client.request<KubeObject>({ method: 'POST', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`, body: tokenRequest });
  }
}

/** Explains what the host lacks, with the install hint for each item. */
export function hostProblemMessage(missing: { what: string; install?: string }[]): string {
  return `the node agent cannot run containers on this host:\n${missing.map((m) => `  - ${m.what}${m.install ? ` (install: ${m.install})` : ''}`).join('\n')}`;
}

export const IMAGE_GC_INTERVAL_MS = 5 * 60_000;
export const STATS_SAMPLE_INTERVAL_MS = 10_000;

/** Image references and ids of every container this node still has (kept by image GC). */
export function imagesInUse(records: Iterable<PodRecord>): Set<string> {
  const out = new Set<string>();
  for (const rec of records) {
    for (const c of Object.values(rec.containers)) {
      if (c.image) out.add(c.image);
      if (c.imageID) out.add(c.imageID);
    }
  }
  return out;
}

/** Pods and their running containers, with the cgroups the runtime put them in. */
export function statsTargets(records: Iterable<PodRecord>): StatsTarget[] {
  const out: StatsTarget[] = [];
  for (const rec of records) {
    if (!rec.name) continue;
    const containers = Object.values(rec.containers)
      .filter((c) => c.containerId && !c.terminated)
      .map((c) => ({ name: c.name, startTime: c.startedAt, cgroupsPath: `/kijabi/pod${rec.uid}/${c.name}` }));
    out.push({ name: rec.name, namespace: rec.namespace, uid: rec.uid, startTime: rec.startTime, cgroupsPath: `/kijabi/pod${rec.uid}`, containers });
  }
  return out;
}

/** Runs each task every `everyMs` (never overlapping itself); returns a stop function. */
function startHousekeeping(signal: AbortSignal, log: Logger, tasks: { name: string; everyMs: number; run: () => Promise<unknown> }[]): () => void {
  const timers: NodeJS.Timeout[] = [];
  for (const task of tasks) {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || signal.aborted) return;
      busy = true;
      task.run().catch((err: unknown) => log.warn(`${task.name} failed`, { err })).finally(() => (busy = false));
    }, task.everyMs);
    timer.unref();
    timers.push(timer);
  }
  return () => timers.forEach(clearInterval);
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === 'localhost';
}

/** See NodeAgentOptions.kubeletListenAddress. */
export { defaultListenAddress };

/** Says which address failed and which flag picks another. */
export function bindErrorMessage(err: NodeJS.ErrnoException, address: string, o: { nodeIp?: string; nodeNetns?: string; streamingPort: number }): string {
  const where = `${address}:${o.streamingPort}`;
  if (err.code === 'EADDRNOTAVAIL') {
    return `the streaming server cannot listen on ${where}: no interface in this process's network namespace has ${address}` +
      `${o.nodeNetns ? ` (--node-netns ${o.nodeNetns} only moves pod networking; the agent itself listens in its own namespace)` : ''}; ` +
      'pick a local address with --kubelet-listen-address';
  }
  if (err.code === 'EADDRINUSE') return `the streaming server cannot listen on ${where}: the port is in use; pick another with --streaming-port (0 = any free port)`;
  return `the streaming server cannot listen on ${where}: ${err.message}`;
}

export class NodeAgent {
  private readonly options: NodeAgentOptions;
  private readonly log: Logger;

  constructor(options: NodeAgentOptions) {
    this.options = options;
    this.log = options.log ?? createLogger('node-agent');
  }

  async start(signal: AbortSignal): Promise<void> {
    const o = this.options;
    const log = this.log.with({ node: o.nodeName });
    const host = await ContainerRuntime.checkHost();
    if (!host.ok) throw new Error(hostProblemMessage(host.missing));
    for (const note of host.applied) log.info('host setup', { applied: note });
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    const podsDir = join(o.dataDir, 'pods');
    mkdirSync(podsDir, { recursive: true });
    // Runtime state, bundles, /etc files, API data volumes and network state (IPAM, host ports, node
    // routes: kernel state a reboot clears too): on the agent's tmpfs (run-dir.ts).
    const runDir = await prepareRunDir(join(o.dataDir, 'run'), log);
    const runPodsDir = join(runDir.path, 'pods');
    const runtime = new ContainerRuntime({ root: runDir.path, runtimePath: host.runtime, conmonPath: host.conmon, logSizeMax: 10 * 1024 * 1024, log });
    const nodeIp = o.nodeIp ?? '127.0.0.1';
    const listenAddress = defaultListenAddress(o);
    const hostNetnsPath = o.nodeNetns ? `${NETNS_DIR}/${o.nodeNetns}` : undefined;

    // Streaming first: the Node advertises its port.
    let manager: PodManager | undefined;
    let syncer: PodSyncer | undefined;
    const stats = new StatsSummaryCollector({
      nodeName: o.nodeName,
      nodeStartTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      pods: () => statsTargets(syncer?.records.values() ?? []),
      read: (cgroupsPath) => runtime.stats(cgroupsPath),
    });
    const backend = new AgentStreamingBackend({
      runtime,
      podsDir,
      pod: (ns, name) => manager?.podByName(ns, name),
      record: (uid) => syncer?.records.get(uid),
      hostNetnsPath,
      statsSummary: () => stats.summary(),
    });
    const streaming = new StreamingServer({ backend, tls: o.streamingTls, authenticate: (h) => h === `Bearer ${o.agentToken}`, log: log.with({ component: 'streaming' }) });
    const streamingPort = await streaming.listen(o.streamingPort, listenAddress).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE' || o.streamingPort === 0) throw err;
      log.warn('streaming port in use; picking a free one', { port: o.streamingPort });
      return streaming.listen(0, listenAddress);
    }).catch((err: NodeJS.ErrnoException) => {
      throw new Error(bindErrorMessage(err, listenAddress, o));
    });
    try {
      const streamingAddress = isLoopback(listenAddress) && listenAddress !== nodeIp ? listenAddress : undefined;
      const facts = await collectFacts({ name: o.nodeName, internalIp: nodeIp, streamingAddress, podCidr: o.podCidr ?? allocatePodCidr(o.clusterCidr, o.nodeName), dataDir: o.dataDir, streamingPort, runtimePath: host.runtime ?? 'crun' });
      facts.localPathDir = join(o.dataDir, 'storage');
      const heartbeat = new NodeHeartbeat({ client: o.client, facts, dataDir: o.dataDir, log });
      const localPath = new LocalPathCleanup(o.client, facts.localPathDir, log.with({ component: 'local-path' }));
      void localPath.start(signal).catch((err: unknown) => log.warn('local-path cleanup stopped', { error: String(err) }));
      const podCidr = await heartbeat.register();
      const network = new PodNetwork({ bridge: o.bridge ?? 'kjb0', podCidr, stateDir: join(runDir.path, 'network'), clusterCidr: o.clusterCidr, serviceCidr: o.serviceCidr, nodeNetns: o.nodeNetns, log });
      await network.setupNode();
      const routes = new NodeRouteWatcher({ client: o.client, nodeName: o.nodeName, podCidr, network, log: log.with({ component: 'node-routes' }) });

      const deps = await loadKubeletDeps();
      if (deps.standIns.length > 0) log.warn('using stand-ins for modules not present yet', { modules: deps.standIns });
      const source = new ClientObjectSource(o.client, log.with({ component: 'watched-objects' }));
      const events = new EventRecorder({ client: o.client, component: 'kubelet', host: o.nodeName, log });
      const crash: BackoffPolicy = { ...DEFAULT_CRASH_BACKOFF, ...(o.crashLoopBackoff ?? {}) };
      const spares = new SparePodDirs(podsDir, join(o.dataDir, 'spare-pods'));
      const starter = { runtime, deps, source, podsDir, runPodsDir, mountpointsDir: join(runDir.path, 'mountpoints'), spares, nodeName: o.nodeName, hostIp: nodeIp, dnsIp: clusterDnsIp(o.serviceCidr), hostNetnsPath, log };
      const images = new ImageStore(join(o.dataDir, 'images'), { log, registriesConfig: o.registriesConfig });
      syncer = new PodSyncer({
        runtime,
        network,
        images,
        volumes: deps.createVolumeManager({ podsDir, runPodsDir, source, log }),
        deps,
        source,
        events,
        starter,
        crashBackoff: crash,
        pullBackoff: crash,
        hostIp: nodeIp,
        probeDialer: hostNetnsPath ? netnsDialer(hostNetnsPath) : undefined,
        ownNode: () => routes.ownNode(),
        nodePods: () => manager?.informer.list() ?? [],
        log,
        trigger: (uid) => manager?.trigger(uid),
      });
      manager = new PodManager({ client: o.client, nodeName: o.nodeName, syncer, runtime, network, podsDir, exitDir: runtime.exitDir, log });
      log.info('node agent ready', { streamingPort, podCidr });
      o.onReady?.({ streamingPort, podCidr });
      const podSyncer = syncer;
      const housekeeping = startHousekeeping(signal, log, [
        { name: 'image garbage collection', everyMs: IMAGE_GC_INTERVAL_MS, run: () => images.garbageCollect(imagesInUse(podSyncer.records.values()), { highThresholdPercent: 85, lowThresholdPercent: 80 }) },
        // Keeps cpu samples fresh so the first /stats/summary already has usage rates.
        { name: 'stats sampling', everyMs: STATS_SAMPLE_INTERVAL_MS, run: () => stats.sample() },
      ]);
      try {
        await Promise.all([heartbeat.run(signal), manager.start(signal), routes.start(signal)]);
      } finally {
        housekeeping();
        source.close();
      }
      await events.flush();
    } finally {
      await streaming.close();
    }
  }
}
