// `kijabi server`: the whole single-node cluster in one process, started in readiness order —
// store, API server, then the components once the API answers (as k3s does).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ComponentsWorkerData } from './components-worker.js';
import type { AgentWorkerData } from './agent-worker.js';
import { API_TYPES } from '../api/types/index.js';
import { BuiltinAdmission } from '../apiserver/admission/admission.js';
import { ensureTls, issueServingCert, servingHosts } from '../apiserver/auth/certs.js';
import { ensureToken, TokenAuthenticator } from '../apiserver/auth/token.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { RegistryBoundObjectChecker } from '../apiserver/serviceaccount/bound-objects.js';
import { ensureServiceAccountKey } from '../apiserver/serviceaccount/signing-key.js';
import { ServiceAccountTokenIssuer } from '../apiserver/serviceaccount/token-issuer.js';
import { serveServiceAccountTokens } from '../apiserver/serviceaccount/token-subresource.js';
import { ApiServer } from '../apiserver/http/server.js';
import { NodeProxy } from '../apiserver/http/node-proxy.js';
import { createRegistries } from '../apiserver/registry/registries.js';
import type { ResourceRegistry } from '../apiserver/registry/registry.js';
import { createLogger } from '../client/log.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { kubeconfigYaml } from './kubeconfig.js';
import type { RegistriesConfig } from '../node-agent/images/registries.js';

/**
 * Young generation of the scheduler and controllers thread: it parses every watch event into
 * informer caches, and with 6 MB a third of its busy time was scavenging. 48 MB (16 MB semi-spaces,
 * as the main thread) measured 4 to 13 % more pods/s end to end; it grows only under load.
 */
const COMPONENTS_YOUNG_GENERATION_MB = 48;

export interface ServerFlags {
  dataDir: string;
  bindAddress: string;
  httpsListenPort: number;
  writeKubeconfig?: string;
  token?: string;
  disableAgent: boolean;
  disableScheduler: boolean;
  disableControllers: boolean;
  /** No default `local-path` StorageClass (k3s: --disable local-storage). */
  disableLocalStorage?: boolean;
  schedulerConfig?: string;
  serviceCidr: string;
  clusterCidr: string;
  nodePortRange: [number, number];
  /** In-process agent: run the bridge and pods inside this named netns (tests). */
  nodeNetns?: string;
  /** In-process agent: the node address it advertises (default 127.0.0.1). */
  nodeIp?: string;
  /** In-process agent: where its streaming server listens (see NodeAgentOptions.kubeletListenAddress). */
  kubeletListenAddress?: string;
  nodeName?: string;
  /** In-process agent: registry mirrors and credentials (--private-registry). */
  registriesConfig?: RegistriesConfig;
  /** CrashLoopBackOff base and cap in ms (tests use small values). */
  crashBackoffMs?: { baseMs: number; capMs: number };
  /** How long a node may go without renewing its Lease before it counts as lost (Kubernetes: 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** tolerationSeconds of the default not-ready / unreachable NoExecute tolerations (Kubernetes: 300). */
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
}

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/kijabi' : join(homedir(), '.kijabi');
}

export interface RunningServer {
  port: number;
  kubeconfigPath: string;
  token: string;
  stop(): Promise<void>;
}

export async function runServer(flags: ServerFlags): Promise<RunningServer> {
  const log = createLogger('server');
  const started = Date.now();
  const serverDir = join(flags.dataDir, 'server');
  mkdirSync(serverDir, { recursive: true, mode: 0o700 });

  mkdirSync(join(serverDir, 'db'), { recursive: true, mode: 0o700 });
  const store = SqliteStore.open(join(serverDir, 'db', 'state.db'));
  const token = ensureToken(join(serverDir, 'token'), flags.token);
  // The CA and the token signing key are made side by side on first start (both off the event loop).
  const [tls, serviceAccountKey] = await Promise.all([ensureTls(join(serverDir, 'tls'), servingHosts(flags.bindAddress)), ensureServiceAccountKey(join(serverDir, 'tls'))]);
  const authenticator = new TokenAuthenticator();
  authenticator.addToken(token, { name: 'system:admin', groups: ['system:masters', 'system:authenticated'] });

  let registries: Map<string, ResourceRegistry> | undefined;
  const lookup = (group: string, resource: string): ResourceRegistry | undefined => {
    for (const registry of registries?.values() ?? []) if (registry.desc.group === group && registry.desc.resource === resource) return registry;
    return undefined;
  };
  const serviceAccountTokens = new ServiceAccountTokenIssuer({ key: serviceAccountKey });
  const stopTokenChecks = new AbortController();
  authenticator.useServiceAccountTokens(serviceAccountTokens, new RegistryBoundObjectChecker({
    serviceAccounts: () => lookup('', 'serviceaccounts'),
    pods: () => lookup('', 'pods'),
    secrets: () => lookup('', 'secrets'),
    signal: stopTokenChecks.signal,
  }));
  serveServiceAccountTokens(store, serviceAccountTokens);
  const admission = new BuiltinAdmission({
    namespaces: () => lookup('', 'namespaces'),
    services: () => lookup('', 'services'),
    storageClasses: () => lookup('storage.k8s.io', 'storageclasses'),
    serviceCidr: flags.serviceCidr,
    nodePortRange: flags.nodePortRange,
    pods: {
      priorityClasses: () => lookup('scheduling.k8s.io', 'priorityclasses'),
      defaultNotReadyTolerationSeconds: flags.defaultNotReadyTolerationSeconds ?? 300,
      defaultUnreachableTolerationSeconds: flags.defaultUnreachableTolerationSeconds ?? 300,
      serviceAccounts: () => lookup('', 'serviceaccounts'),
    },
  });
  registries = createRegistries({ store, types: API_TYPES, now: () => new Date(), admission });

  let ready = false;
  const api = new ApiServer({ tls, authenticator, registries, types: API_TYPES, log: createLogger('apiserver'), isReady: () => ready });
  api.streaming = new NodeProxy({ lookup, agentToken: token, caPem: tls.caCertPem, log: createLogger('node-proxy') });
  const address = await api.listen(flags.httpsListenPort, flags.bindAddress);
  await bootstrapCluster(lookup, { kubernetesServiceIp: admission.ips.firstAddress, apiPort: address.port, localPathStorage: !flags.disableLocalStorage });

  const host = flags.bindAddress === '0.0.0.0' || flags.bindAddress === '::' ? '127.0.0.1' : flags.bindAddress;
  const serverUrl = `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const kubeconfigPath = flags.writeKubeconfig ?? join(flags.dataDir, 'kubeconfig.yaml');
  mkdirSync(dirname(kubeconfigPath), { recursive: true });
  writeFileSync(kubeconfigPath, kubeconfigYaml({ server: serverUrl, caPem: tls.caCertPem, token }), { mode: 0o600 });
  ready = true;
  log.info('API server ready', { url: serverUrl, kubeconfig: kubeconfigPath, ms: Date.now() - started });

  // In-process components use the server's local Unix socket: the same API, without TLS in between.
  const localSocket = join(serverDir, 'kijabi.sock');
  await api.listenLocal(localSocket);
  // The scheduler and controllers run on a worker thread (components-worker.ts), started after
  // /readyz passes, so the API is up in well under a second and keeps its thread for requests.
  let componentsWorker: Worker | undefined;
  if (!flags.disableControllers || !flags.disableScheduler) {
    const data: ComponentsWorkerData = {
      socketPath: localSocket,
      token,
      controllers: !flags.disableControllers,
      scheduler: !flags.disableScheduler,
      schedulerConfig: flags.schedulerConfig,
      nodeMonitorGracePeriodMs: flags.nodeMonitorGracePeriodMs,
      clusterCaPem: tls.caCertPem,
    };
    const worker = new Worker(new URL('./components-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: COMPONENTS_YOUNG_GENERATION_MB } });
    worker.on('error', (err) => log.error('components thread failed', { error: err.stack }));
    componentsWorker = worker;
  }

  let agentWorker: Worker | undefined;
  if (!flags.disableAgent) {
    const { defaultListenAddress } = await import('../node-agent/listen-address.js');
    const nodeName = (flags.nodeName ?? hostname()).toLowerCase();
    const listenAddress = defaultListenAddress(flags);
    const streamingTls = await issueServingCert(join(serverDir, 'tls'), [...new Set(['127.0.0.1', flags.nodeIp ?? '127.0.0.1', listenAddress, 'localhost', hostname()])], `system:node:${nodeName}`);
    const data: AgentWorkerData = {
      socketPath: localSocket,
      token,
      options: {
        nodeName,
        dataDir: join(flags.dataDir, 'agent'),
        podCidr: `${flags.clusterCidr.split('/')[0]}/24`,
        clusterCidr: flags.clusterCidr,
        serviceCidr: flags.serviceCidr,
        nodeNetns: flags.nodeNetns,
        nodeIp: flags.nodeIp,
        kubeletListenAddress: flags.kubeletListenAddress,
        streamingPort: 10250,
        streamingTls,
        agentToken: token,
        crashLoopBackoff: flags.crashBackoffMs,
        registriesConfig: flags.registriesConfig,
      },
    };
    // The agent forks helper processes all the time; on its own thread that blocks only itself.
    agentWorker = new Worker(new URL('./agent-worker.js', import.meta.url), { workerData: data });
    agentWorker.on('error', (err) => log.error('node agent thread failed', { error: err.stack }));
  }

  let stopped = false;
  return {
    port: address.port,
    kubeconfigPath,
    token,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([componentsWorker, agentWorker].map(async (worker) => {
        if (!worker) return;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage('stop');
        const timer = setTimeout(() => void worker.terminate(), 10_000);
        await exited;
        clearTimeout(timer);
      }));
      admission.close();
      stopTokenChecks.abort();
      await api.close();
      await store.close();
    },
  };
}

export function dataDirExists(dir: string): boolean {
  return existsSync(join(dir, 'server'));
}
