// The `kijabi` command line: parses flags with node:util and dispatches to the subcommands.

import { parseArgs } from 'node:util';
import { defaultDataDir, runServer } from './server.js';

const USAGE = `Usage: kijabi <command> [flags]

Commands:
  server     Run a single-node cluster: API server, scheduler, controllers (and the node agent)
  version    Print the version

kijabi server flags:
  --data-dir DIR            state directory (default /var/lib/kijabi, or ~/.kijabi when not root)
  --bind-address ADDR       address the API server listens on (default 127.0.0.1)
  --https-listen-port PORT  API server port (default 6443)
  --write-kubeconfig FILE   where to write the admin kubeconfig (default <data-dir>/kubeconfig.yaml)
  --token TOKEN             admin bearer token (default: generated once and kept in the data dir)
  --disable-agent           do not run a node agent in this process
  --disable-scheduler       do not run the scheduler
  --disable-controllers     do not run the controllers
  --scheduler-config FILE   KubeSchedulerConfiguration (YAML)
  --service-cidr CIDR       virtual IP range for Services (default 10.43.0.0/16)
  --cluster-cidr CIDR       pod IP range (default 10.42.0.0/16)
  --service-node-port-range RANGE  NodePort range (default 30000-32767)
`;

function fail(message: string): never {
  process.stderr.write(`kijabi: ${message}\n\n${USAGE}`);
  process.exit(2);
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
      'scheduler-config': { type: 'string' },
      'service-cidr': { type: 'string' },
      'cluster-cidr': { type: 'string' },
      'service-node-port-range': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
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
    schedulerConfig: values['scheduler-config'],
    serviceCidr: values['service-cidr'] ?? '10.43.0.0/16',
    clusterCidr: values['cluster-cidr'] ?? '10.42.0.0/16',
    nodePortRange: [range[0], range[1]],
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

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return serverCommand(rest);
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
