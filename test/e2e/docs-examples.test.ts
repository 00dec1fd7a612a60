// End to end: the tasks of Kubernetes' documentation, as its readers run them, on the real server
// with real containers and the real kubectl. The manifests name their images as published
// (nginx:1.14.2, registry.k8s.io/busybox:1.27.2, debian...); a registries file mirrors docker.io
// and registry.k8s.io to a local registry serving busybox-based stand-ins under those names (an
// "nginx" that serves /usr/share/nginx/html with busybox httpd and stops on SIGTERM as nginx does,
// a "debian" with printenv).
// The objects are the docs' examples written out here (the published files themselves are applied
// by the last test when the reference folder is next to the repository).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { eventually, REPO_ROOT } from '../support/cluster.js';
import { nodeClusterSkipReason, startNodeCluster, type NodeCluster } from '../support/node-cluster.js';
import { addImageVariant, buildBusyboxLayout, type BusyboxLayout } from '../support/registry.js';

const skip = nodeClusterSkipReason();
type Json = Record<string, any>;

/** printenv as coreutils has it (busybox lacks it): each named variable's value; status 1 if one is unset. */
const PRINTENV = `#!/bin/sh
[ $# -eq 0 ] && exec env
status=0
for name in "$@"; do
  if eval "[ -n \\"\\\${$name+set}\\" ]"; then eval "printf '%s\\\\n' \\"\\$$name\\""; else status=1; fi
done
exit $status
`;

/** agnhost's `liveness` subcommand: /healthz on :8080 answers 200 for the first 10 s, then 500; exits on SIGTERM. */
const AGNHOST = `#!/bin/sh
[ "$1" = liveness ] || { echo "this agnhost stand-in only knows liveness" >&2; exit 1; }
trap 'exit 0' TERM
start=$(date +%s)
while true; do
  age=$(( $(date +%s) - start ))
  if [ $age -lt 10 ]; then status='200 OK'; body=ok; else status='500 Internal Server Error'; body="error: $age"; fi
  printf 'HTTP/1.1 %s\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$status" \${#body} "$body" | nc -l -p 8080 >/dev/null &
  wait $!
done
`;

/** What \`perl -Mbignum=bpi -wle 'print bpi(2000)'\` prints, to 50 decimals. */
const PERL_PI = `#!/bin/sh
echo 3.14159265358979323846264338327950288419716939937510
`;

const EXAMPLES = resolve(REPO_ROOT, '..', 'shared', 'examples', 'kubernetes-website');

const deployment = (name: string, replicas: number, image: string, labels: Record<string, string> = { app: 'nginx' }) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: labels }, replicas, template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } } },
  });

describe('the documentation\'s tasks with real containers', { skip }, () => {
  let cluster: NodeCluster;
  let images: BusyboxLayout;

  before(async () => {
    cluster = await startNodeCluster({ mirrors: ['docker.io', 'registry.k8s.io'] });
    images = await buildBusyboxLayout();
    const printenv = { '/usr/bin/printenv': { content: PRINTENV, mode: 0o755 } };
    await addImageVariant(images.layout, 'base', { tag: 'nginx', files: { ...printenv, '/usr/share/nginx/html/index.html': { content: '<h1>Welcome to nginx!</h1>\n' } }, cmd: ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 80 -h /usr/share/nginx/html & wait'] });
    await addImageVariant(images.layout, 'base', { tag: 'tools', files: printenv });
    await addImageVariant(images.layout, 'base', { tag: 'agnhost', files: { '/agnhost': { content: AGNHOST, mode: 0o755 } }, entrypoint: ['/agnhost'] });
    await addImageVariant(images.layout, 'base', { tag: 'goproxy', cmd: ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 8080 & wait'] });
    await addImageVariant(images.layout, 'base', { tag: 'perl', files: { '/usr/bin/perl': { content: PERL_PI, mode: 0o755 } } });
    const push = (tag: string, repository: string, destTag: string) => cluster.registry.push(images.layout, tag, repository, destTag);
    for (const version of ['1.14.2', '1.16.1', 'latest']) await push('nginx', 'library/nginx', version);
    await push('tools', 'library/debian', 'latest');
    await push('tools', 'library/busybox', '1.28');
    for (const version of ['1.27.2', 'latest']) await push('tools', 'busybox', version);
    await push('agnhost', 'e2e-test-images/agnhost', '2.40');
    await push('goproxy', 'goproxy', '0.1');
    await push('perl', 'library/perl', '5.34.0');
  });

  after(async () => {
    await cluster?.stop();
    await images?.cleanup();
  });

  const kubectl = (args: string[], input?: string, timeoutMs?: number) => cluster.kubectl(args, { input, timeoutMs });
  const ok = async (args: string[], input?: string, timeoutMs?: number): Promise<string> => {
    const r = await kubectl(args, input, timeoutMs);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const pod = (name: string) => cluster.getJson<Json>(['pod', name]);
  const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, describe?: string): Promise<T> =>
    eventually(fn, { timeoutMs: 60_000, intervalMs: 300, message: what }).catch(async (err: Error) => {
      const described = describe ? (await kubectl(['describe', describe])).stdout : '';
      throw new Error(`${err.message}\n${described}\n--- server log tail ---\n${cluster.logs().slice(-3000)}`);
    });
  const logsOf = async (name: string, until: (text: string) => boolean): Promise<string> =>
    waitFor(`logs of ${name}`, async () => {
      const r = await kubectl(['logs', name]);
      return r.code === 0 && until(r.stdout) && r.stdout;
    }, `pod/${name}`);

  test('Pods: a pod of nginx:1.14.2 runs (pulled through the docker.io mirror)', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] } }));
    await waitFor('pod nginx Running', async () => (await pod('nginx')).status?.phase === 'Running', 'pod/nginx');
    const p = await pod('nginx');
    assert.equal(p.status.containerStatuses[0].image, 'docker.io/library/nginx:1.14.2');
    assert.match(p.status.containerStatuses[0].imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.equal(await ok(['exec', 'nginx', '--', 'cat', '/usr/share/nginx/html/index.html']), '<h1>Welcome to nginx!</h1>\n');
    await ok(['delete', 'pod', 'nginx', '--grace-period=1']);
  });

  test('Run a Stateless Application Using a Deployment: create, update the image, scale', async () => {
    await ok(['apply', '-f', '-'], deployment('nginx-deployment', 2, 'nginx:1.14.2'));
    await ok(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s'], undefined, 100_000);
    await ok(['apply', '-f', '-'], deployment('nginx-deployment', 2, 'nginx:1.16.1'));
    await ok(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s'], undefined, 100_000);
    await ok(['apply', '-f', '-'], deployment('nginx-deployment', 4, 'nginx:1.16.1'));
    await ok(['rollout', 'status', 'deployment/nginx-deployment', '--timeout=90s'], undefined, 100_000);
    const pods = await waitFor('4 pods of 1.16.1, no others', async () => {
      const items = (await cluster.getJson<{ items: Json[] }>(['pods', '-l', 'app=nginx'])).items.filter((p) => !p.metadata.deletionTimestamp);
      return items.length === 4 && items.every((p) => p.spec.containers[0].image === 'nginx:1.16.1' && p.status.phase === 'Running') && items;
    });
    assert.equal(pods.length, 4);
    await ok(['delete', 'deployment', 'nginx-deployment']);
    await waitFor('the deployment\'s pods gone', async () => (await cluster.getJson<{ items: Json[] }>(['pods', '-l', 'app=nginx'])).items.length === 0);
  });

  test('Define a Command and Arguments: printenv HOSTNAME KUBERNETES_PORT in debian', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'command-demo', labels: { purpose: 'demonstrate-command' } },
      spec: { containers: [{ name: 'command-demo-container', image: 'debian', command: ['printenv'], args: ['HOSTNAME', 'KUBERNETES_PORT'] }], restartPolicy: 'OnFailure' },
    }));
    await waitFor('command-demo Succeeded', async () => (await pod('command-demo')).status?.phase === 'Succeeded', 'pod/command-demo');
    assert.equal(await ok(['logs', 'command-demo']), 'command-demo\ntcp://10.43.0.1:443\n');
    assert.match(await ok(['get', 'pod', 'command-demo']), /command-demo\s+0\/1\s+Completed\s+0/);
  });

  test('Expose Pod Information Through Environment Variables: fieldRef values', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dapi-envars-fieldref' },
      spec: {
        containers: [{
          name: 'test-container',
          image: 'registry.k8s.io/busybox:1.27.2',
          command: ['sh', '-c'],
          args: ["while true; do echo -en '\\n'; printenv MY_NODE_NAME MY_POD_NAME MY_POD_NAMESPACE; printenv MY_POD_IP MY_POD_SERVICE_ACCOUNT; sleep 10; done;"],
          env: [
            { name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'MY_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MY_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'MY_POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MY_POD_SERVICE_ACCOUNT', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
          ],
        }],
        restartPolicy: 'Never',
      },
    }));
    // Two printenv calls per round: wait for both.
    const logs = await logsOf('dapi-envars-fieldref', (text) => text.split('\n').filter(Boolean).length >= 5);
    const ip = (await pod('dapi-envars-fieldref')).status.podIP as string;
    assert.match(logs, new RegExp(`node-1\\ndapi-envars-fieldref\\ndefault\\n${ip.replace(/\./g, '\\.')}\\ndefault\\n`));
    await ok(['delete', 'pod', 'dapi-envars-fieldref', '--grace-period=1']);
  });

  test('Distribute Credentials Securely Using Secrets: secret keys as environment variables', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'test-secret' }, data: { username: 'bXktYXBw', password: 'Mzk1MjgkdmRnN0pi' } }));
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'secret-envars-test-pod' },
      spec: { containers: [{ name: 'envars-test-container', image: 'nginx', env: [
        { name: 'SECRET_USERNAME', valueFrom: { secretKeyRef: { name: 'test-secret', key: 'username' } } },
        { name: 'SECRET_PASSWORD', valueFrom: { secretKeyRef: { name: 'test-secret', key: 'password' } } },
      ] }] },
    }));
    await waitFor('secret-envars-test-pod Running', async () => (await pod('secret-envars-test-pod')).status?.phase === 'Running', 'pod/secret-envars-test-pod');
    // The docs: kubectl exec -i -t secret-envars-test-pod -- /bin/sh -c 'echo $SECRET_USERNAME\necho $SECRET_PASSWORD'
    assert.equal(await ok(['exec', 'secret-envars-test-pod', '--', '/bin/sh', '-c', 'echo $SECRET_USERNAME\necho $SECRET_PASSWORD']), 'my-app\n39528$vdg7Jb\n');
    await ok(['delete', 'pod', 'secret-envars-test-pod', '--grace-period=1']);
  });

  test('Configure a Pod to Use a ConfigMap: envFrom a ConfigMap', async () => {
    await ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'special-config', namespace: 'default' }, data: { SPECIAL_LEVEL: 'very', SPECIAL_TYPE: 'charm' } }));
    await ok(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dapi-test-pod' },
      spec: { containers: [{ name: 'test-container', image: 'registry.k8s.io/busybox', command: ['/bin/sh', '-c', 'env'], envFrom: [{ configMapRef: { name: 'special-config' } }] }], restartPolicy: 'Never' },
    }));
    const logs = await logsOf('dapi-test-pod', (text) => text.includes('SPECIAL_TYPE'));
    assert.match(logs, /^SPECIAL_LEVEL=very$/m);
    assert.match(logs, /^SPECIAL_TYPE=charm$/m);
    assert.match(logs, /^KUBERNETES_SERVICE_HOST=10\.43\.0\.1$/m);
  });

  test('Managing Workload Resources: a LoadBalancer Service and its Deployment', async () => {
    const service = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'my-nginx-svc', labels: { app: 'nginx' } }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }], selector: { app: 'nginx' } } });
    await ok(['apply', '-f', '-'], service);
    await ok(['apply', '-f', '-'], deployment('my-nginx', 3, 'nginx:1.14.2'));
    await ok(['rollout', 'status', 'deployment/my-nginx', '--timeout=90s'], undefined, 100_000);
    const endpoints = await waitFor('3 ready endpoints', async () => {
      const ep = await cluster.getJson<Json>(['endpoints', 'my-nginx-svc']);
      const addresses = (ep.subsets ?? []).flatMap((s: Json) => s.addresses ?? []);
      return addresses.length === 3 && addresses;
    });
    const podIps = (await cluster.getJson<{ items: Json[] }>(['pods', '-l', 'app=nginx'])).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.status.podIP).sort();
    assert.deepEqual(endpoints.map((a: Json) => a.ip).sort(), podIps);
    assert.match(await ok(['get', 'service', 'my-nginx-svc']), /my-nginx-svc\s+LoadBalancer\s+10\.43\.\d+\.\d+\s+<pending>\s+80:3\d{4}\/TCP/);
    await ok(['delete', 'deployment', 'my-nginx']);
    await ok(['delete', 'service', 'my-nginx-svc']);
  });

  test('the published manifests apply as they are', { skip: !existsSync(EXAMPLES) && 'reference examples absent' }, async () => {
    await ok(['apply', '-f', '-'], readFileSync(join(EXAMPLES, 'pods', 'commands.yaml'), 'utf8').replace('command-demo', 'command-demo-published'));
    await waitFor('published command-demo Succeeded', async () => (await pod('command-demo-published')).status?.phase === 'Succeeded', 'pod/command-demo-published');
    assert.equal(await ok(['logs', 'command-demo-published']), 'command-demo-published\ntcp://10.43.0.1:443\n');
  });
  test('the published probe and Job manifests behave as the docs describe', { skip: !existsSync(EXAMPLES) && 'reference examples absent' }, async () => {
    for (const file of [['pods', 'probe', 'http-liveness.yaml'], ['pods', 'probe', 'tcp-liveness-readiness.yaml'], ['controllers', 'job.yaml']]) {
      await ok(['apply', '-f', '-'], readFileSync(join(EXAMPLES, ...file), 'utf8'));
    }
    const eventsOf = async (name: string): Promise<Json[]> => JSON.parse(await ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])).items;
    await Promise.all([
      // Configure Liveness, Readiness and Startup Probes: /healthz fails after 10 s, the kubelet restarts the container.
      (async () => {
        await waitFor('liveness-http restarted', async () => ((await pod('liveness-http')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'pod/liveness-http');
        const events = await eventsOf('liveness-http');
        assert.ok(events.some((e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: HTTP probe failed with statuscode: 500'), JSON.stringify(events.map((e) => e.message)));
        assert.ok(events.some((e) => e.reason === 'Killing' && e.message === 'Container liveness failed liveness probe, will be restarted'), JSON.stringify(events.map((e) => e.message)));
      })(),
      // A TCP readiness probe: Ready once port 8080 accepts, not before initialDelaySeconds (15 s).
      (async () => {
        const ready = await waitFor('goproxy Ready', async () => {
          const p = await pod('goproxy');
          return p.status?.conditions?.find((c: Json) => c.type === 'Ready' && c.status === 'True') && p;
        }, 'pod/goproxy');
        const startedAt = Date.parse(ready.status.containerStatuses[0].state.running.startedAt);
        const readyAt = Date.parse(ready.status.conditions.find((c: Json) => c.type === 'Ready').lastTransitionTime);
        assert.ok(readyAt - startedAt >= 14_000, `Ready ${readyAt - startedAt} ms after the start`);
      })(),
      // Jobs: the pi Job completes and its pod's log has the digits.
      (async () => {
        await waitFor('job pi Complete', async () => JSON.parse(await ok(['get', 'job', 'pi', '-o', 'json'])).status?.conditions?.some((c: Json) => c.type === 'Complete' && c.status === 'True'), 'job/pi');
        assert.match(await ok(['logs', 'job/pi']), /^3\.14159265358979/);
        assert.match(await ok(['get', 'job', 'pi']), /pi\s+Complete\s+1\/1/);
      })(),
    ]);
  });
});
