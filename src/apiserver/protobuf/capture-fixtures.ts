// Captures the protobuf request bodies the real kubectl sends, for decode.test.ts.
// Run: node dist/src/apiserver/protobuf/capture-fixtures.js [kubectl path] [output dir]
// It serves just enough of the API on 127.0.0.1 (version, legacy discovery, a GET of the
// Deployment that `autoscale` reads) and records every POST body. For each command it also runs the
// `--dry-run=client -o json` twin, whose output is the JSON the decoded body must equal.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface Capture {
  /** Fixture base name: `<name>.bin` (protobuf body) and `<name>.json` (dry-run JSON). */
  name: string;
  args: string[];
  /** False for commands without a JSON dry-run (auth can-i). */
  dryRun: boolean;
}

export const CAPTURES: readonly Capture[] = [
  { name: 'deployment', args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80'], dryRun: true },
  { name: 'secret', args: ['create', 'secret', 'generic', 's', '--from-literal=a=b', '--from-literal=empty='], dryRun: true },
  { name: 'configmap', args: ['create', 'configmap', 'c', '--from-literal=k=v'], dryRun: true },
  { name: 'namespace', args: ['create', 'namespace', 'n1'], dryRun: true },
  { name: 'service', args: ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080'], dryRun: true },
  { name: 'service-nodeport', args: ['create', 'service', 'nodeport', 'svc2', '--tcp=443:https', '--node-port=30443'], dryRun: true },
  { name: 'job', args: ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'], dryRun: true },
  { name: 'cronjob', args: ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'echo', 'hi'], dryRun: true },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'sa1'], dryRun: true },
  { name: 'role', args: ['create', 'role', 'r', '--verb=get', '--verb=list', '--resource=pods', '--resource=deployments.apps'], dryRun: true },
  { name: 'rolebinding', args: ['create', 'rolebinding', 'rb', '--role=r', '--user=u', '--serviceaccount=default:sa1'], dryRun: true },
  { name: 'clusterrole', args: ['create', 'clusterrole', 'cr', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz'], dryRun: true },
  { name: 'clusterrolebinding', args: ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--group=g'], dryRun: true },
  { name: 'quota', args: ['create', 'quota', 'q', '--hard=pods=10,requests.cpu=500m,limits.memory=1Gi', '--scopes=NotTerminating'], dryRun: true },
  { name: 'pdb', args: ['create', 'pdb', 'p', '--selector=app=web', '--min-available=1'], dryRun: true },
  { name: 'pdb-percent', args: ['create', 'pdb', 'p2', '--selector=app=web', '--max-unavailable=50%'], dryRun: true },
  { name: 'priorityclass', args: ['create', 'priorityclass', 'pc', '--value=1000', '--description=high', '--preemption-policy=Never'], dryRun: true },
  { name: 'autoscale', args: ['autoscale', 'deployment', 'web', '--min=1', '--max=5', '--cpu-percent=80'], dryRun: true },
  { name: 'can-i', args: ['auth', 'can-i', 'list', 'pods'], dryRun: false },
];

type Resource = [name: string, kind: string, namespaced: boolean];

/** Legacy discovery: group/version → resources. */
const DISCOVERY: Record<string, Resource[]> = {
  v1: [
    ['namespaces', 'Namespace', false],
    ['secrets', 'Secret', true],
    ['configmaps', 'ConfigMap', true],
    ['services', 'Service', true],
    ['serviceaccounts', 'ServiceAccount', true],
    ['resourcequotas', 'ResourceQuota', true],
    ['pods', 'Pod', true],
    ['nodes', 'Node', false],
  ],
  'apps/v1': [['deployments', 'Deployment', true]],
  'batch/v1': [['jobs', 'Job', true], ['cronjobs', 'CronJob', true]],
  'autoscaling/v1': [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true]],
  'policy/v1': [['poddisruptionbudgets', 'PodDisruptionBudget', true]],
  'scheduling.k8s.io/v1': [['priorityclasses', 'PriorityClass', false]],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true],
    ['rolebindings', 'RoleBinding', true],
    ['clusterroles', 'ClusterRole', false],
    ['clusterrolebindings', 'ClusterRoleBinding', false],
  ],
  'authorization.k8s.io/v1': [['selfsubjectaccessreviews', 'SelfSubjectAccessReview', false]],
};

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resourceList(groupVersion: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: (DISCOVERY[groupVersion] ?? []).flatMap(([name, kind, namespaced]) => [
      { name, singularName: kind.toLowerCase(), namespaced, kind, verbs: VERBS },
      // `autoscale` refuses a target whose scale subresource discovery does not list
      ...(kind === 'Deployment'
        ? [{ name: `${name}/scale`, singularName: '', namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }]
        : []),
    ]),
  };
}

function groupList(): unknown {
  const groups = Object.keys(DISCOVERY)
    .filter((gv) => gv.includes('/'))
    .map((gv) => {
      const [name, version] = gv.split('/') as [string, string];
      return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

const DEPLOYMENT_WEB = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: '00000000-0000-0000-0000-000000000001', resourceVersion: '1' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
  },
};

interface Recorded {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

function sendJson(res: ServerResponse, code: number, value: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** Answers a POST with the object's type and name, which is all kubectl prints. */
function createdObject(body: Buffer): unknown {
  const text = body.toString('latin1');
  const kind = /SelfSubjectAccessReview/.test(text) ? 'SelfSubjectAccessReview' : 'Object';
  if (kind === 'SelfSubjectAccessReview') {
    return { apiVersion: 'authorization.k8s.io/v1', kind, metadata: {}, spec: {}, status: { allowed: true } };
  }
  return { metadata: { name: 'created', namespace: 'default' } };
}

function handle(req: IncomingMessage, body: Buffer, res: ServerResponse, recorded: Recorded[]): void {
  const path = (req.url ?? '/').split('?')[0]!;
  if (req.method === 'POST') {
    recorded.push({ method: 'POST', path, contentType: req.headers['content-type'] ?? '', body });
    sendJson(res, 201, createdObject(body));
    return;
  }
  if (path === '/version') {
    sendJson(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' });
  } else if (path === '/api') {
    sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  } else if (path === '/apis') {
    sendJson(res, 200, groupList());
  } else if (path === '/api/v1') {
    sendJson(res, 200, resourceList('v1'));
  } else if (/^\/apis\/[^/]+\/[^/]+$/.test(path)) {
    sendJson(res, 200, resourceList(path.slice('/apis/'.length)));
  } else if (path === '/apis/apps/v1/namespaces/default/deployments/web') {
    sendJson(res, 200, DEPLOYMENT_WEB);
  } else {
    sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` });
  }
}

/** Adds the client dry-run flags before a `--` that starts the container command. */
function withDryRun(args: readonly string[]): string[] {
  const flags = ['--dry-run=client', '-o', 'json'];
  const dashes = args.indexOf('--');
  return dashes < 0 ? [...args, ...flags] : [...args.slice(0, dashes), ...flags, ...args.slice(dashes)];
}

export async function captureFixtures(kubectl: string, outDir: string): Promise<void> {
  const recorded: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, Buffer.concat(chunks), res, recorded));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const home = mkdtempSync(join(tmpdir(), 'kijabi-capture-'));
  const env = { ...process.env, HOME: home, KUBECONFIG: join(home, 'config') };
  const common = [`--server=http://127.0.0.1:${port}`, `--cache-dir=${join(home, 'cache')}`];
  mkdirSync(outDir, { recursive: true });
  const index: Record<string, unknown> = {};
  try {
    for (const capture of CAPTURES) {
      recorded.length = 0;
      const { stdout } = await run(kubectl, [...common, ...capture.args], { env });
      const posts = recorded.filter((r) => r.method === 'POST');
      if (posts.length !== 1) throw new Error(`${capture.name}: expected one POST, saw ${posts.length}`);
      const post = posts[0]!;
      writeFileSync(join(outDir, `${capture.name}.bin`), post.body);
      index[capture.name] = { command: ['kubectl', ...capture.args], path: post.path, contentType: post.contentType };
      if (capture.dryRun) {
        recorded.length = 0;
        const dry = await run(kubectl, [...common, ...withDryRun(capture.args)], { env });
        if (recorded.length > 0) throw new Error(`${capture.name}: the dry run sent ${recorded.length} POST(s)`);
        writeFileSync(join(outDir, `${capture.name}.json`), dry.stdout);
      }
      process.stdout.write(`${capture.name}: ${post.path} ${post.contentType} ${post.body.length} bytes; kubectl said ${stdout.trim()}\n`);
    }
    writeFileSync(join(outDir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  } finally {
    server.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]).endsWith('capture-fixtures.js');
if (isMain) {
  const kubectl = process.argv[2] ?? '/usr/bin/kubectl';
  const outDir = process.argv[3] ?? resolve('test/fixtures/protobuf');
  captureFixtures(kubectl, outDir).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
