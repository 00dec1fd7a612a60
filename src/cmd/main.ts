// The `kijabi` command line: parses flags with node:util and dispatches to the subcommands.

import { parseArgs } from 'node:util';
import { defaultDataDir, runServer } from './server.js';
import type { RegistriesConfig } from '../node-agent/images/registries.js';

const USAGE = `Usage: kijabi <command> [flags]

Commands:
  server     Run a single-node cluster: API server, scheduler, controllers (and the node agent)
  agent      Run a node agent (kubelet) against a remote server
  hollow-nodes  Register simulated nodes that run no containers (for scale tests)
  image      Manage a node's images: import FILE | ls | rm REF  [--data-dir DIR]
  version    Print the version

kijabi hollow-nodes --kubeconfig FILE --count N [--cpu 4] [--memory 16Gi] [--pods 110] [--name-prefix hollow-node-] [--lease-interval 10]

kijabi server flags:
  --data-dir DIR            state directory (default /var/lib/kijabi, or ~/.kijabi when not root)
  --bind-address ADDR       address the API server listens on (default 127.0.0.1)
  --https-listen-port PORT  API server port (default 6443)
  --write-kubeconfig FILE   where to write the admin kubeconfig (default <data-dir>/kubeconfig.yaml)
  --token TOKEN             admin bearer token (default: generated once and kept in the data dir)
  --disable-agent           do not run a node agent in this process
  --disable-scheduler       do not run the scheduler
  --disable-controllers     do not run the controllers
  --disable-local-storage   do not create the default local-path StorageClass
  --scheduler-config FILE   KubeSchedulerConfiguration (YAML)
  --service-cidr CIDR       virtual IP range for Services (default 10.43.0.0/16)
  --cluster-cidr CIDR       pod IP range (default 10.42.0.0/16)
  --service-node-port-range RANGE  NodePort range (default 30000-32767)
  --node-name NAME          name of the in-process node agent's Node (default: the hostname)
  --node-netns NS           run the agent's bridge and pod networking inside this netns (tests)
  --node-ip IP              the in-process agent's node address (InternalIP; default 127.0.0.1)
  --kubelet-listen-address ADDR  where the agent's streaming server listens (default: 127.0.0.1
                            with --node-netns, else the node IP)
  --crash-backoff MS[,CAP]  CrashLoopBackOff base (and cap) in milliseconds (default 10000,300000)
  --private-registry FILE   registry mirrors and credentials, k3s's registries.yaml shape
                            (default /etc/kijabi/registries.yaml when it exists)
  --node-monitor-grace-period DURATION   a node without heartbeats for this long is lost (default 40s)
  --default-not-ready-toleration-seconds N    tolerationSeconds added to pods for not-ready nodes (default 300)
  --default-unreachable-toleration-seconds N  tolerationSeconds added to pods for unreachable nodes (default 300)

kijabi agent flags:
  --server URL              API server URL (https://HOST:PORT)
  --token TOKEN             bearer token (the server's token; also what the API server presents to us)
  --ca-file FILE            cluster CA to verify the server (default <data-dir>/server/tls/server-ca.crt
                            when co-located with the server; there is no trust-on-first-use)
  --data-dir DIR            state directory; the agent uses DIR/agent (default as for server)
  --node-name NAME          Node name (default: the hostname)
  --node-ip IP              address to advertise (InternalIP; other nodes route our pod CIDR to it)
                            and serve streaming on (default 127.0.0.1)
  --node-netns NS           run bridge and pods inside this netns (tests)
  --kubelet-listen-address ADDR  where the streaming server listens (default: 127.0.0.1 with
                            --node-netns, since the node IP then exists only in that netns; else the node IP)
  --pod-cidr CIDR           this node's pod CIDR (default: derived from the node name in --cluster-cidr)
  --cluster-cidr CIDR       (default 10.42.0.0/16)    --service-cidr CIDR  (default 10.43.0.0/16)
  --streaming-port PORT     logs/exec/port-forward port (default 10250, a free one when taken)
  --tls-cert-file FILE, --tls-key-file FILE  streaming serving certificate (default: issued with the
                            cluster CA key when <data-dir>/server/tls/server-ca.key is present)
  --crash-backoff MS[,CAP]  CrashLoopBackOff base (and cap) in milliseconds
  --private-registry FILE   registry mirrors and credentials (default /etc/kijabi/registries.yaml)
`;

function fail(message: string): never {
  process.stderr.write(`kijabi: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** A Go-style duration as Kubernetes flags take it: 40s, 1m30s, 500ms, 2h. NaN when malformed. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return Number.NaN;
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit], 0);
}

async function serverCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      'bind-address': { type: 'string' },
      'https-listen-port': { type: 'string' },
      'write-kubeconfig': { type: 'string' },
      token: { type: 'string' },
      'disable-agent': { type: 'boolean', default: false },
      'disable-scheduler': { type: 'boolean', default: false },
      'disable-controllers': { type: 'boolean', default: false },
      'disable-local-storage': { type: 'boolean', default: false },
      'scheduler-config': { type: 'string' },
      'service-cidr': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'service-node-port-range': { type: 'string' },
      'node-name': { type: 'string' },
      'node-netns': { type: 'string' },
      'node-ip': { type: 'string' },
      'kubelet-listen-address': { type: 'string' },
      'crash-backoff': { type: 'string' },
      'private-registry': { type: 'string' },
      'node-monitor-grace-period': { type: 'string' },
      'default-not-ready-toleration-seconds': { type: 'string' },
      'default-unreachable-toleration-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const gracePeriod = values['node-monitor-grace-period'];
  const nodeMonitorGracePeriodMs = gracePeriod === undefined ? undefined : parseDuration(gracePeriod);
  if (nodeMonitorGracePeriodMs !== undefined && (Number.isNaN(nodeMonitorGracePeriodMs) || nodeMonitorGracePeriodMs <= 0)) fail(`--node-monitor-grace-period must be a duration such as 40s or 1m, got ${gracePeriod}`);
  const tolerationSeconds = (flag: 'default-not-ready-toleration-seconds' | 'default-unreachable-toleration-seconds'): number | undefined => {
    const text = values[flag];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) fail(`--${flag} must be a whole number of seconds, got ${text}`);
    return n;
  };
  const port = Number(values['https-listen-port'] ?? '6443');
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--https-listen-port must be a port number, got ${values['https-listen-port']}`);
  const range = (values['service-node-port-range'] ?? '30000-32767').split('-').map(Number);
  if (range.length !== 2 || range.some((n) => !Number.isInteger(n))) fail('--service-node-port-range must look like 30000-32767');
  const server = await runServer({
    dataDir: values['data-dir'] ?? defaultDataDir(),
    bindAddress: values['bind-address'] ?? '127.0.0.1',
    httpsListenPort: port,
    writeKubeconfig: values['write-kubeconfig'],
    token: values.token,
    disableAgent: values['disable-agent'] ?? false,
    disableScheduler: values['disable-scheduler'] ?? false,
    disableControllers: values['disable-controllers'] ?? false,
    disableLocalStorage: values['disable-local-storage'] ?? false,
    schedulerConfig: values['scheduler-config'],
    serviceCidr: values['service-cidr'] ?? '10.43.0.0/16',
    clusterCidr: values['cluster-cidr'] ?? '10.42.0.0/16',
    nodePortRange: [range[0], range[1]],
    nodeName: values['node-name'],
    nodeNetns: values['node-netns'],
    nodeIp: values['node-ip'],
    kubeletListenAddress: values['kubelet-listen-address'],
    crashBackoffMs: parseCrashBackoff(values['crash-backoff']),
    registriesConfig: values['disable-agent'] ? undefined : await registriesConfigFrom(values['private-registry']),
    nodeMonitorGracePeriodMs,
    defaultNotReadyTolerationSeconds: tolerationSeconds('default-not-ready-toleration-seconds'),
    defaultUnreachableTolerationSeconds: tolerationSeconds('default-unreachable-toleration-seconds'),
  });
  process.stdout.write(`Kijabi API server is ready on port ${server.port}\nKubeconfig written to ${server.kubeconfigPath}\nUse it with: export KUBECONFIG=${server.kubeconfigPath}; kubectl get nodes\n`);
  const stop = (signal: string) => {
    process.stderr.write(`received ${signal}, shutting down\n`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** --private-registry FILE, else the default file when it exists; a bad file stops the start. */
async function registriesConfigFrom(flag: string | undefined): Promise<RegistriesConfig | undefined> {
  const { existsSync } = await import('node:fs');
  const { DEFAULT_REGISTRIES_FILE, loadRegistriesFile } = await import('../node-agent/images/registries-file.js');
  const path = flag ?? (existsSync(DEFAULT_REGISTRIES_FILE) ? DEFAULT_REGISTRIES_FILE : undefined);
  if (path === undefined) return undefined;
  try {
    return loadRegistriesFile(path);
  } catch (err) {
    fail(`${(err as Error).message} (fix it, or point --private-registry at another file)`);
  }
}

function parseCrashBackoff(text: string | undefined): { baseMs: number; capMs: number } | undefined {
  if (text === undefined) return undefined;
  const [base, cap] = text.split(',').map(Number);
  if (!Number.isInteger(base) || base! <= 0 || (cap !== undefined && (!Number.isInteger(cap) || cap < base!))) fail('--crash-backoff must look like 1000 or 1000,5000 (milliseconds)');
  return { baseMs: base!, capMs: cap ?? Math.max(base!, 300_000) };
}

async function agentCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      'ca-file': { type: 'string' },
      'data-dir': { type: 'string' },
      'node-name': { type: 'string' },
      'node-ip': { type: 'string' },
      'node-netns': { type: 'string' },
      'kubelet-listen-address': { type: 'string' },
      'pod-cidr': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'streaming-port': { type: 'string' },
      'tls-cert-file': { type: 'string' },
      'tls-key-file': { type: 'string' },
      'crash-backoff': { type: 'string' },
      'private-registry': { type: 'string' },
    },
    strict: true,
  });
  if (!values.server || !values.token) fail('agent needs --server URL and --token TOKEN');
  const { existsSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { hostname } = await import('node:os');
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const tlsDir = join(dataDir, 'server', 'tls');
  const caFile = values['ca-file'] ?? (existsSync(join(tlsDir, 'server-ca.crt')) ? join(tlsDir, 'server-ca.crt') : undefined);
  if (!caFile) fail('agent needs --ca-file FILE (the cluster CA; find it in <server data-dir>/server/tls/server-ca.crt)');
  const nodeName = (values['node-name'] ?? hostname()).toLowerCase();
  const nodeIp = values['node-ip'] ?? '127.0.0.1';
  const { defaultListenAddress } = await import('../node-agent/agent.js');
  const listenAddress = defaultListenAddress({ nodeIp, nodeNetns: values['node-netns'], kubeletListenAddress: values['kubelet-listen-address'] });
  let streamingTls: { certPem: string; keyPem: string };
  if (values['tls-cert-file'] && values['tls-key-file']) {
    streamingTls = { certPem: readFileSync(values['tls-cert-file'], 'utf8'), keyPem: readFileSync(values['tls-key-file'], 'utf8') };
  } else if (existsSync(join(tlsDir, 'server-ca.key'))) {
    const { issueServingCert } = await import('../apiserver/auth/certs.js');
    streamingTls = await issueServingCert(tlsDir, [...new Set([nodeIp, listenAddress, 'localhost', hostname()])], `system:node:${nodeName}`);
  } else {
    fail('agent needs --tls-cert-file and --tls-key-file (a serving certificate signed by the cluster CA) when the CA key is not in <data-dir>/server/tls');
  }
  const port = Number(values['streaming-port'] ?? '10250');
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--streaming-port must be a port number');
  const { RestClient } = await import('../client/rest-client.js');
  const { NodeAgent } = await import('../node-agent/agent.js');
  const client = new RestClient({ server: values.server, token: values.token, ca: readFileSync(caFile, 'utf8'), userAgent: 'kijabi-agent/0.1' });
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  process.once('SIGINT', () => controller.abort());
  await new NodeAgent({
    client,
    nodeName,
    dataDir: join(dataDir, 'agent'),
    podCidr: values['pod-cidr'],
    clusterCidr: values['cluster-cidr'] ?? '10.42.0.0/16',
    serviceCidr: values['service-cidr'] ?? '10.43.0.0/16',
    nodeIp,
    nodeNetns: values['node-netns'],
    kubeletListenAddress: values['kubelet-listen-address'],
    streamingPort: port,
    streamingTls,
    agentToken: values.token,
    crashLoopBackoff: parseCrashBackoff(values['crash-backoff']),
    registriesConfig: await registriesConfigFrom(values['private-registry']),
    onReady: (info) => process.stdout.write(`Kijabi node agent ${nodeName} is ready (streaming port ${info.streamingPort}, pod CIDR ${info.podCidr})\n`),
  }).start(controller.signal);
  client.close();
}

async function hollowNodesCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: 'string' },
      count: { type: 'string', default: '1' },
      cpu: { type: 'string', default: '4' },
      memory: { type: 'string', default: '16Gi' },
      pods: { type: 'string', default: '110' },
      'name-prefix': { type: 'string', default: 'hollow-node-' },
      'lease-interval': { type: 'string', default: '10' },
    },
    strict: true,
  });
  if (!values.kubeconfig) fail('hollow-nodes needs --kubeconfig FILE');
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) fail(`--count must be a positive integer, got ${values.count}`);
  const { RestClient } = await import('../client/rest-client.js');
  const { HollowNodes } = await import('../hollow-nodes/hollow-nodes.js');
  // Thousands of simulated kubelets report for every pod: the leaner per-request client.
  const client = RestClient.fromKubeconfig(values.kubeconfig, { userAgent: 'kijabi-hollow-nodes/0.1', transport: 'undici' });
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  process.once('SIGINT', () => controller.abort());
  const nodes = new HollowNodes({
    client,
    count,
    cpu: values.cpu!,
    memory: values.memory!,
    pods: Number(values.pods),
    namePrefix: values['name-prefix']!,
    leaseIntervalMs: Number(values['lease-interval']) * 1000,
  });
  process.stdout.write(`registering ${count} hollow nodes (${values['name-prefix']}0..${count - 1})\n`);
  await nodes.start(controller.signal);
  client.close();
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return serverCommand(rest);
    case 'hollow-nodes':
      return hollowNodesCommand(rest);
    case 'image':
      return (await import('../node-agent/images/cli.js')).imageCommand(rest);
    case 'agent':
      return agentCommand(rest);
    case 'version':
    case '--version':
      process.stdout.write('kijabi v0.1.0 (Kubernetes v1.32 API)\n');
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command "${command}"`);
  }
}
