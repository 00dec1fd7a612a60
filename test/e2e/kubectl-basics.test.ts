// End to end: the everyday kubectl verbs (create generators, get in every output format, selectors,
// watch, describe, explain, label/annotate, scale) against the real `kijabi server`.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KUBECTL, REPO_ROOT, eventually, startCluster, type KubectlResult, type TestCluster } from '../support/cluster.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'e2e');

function succeeded(result: KubectlResult): string {
  assert.equal(result.code, 0, `kubectl failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** The header row of a table, split on runs of spaces. */
function headerOf(table: string): string[] {
  return table.split('\n')[0]!.trim().split(/\s{2,}/);
}

/** First column of every data row. */
function namesIn(table: string): string[] {
  return table.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[0]!);
}

describe('kubectl basics', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, { input });
  const jsonOf = async (args: string[]) => JSON.parse(succeeded(await kubectl([...args, '-o', 'json']))) as Record<string, any>;

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  // kubectl's create generators send protobuf bodies.
  const generators: { args: string[]; printed: string }[] = [
    { args: ['deployment', 'web', '--image=registry.example/team/nginx:1.25', '--replicas=3'], printed: 'deployment.apps/web created' },
    { args: ['secret', 'generic', 'creds', '--from-literal=password=s3cr3t!'], printed: 'secret/creds created' },
    { args: ['configmap', 'settings', '--from-literal=mode=fast', '--from-literal=level=3'], printed: 'configmap/settings created' },
    { args: ['namespace', 'team-a'], printed: 'namespace/team-a created' },
    { args: ['service', 'clusterip', 'web', '--tcp=80:8080'], printed: 'service/web created' },
    { args: ['job', 'once', '--image=busybox:1.36', '--', 'echo', 'hi'], printed: 'job.batch/once created' },
    { args: ['cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/5 * * * *'], printed: 'cronjob.batch/tick created' },
    { args: ['serviceaccount', 'robot'], printed: 'serviceaccount/robot created' },
    { args: ['role', 'reader', '--verb=get,list', '--resource=pods'], printed: 'role.rbac.authorization.k8s.io/reader created' },
    { args: ['rolebinding', 'reader-binding', '--role=reader', '--serviceaccount=default:robot'], printed: 'rolebinding.rbac.authorization.k8s.io/reader-binding created' },
    { args: ['quota', 'small', '--hard=pods=10,configmaps=20'], printed: 'resourcequota/small created' },
    { args: ['pdb', 'web-pdb', '--selector=app=web', '--min-available=1'], printed: 'poddisruptionbudget.policy/web-pdb created' },
    { args: ['priorityclass', 'important', '--value=1000', '--description=matters'], printed: 'priorityclass.scheduling.k8s.io/important created' },
  ];

  test('create generators store the objects kubectl describes', async () => {
    for (const { args, printed } of generators) {
      assert.equal(succeeded(await kubectl(['create', ...args])), `${printed}\n`, `kubectl create ${args.join(' ')}`);
    }
    const deployment = await jsonOf(['get', 'deployment', 'web']);
    assert.deepEqual(deployment.metadata.labels, { app: 'web' });
    assert.deepEqual(deployment.spec.selector, { matchLabels: { app: 'web' } });
    assert.equal(deployment.spec.replicas, 3);
    assert.deepEqual(deployment.spec.template.metadata.labels, { app: 'web' });
    assert.equal(deployment.spec.template.spec.containers[0].name, 'nginx');
    assert.equal(deployment.spec.template.spec.containers[0].image, 'registry.example/team/nginx:1.25');
    assert.equal(deployment.spec.strategy.type, 'RollingUpdate');

    const secret = await jsonOf(['get', 'secret', 'creds']);
    assert.equal(secret.type, 'Opaque');
    assert.equal(secret.data.password, Buffer.from('s3cr3t!').toString('base64'));

    assert.deepEqual((await jsonOf(['get', 'configmap', 'settings'])).data, { mode: 'fast', level: '3' });
    const ns = await jsonOf(['get', 'namespace', 'team-a']);
    assert.equal(ns.status.phase, 'Active');

    const service = await jsonOf(['get', 'service', 'web']);
    assert.equal(service.spec.type, 'ClusterIP');
    assert.deepEqual(service.spec.selector, { app: 'web' });
    assert.equal(service.spec.ports[0].port, 80);
    assert.equal(service.spec.ports[0].targetPort, 8080);
    assert.match(service.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);

    const job = await jsonOf(['get', 'job', 'once']);
    assert.deepEqual(job.spec.template.spec.containers[0].command, ['echo', 'hi']);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    assert.equal((await jsonOf(['get', 'cronjob', 'tick'])).spec.schedule, '*/5 * * * *');
    assert.equal((await jsonOf(['get', 'serviceaccount', 'robot'])).metadata.name, 'robot');
    const role = await jsonOf(['get', 'role', 'reader']);
    assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    const binding = await jsonOf(['get', 'rolebinding', 'reader-binding']);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    assert.deepEqual((await jsonOf(['get', 'quota', 'small'])).spec.hard, { pods: '10', configmaps: '20' });
    const pdb = await jsonOf(['get', 'pdb', 'web-pdb']);
    assert.equal(pdb.spec.minAvailable, 1);
    assert.deepEqual(pdb.spec.selector, { matchLabels: { app: 'web' } });
    const priority = await jsonOf(['get', 'priorityclass', 'important']);
    assert.equal(priority.value, 1000);
    assert.equal(priority.description, 'matters');
  });

  // Subject.apiGroup is `omitempty`: a ServiceAccount subject has none in JSON.
  test('a generated RoleBinding names its ServiceAccount subject', async () => {
    const binding = await jsonOf(['get', 'rolebinding', 'reader-binding']);
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'robot', namespace: 'default' }]);
  });

  test('get prints tables with the kubectl columns', async () => {
    succeeded(await kubectl(['apply', '-f', join(FIXTURES, 'pod.yaml')]));
    const pods = succeeded(await kubectl(['get', 'pods']));
    assert.deepEqual(headerOf(pods), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.match(pods, /^lonely\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    const podsWide = succeeded(await kubectl(['get', 'pods', '-o', 'wide']));
    assert.deepEqual(headerOf(podsWide), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    assert.match(podsWide, /^lonely\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>$/m);

    const deployments = succeeded(await kubectl(['get', 'deployments']));
    assert.deepEqual(headerOf(deployments), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.match(deployments, /^web\s+\d\/3\s+\d\s+\d\s+\d+s$/m);
    const deploymentsWide = succeeded(await kubectl(['get', 'deployments', '-o', 'wide']));
    assert.deepEqual(headerOf(deploymentsWide), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.match(deploymentsWide, /\snginx\s+registry\.example\/team\/nginx:1\.25\s+app=web$/m);

    const services = succeeded(await kubectl(['get', 'services']));
    assert.deepEqual(headerOf(services), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    assert.match(services, /^kubernetes\s+ClusterIP\s+[\d.]+\s+<none>\s+443\/TCP\s+\d+[smh]$/m);
    assert.match(services, /^web\s+ClusterIP\s+[\d.]+\s+<none>\s+80\/TCP\s+\d+s$/m);

    const namespaces = succeeded(await kubectl(['get', 'ns']));
    assert.deepEqual(headerOf(namespaces), ['NAME', 'STATUS', 'AGE']);
    assert.deepEqual(namesIn(namespaces).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'team-a']);
    assert.match(namespaces, /^team-a\s+Active\s+\d+s$/m);

    const configmaps = succeeded(await kubectl(['get', 'configmap', 'settings']));
    assert.deepEqual(headerOf(configmaps), ['NAME', 'DATA', 'AGE']);
    assert.match(configmaps, /^settings\s+2\s+\d+s$/m);
  });

  test('get all lists workloads and services with their kinds', async () => {
    const all = succeeded(await kubectl(['get', 'all']));
    assert.match(all, /^service\/kubernetes\s+ClusterIP/m);
    assert.match(all, /^deployment\.apps\/web\s+\d\/3/m);
    assert.match(all, /^job\.batch\/once\s/m);
    assert.match(all, /^cronjob\.batch\/tick\s+\*\/5 \* \* \* \*/m);
    assert.match(all, /^pod\/lonely\s+0\/1\s+Pending/m);
  });

  test('get -o yaml, jsonpath and custom-columns', async () => {
    const yaml = succeeded(await kubectl(['get', 'configmap', 'settings', '-o', 'yaml']));
    assert.match(yaml, /^apiVersion: v1$/m);
    assert.match(yaml, /^kind: ConfigMap$/m);
    assert.match(yaml, /^ {2}mode: fast$/m);
    assert.match(yaml, /^ {2}name: settings$/m);
    assert.equal(succeeded(await kubectl(['get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}'])), 'fast');
    assert.equal(
      succeeded(await kubectl(['get', 'deployments', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}'])),
      'web=3\n',
    );
    const columns = succeeded(await kubectl(['get', 'configmap', 'settings', '-o', 'custom-columns=NAME:.metadata.name,MODE:.data.mode,MISSING:.data.none']));
    assert.deepEqual(columns.trim().split('\n').map((line) => line.trim().split(/\s+/)), [['NAME', 'MODE', 'MISSING'], ['settings', 'fast', '<none>']]);
  });

  test('label selectors, field selectors, --show-labels and -A', async () => {
    succeeded(await kubectl(['create', 'configmap', 'red', '--from-literal=x=1']));
    succeeded(await kubectl(['create', 'configmap', 'blue', '--from-literal=x=1']));
    succeeded(await kubectl(['create', 'configmap', 'plain', '--from-literal=x=1']));
    succeeded(await kubectl(['label', 'configmap', 'red', 'color=red', 'sel=yes']));
    succeeded(await kubectl(['label', 'configmap', 'blue', 'color=blue', 'sel=yes']));
    const names = async (args: string[]) => succeeded(await kubectl(['get', 'configmaps', ...args, '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean).sort();

    assert.deepEqual(await names(['-l', 'color=red']), ['red']);
    assert.deepEqual(await names(['-l', 'color!=red,sel=yes']), ['blue']);
    assert.deepEqual(await names(['-l', 'color in (red,blue)']), ['blue', 'red']);
    assert.deepEqual(await names(['-l', 'color notin (red),sel']), ['blue']);
    assert.ok(!(await names(['-l', '!color'])).includes('red'));
    assert.ok((await names(['-l', '!color'])).includes('plain'));
    assert.deepEqual(await names(['--field-selector', 'metadata.name=plain']), ['plain']);
    assert.ok(!(await names(['--field-selector', 'metadata.name!=plain'])).includes('plain'));

    const none = await kubectl(['get', 'configmaps', '-l', 'color=green']);
    assert.equal(none.code, 0);
    assert.equal(none.stderr, 'No resources found in default namespace.\n');

    const shown = succeeded(await kubectl(['get', 'configmaps', 'red', 'plain', '--show-labels']));
    assert.deepEqual(headerOf(shown), ['NAME', 'DATA', 'AGE', 'LABELS']);
    assert.match(shown, /^red\s+1\s+\d+s\s+color=red,sel=yes$/m);
    assert.match(shown, /^plain\s+1\s+\d+s\s+<none>$/m);

    succeeded(await kubectl(['create', 'configmap', 'elsewhere', '-n', 'team-a']));
    const everywhere = succeeded(await kubectl(['get', 'configmaps', '-A']));
    assert.deepEqual(headerOf(everywhere), ['NAMESPACE', 'NAME', 'DATA', 'AGE']);
    assert.match(everywhere, /^team-a\s+elsewhere\s+0\s+\d+s$/m);
    assert.match(everywhere, /^default\s+red\s+1\s+\d+s$/m);
  });

  test('get -w streams changes until the watcher is stopped', async () => {
    succeeded(await kubectl(['create', 'configmap', 'watched', '--from-literal=v=1']));
    const watcher = spawn(KUBECTL, ['--kubeconfig', cluster.kubeconfig, 'get', 'configmaps', '-w', '--output-watch-events'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: cluster.dataDir },
    });
    let output = '';
    watcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    watcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolveExit) => watcher.once('exit', resolveExit));
    try {
      await eventually(async () => /^ADDED\s+watched\s+1\s/m.test(output), { timeoutMs: 10_000, message: `initial list not printed: ${output}` });
      succeeded(await kubectl(['patch', 'configmap', 'watched', '--type=merge', '-p', '{"data":{"w":"2"}}']));
      await eventually(async () => /^MODIFIED\s+watched\s+2\s/m.test(output), { timeoutMs: 10_000, message: `change not streamed: ${output}` });
      succeeded(await kubectl(['delete', 'configmap', 'watched']));
      await eventually(async () => /^DELETED\s+watched\s+2\s/m.test(output), { timeoutMs: 10_000, message: `deletion not streamed: ${output}` });
      assert.equal(watcher.exitCode, null, 'the watch must keep running');
    } finally {
      if (watcher.pid !== undefined && watcher.exitCode === null) process.kill(watcher.pid, 'SIGTERM');
      await exited;
    }
  });

  test('describe deployment and pod', async () => {
    const deployment = succeeded(await kubectl(['describe', 'deployment', 'web']));
    assert.match(deployment, /^Name:\s+web$/m);
    assert.match(deployment, /^Namespace:\s+default$/m);
    assert.match(deployment, /^Labels:\s+app=web$/m);
    assert.match(deployment, /^Selector:\s+app=web$/m);
    assert.match(deployment, /^Replicas:\s+3 desired \| \d+ updated \| \d+ total \| \d+ available \| \d+ unavailable$/m);
    assert.match(deployment, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(deployment, /^\s+Image:\s+registry\.example\/team\/nginx:1\.25$/m);
    assert.match(deployment, /^Events:/m);

    const pod = succeeded(await kubectl(['describe', 'pod', 'lonely']));
    assert.match(pod, /^Name:\s+lonely$/m);
    assert.match(pod, /^Labels:\s+app=lonely$/m);
    assert.match(pod, /^Status:\s+Pending$/m);
    assert.match(pod, /^\s+Image:\s+busybox:1\.36$/m);
    assert.match(pod, /^Events:/m);
  });

  test('explain shows field documentation from the OpenAPI schema', async () => {
    const strategy = succeeded(await kubectl(['explain', 'deployment.spec.strategy']));
    assert.match(strategy, /^GROUP:\s+apps$/m);
    assert.match(strategy, /^KIND:\s+Deployment$/m);
    assert.match(strategy, /^VERSION:\s+v1$/m);
    assert.match(strategy, /^FIELD: strategy <DeploymentStrategy>$/m);
    assert.match(strategy, /^DESCRIPTION:\n\s+\S/m);
    assert.match(strategy, /^ {2}rollingUpdate\t<RollingUpdateDeployment>$/m);
    assert.match(strategy, /^ {2}type\t<string>$/m);

    const containers = succeeded(await kubectl(['explain', 'pods.spec.containers', '--recursive']));
    assert.match(containers, /^FIELD: containers <\[\]Container>$/m);
    assert.match(containers, /^ {2}image\t<string>$/m);
    assert.match(containers, /^ {2}name\t<string> -required-$/m);
    assert.match(containers, /^ {4}containerPort\t<integer> -required-$/m);

    const unknown = await kubectl(['explain', 'deployment.spec.nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /field "nope" does not exist/);
  });

  test('label, annotate and scale', async () => {
    assert.equal(succeeded(await kubectl(['label', 'deployment', 'web', 'tier=front'])), 'deployment.apps/web labeled\n');
    assert.equal(succeeded(await kubectl(['annotate', 'deployment', 'web', 'note=hello world'])), 'deployment.apps/web annotated\n');
    let deployment = await jsonOf(['get', 'deployment', 'web']);
    assert.deepEqual(deployment.metadata.labels, { app: 'web', tier: 'front' });
    assert.equal(deployment.metadata.annotations.note, 'hello world');

    const clash = await kubectl(['label', 'deployment', 'web', 'tier=back']);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /'tier' already has a value \(front\), and --overwrite is false/);

    assert.equal(succeeded(await kubectl(['label', 'deployment', 'web', 'tier-'])), 'deployment.apps/web unlabeled\n');
    assert.equal(succeeded(await kubectl(['annotate', 'deployment', 'web', 'note-'])), 'deployment.apps/web annotated\n');
    deployment = await jsonOf(['get', 'deployment', 'web']);
    assert.deepEqual(deployment.metadata.labels, { app: 'web' });
    assert.equal(deployment.metadata.annotations?.note, undefined);

    assert.equal(succeeded(await kubectl(['scale', 'deployment', 'web', '--replicas=5'])), 'deployment.apps/web scaled\n');
    assert.equal((await jsonOf(['get', 'deployment', 'web'])).spec.replicas, 5);
    const wrongCurrent = await kubectl(['scale', 'deployment', 'web', '--current-replicas=3', '--replicas=2']);
    assert.equal(wrongCurrent.code, 1);
    assert.match(wrongCurrent.stderr, /Expected replicas to be 3, was 5/);
    assert.equal(succeeded(await kubectl(['scale', 'deployment', 'web', '--current-replicas=5', '--replicas=2'])), 'deployment.apps/web scaled\n');
    assert.equal((await jsonOf(['get', 'deployment', 'web'])).spec.replicas, 2);
  });
});
