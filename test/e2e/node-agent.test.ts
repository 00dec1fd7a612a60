// The node agent end to end: the real server with its in-process agent, real crun/conmon
// containers with pod networking in a private node netns, busybox from a local registry, and the
// real kubectl. Cases go from the core path (Running + logs) outwards.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { eventually } from '../support/cluster.js';
import { nodeClusterSkipReason, startNodeCluster, type NodeCluster } from '../support/node-cluster.js';

const skip = nodeClusterSkipReason();

type Json = Record<string, any>;

function podYaml(name: string, image: string, spec: Json): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 2, ...spec, containers: spec.containers.map((c: Json) => ({ image, ...c })) } });
}

describe('node agent end to end', { skip }, () => {
  let cluster: NodeCluster;

  before(async () => {
    cluster = await startNodeCluster({ crashBackoffMs: 1000 });
  });

  after(async () => {
    await cluster?.stop();
  });

  const apply = async (yaml: string): Promise<void> => {
    const result = await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(result.code, 0, result.stderr);
  };

  const pod = (name: string): Promise<Json> => cluster.getJson<Json>(['pod', name]);

  /** Polls `fn`; on timeout the error shows the server log and `kubectl describe` of `describe` (e.g. `pod/x`). */
  const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, describe?: string): Promise<T> =>
    eventually(fn, { timeoutMs, intervalMs: 300, message: `${what}\n--- server log tail ---\n${cluster.logs().slice(-3000)}` }).catch(async (err: Error) => {
      if (!describe) throw err;
      const described = await cluster.kubectl(['describe', describe]);
      throw new Error(`${err.message}\n--- kubectl describe ${describe} ---\n${described.stdout}${described.stderr}`);
    });

  test('a busybox pod reaches Running and kubectl logs shows its output', async () => {
    await apply(podYaml('hello', cluster.busybox, { containers: [{ name: 'main', command: ['sh', '-c', 'echo hello; sleep 3600'] }] }));
    const running = await waitFor('pod hello Running', async () => {
      const p = await pod('hello');
      return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
    });
    assert.match(running.status.podIP, /^10\.42\.0\.\d+$/);
    assert.equal(running.status.hostIP, '127.0.0.1');
    assert.match(running.status.containerStatuses[0].containerID, /^crun:\/\//);
    assert.ok(running.status.conditions.some((c: Json) => c.type === 'Ready' && c.status === 'True'));
    const logs = await waitFor('logs show hello', async () => {
      const r = await cluster.kubectl(['logs', 'hello']);
      return r.code === 0 && r.stdout.includes('hello') ? r.stdout : undefined;
    });
    assert.equal(logs, 'hello\n');
    const node = await cluster.getJson<Json>(['node', 'node-1']);
    assert.equal(node.status.conditions.find((c: Json) => c.type === 'Ready').status, 'True');
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^crun:\/\//);
  });

  test('kubectl exec runs in the container (hostname is the pod name)', async () => {
    const r = await cluster.kubectl(['exec', 'hello', '--', 'cat', '/etc/hostname']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hello');
    const resolv = await cluster.kubectl(['exec', 'hello', '--', 'cat', '/etc/resolv.conf']);
    assert.match(resolv.stdout, /nameserver 10\.43\.0\.10/);
    assert.match(resolv.stdout, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
  });

  test('kubectl debug adds an ephemeral container that sees the target\'s processes; -i attaches to one', async () => {
    const debug = await cluster.kubectl(['debug', 'hello', `--image=${cluster.busybox}`, '-c', 'dbg', '--target=main', '--', 'ps', '-o', 'args']);
    assert.equal(debug.code, 0, debug.stderr);
    const status = await waitFor('dbg terminated', async () => {
      const s = (await pod('hello')).status?.ephemeralContainerStatuses?.find((c: Json) => c.name === 'dbg');
      return s?.state?.terminated && s;
    }, 60_000, 'pod/hello');
    assert.equal(status.state.terminated.exitCode, 0);
    assert.match((await cluster.kubectl(['logs', 'hello', '-c', 'dbg'])).stdout, /sleep 3600/, 'shares the target container\'s PID namespace');
    const attached = await cluster.kubectl(['debug', 'hello', '-i', `--image=${cluster.busybox}`, '-c', 'dbg2', '--', 'sh'], { input: 'echo hi from $(cat /etc/hostname); exit\n' });
    assert.equal(attached.code, 0, attached.stderr);
    assert.match(attached.stdout, /hi from hello/);
    const p = await pod('hello');
    assert.equal(p.status.phase, 'Running', 'ephemeral containers do not change the phase');
    assert.equal(p.status.containerStatuses[0].ready, true);
    // Existing ephemeral containers cannot be removed.
    const removal = await cluster.kubectl(['patch', 'pod', 'hello', '--subresource=ephemeralcontainers', '--type=json', '-p', '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]']);
    assert.match(removal.stderr, /existing ephemeral containers "dbg" may not be removed/);
  });

  test('containers get the service link variables (the API server\'s always, the namespace\'s unless disabled)', async () => {
    await apply(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'my-web' }, spec: { selector: { app: 'none' }, ports: [{ name: 'http', port: 8080 }] } }));
    const svc = await cluster.getJson<Json>(['service', 'my-web']);
    // As the docs' commands.yaml prints HOSTNAME and KUBERNETES_PORT (busybox has no printenv).
    await apply(podYaml('command-demo', cluster.busybox, { restartPolicy: 'OnFailure', containers: [{ name: 'command-demo-container', command: ['sh', '-c', 'echo "$HOSTNAME"; echo "$KUBERNETES_PORT"; echo "$MY_WEB_SERVICE_HOST"; echo "$MY_WEB_PORT_8080_TCP_PORT"'] }] }));
    await apply(podYaml('no-links', cluster.busybox, { enableServiceLinks: false, restartPolicy: 'Never', containers: [{ name: 'main', command: ['sh', '-c', 'echo "${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT} [${MY_WEB_SERVICE_HOST}]"'] }] }));
    await waitFor('command-demo Succeeded', async () => (await pod('command-demo')).status?.phase === 'Succeeded', 60_000, 'pod/command-demo');
    const logs = await cluster.kubectl(['logs', 'command-demo']);
    assert.equal(logs.stdout, `command-demo\ntcp://10.43.0.1:443\n${svc.spec.clusterIP}\n8080\n`, logs.stderr);
    await waitFor('no-links Succeeded', async () => (await pod('no-links')).status?.phase === 'Succeeded', 60_000, 'pod/no-links');
    assert.equal((await cluster.kubectl(['logs', 'no-links'])).stdout, '10.43.0.1:443 []\n');
    assert.equal((await cluster.kubectl(['delete', 'pod/command-demo', 'pod/no-links', 'service/my-web'])).code, 0);
  });

  test('a sync that changes nothing does not rewrite the pod record', async () => {
    const p = await pod('hello');
    const dir = join(cluster.dataDir, 'agent', 'pods', p.metadata.uid);
    // Two record slots written in turn (pod-record.ts): any write changes one of them.
    const records = (): string => ['state-a.json', 'state-b.json'].map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '')).join('\n');
    const before = records();
    assert.match(before, /"seq":\d+,"record":\{"uid":/);
    // Each annotation is a watch event, so a sync of the pod; its record stays as it was.
    for (let i = 0; i < 3; i++) assert.equal((await cluster.kubectl(['annotate', '--overwrite', 'pod', 'hello', `kijabi.test/touch=${i}`])).code, 0);
    await waitFor('the last annotation seen by a sync', async () => ((await pod('hello')).metadata.annotations?.['kijabi.test/touch'] === '2' ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(records(), before, 'the pod record was written again');
  });

  test('a later pod of an image writes nothing to its upper dir: the mount points come from a layer', async () => {
    const running: Json[] = [];
    for (const name of ['mp-1', 'mp-2']) {
      await apply(podYaml(name, cluster.busybox, { containers: [{ name: 'main', command: ['sleep', '3600'] }] }));
      running.push(await waitFor(`${name} Running`, async () => {
        const p = await pod(name);
        return p.status?.phase === 'Running' ? p : undefined;
      }));
    }
    // Before any exec: crun found /proc, /etc/hosts, the service account dir... and created nothing.
    const upper = join(cluster.dataDir, 'agent', 'pods', running[1]!.metadata.uid, 'containers', 'main-0', 'upper');
    assert.deepEqual(readdirSync(upper), []);
    const hostname = await cluster.kubectl(['exec', 'mp-2', '--', 'cat', '/etc/hostname']);
    assert.equal(hostname.stdout.trim(), 'mp-2', hostname.stderr);
    const sa = await cluster.kubectl(['exec', 'mp-2', '--', 'ls', '/var/run/secrets/kubernetes.io/serviceaccount']);
    assert.equal(sa.code, 0, sa.stderr);
    assert.match(sa.stdout, /token/);
    // The layer repeats /etc as the parent of the files it adds: the image's mode must show through.
    const etcMode = async (name: string): Promise<string> => {
      const r = await cluster.kubectl(['exec', name, '--', 'stat', '-c', '%a', '/etc']);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    const [first, second] = [await etcMode('mp-1'), await etcMode('mp-2')];
    assert.equal(second, first);
    const layers = join(cluster.dataDir, 'agent', 'images', 'layers');
    const imageModes = readdirSync(layers).map((l) => join(layers, l, 'etc')).filter((p) => existsSync(p)).map((p) => (statSync(p).mode & 0o7777).toString(8));
    assert.ok(imageModes.includes(second), `/etc is ${second} in the pod, ${imageModes.join(', ')} in the image`);
    await cluster.kubectl(['delete', 'pod', 'mp-1', 'mp-2', '--wait=false']);
  });

  test('kubectl port-forward reaches a port inside the pod netns', async () => {
    await apply(podYaml('web', cluster.busybox, { containers: [{ name: 'main', command: ['httpd', '-f', '-p', '8080', '-h', '/www'] }] }));
    await waitFor('web Running', async () => (await pod('web')).status?.phase === 'Running' || undefined);
    const pf = spawn('/usr/bin/kubectl', ['--kubeconfig', cluster.kubeconfig, 'port-forward', 'pod/web', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: cluster.dataDir } });
    try {
      let out = '';
      pf.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const localPort = await waitFor('port-forward listening', async () => /127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1]);
      const body = await new Promise<string>((resolve, reject) => {
        httpGet(`http://127.0.0.1:${localPort}/index.html`, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      assert.equal(body, 'hello from image layer 1\n');
    } finally {
      pf.kill('SIGTERM');
    }
  });

  test('env from a configMap and a secret', async () => {
    await cluster.kubectl(['create', 'configmap', 'cfg', '--from-literal=color=blue']);
    await cluster.kubectl(['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cret']);
    await apply(podYaml('envpod', cluster.busybox, {
      restartPolicy: 'Never',
      containers: [{
        name: 'main',
        command: ['sh', '-c', 'echo color=$COLOR password=$PASSWORD literal=$LITERAL'],
        env: [
          { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
          { name: 'LITERAL', value: 'x' },
        ],
      }],
    }));
    await waitFor('envpod Succeeded', async () => (await pod('envpod')).status?.phase === 'Succeeded');
    const r = await cluster.kubectl(['logs', 'envpod']);
    assert.equal(r.stdout, 'color=blue password=s3cret literal=x\n');
    const p = await pod('envpod');
    assert.equal(p.status.containerStatuses[0].state.terminated.reason, 'Completed');
  });

  test('a nonexistent image gives ErrImagePull then ImagePullBackOff with the registry message', async () => {
    await apply(podYaml('noimage', `${cluster.registry.host}/library/nope:1.0`, { containers: [{ name: 'main' }] }));
    const seen = new Set<string>();
    await waitFor('ImagePullBackOff', async () => {
      const w = (await pod('noimage')).status?.containerStatuses?.[0]?.state?.waiting;
      if (w) seen.add(w.reason);
      return w?.reason === 'ImagePullBackOff' ? w : undefined;
    });
    const w = (await pod('noimage')).status.containerStatuses[0].state.waiting;
    assert.match(w.message, /nope/);
    assert.match(w.message, /not found|unknown|MANIFEST_UNKNOWN|NAME_UNKNOWN/i);
  });

  test('a missing secret key gives CreateContainerConfigError', async () => {
    await apply(podYaml('badkey', cluster.busybox, {
      containers: [{ name: 'main', command: ['sleep', '3600'], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'missing' } } }] }],
    }));
    const w = await waitFor('CreateContainerConfigError', async () => {
      const waiting = (await pod('badkey')).status?.containerStatuses?.[0]?.state?.waiting;
      return waiting?.reason === 'CreateContainerConfigError' ? waiting : undefined;
    });
    assert.match(w.message, /missing/);
  });

  test('a failing liveness probe restarts the container', async () => {
    await apply(podYaml('live', cluster.busybox, {
      containers: [{ name: 'main', command: ['sh', '-c', 'touch /tmp/ok; sleep 3600'], livenessProbe: { exec: { command: ['cat', '/tmp/nothere'] }, periodSeconds: 1, failureThreshold: 1 } }],
    }));
    await waitFor('restartCount >= 1', async () => ((await pod('live')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 || undefined, 60_000);
  });

  test('kubectl logs --previous shows the attempt before a restart', async () => {
    // Each attempt prints its own start time, so the two logs can be told apart.
    await apply(podYaml('prev', cluster.busybox, {
      containers: [{ name: 'main', command: ['sh', '-c', 'echo "attempt started $(date +%s%N)"; sleep 1; exit 3'] }],
    }));
    await waitFor('restartCount >= 1', async () => ((await pod('prev')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 || undefined, 60_000);
    const previous = await waitFor('previous log', async () => {
      const r = await cluster.kubectl(['logs', 'prev', '--previous']);
      return r.code === 0 && /attempt started \d+/.test(r.stdout) ? r.stdout : undefined;
    });
    const current = await waitFor('current log', async () => {
      const r = await cluster.kubectl(['logs', 'prev']);
      return r.code === 0 && /attempt started \d+/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.notEqual(current.trim(), previous.trim(), 'the current attempt logs its own start');
    const status = (await pod('prev')).status.containerStatuses[0];
    assert.equal(status.lastState.terminated.exitCode, 3);
  });

  test('RuntimeDefault containers run under the seccomp filter, also when crun gets it precompiled', async () => {
    // The first container with the profile has crun compile it; later ones get the compiled program.
    const seccompOf = async (name: string, securityContext?: Json): Promise<string> => {
      await apply(podYaml(name, cluster.busybox, { ...(securityContext ? { securityContext } : {}), containers: [{ name: 'main', command: ['sleep', '3600'] }] }));
      await waitFor(`${name} Running`, async () => (await pod(name)).status?.phase === 'Running' || undefined);
      const r = await cluster.kubectl(['exec', name, '--', 'cat', '/proc/1/status']);
      assert.equal(r.code, 0, r.stderr);
      return /^Seccomp:\s+(\d)$/m.exec(r.stdout)?.[1] ?? 'missing';
    };
    for (const name of ['sec-a', 'sec-b']) assert.equal(await seccompOf(name, { seccompProfile: { type: 'RuntimeDefault' } }), '2', `${name} runs with a seccomp filter`);
    // Without a profile a pod is Unconfined, as Kubernetes' default is.
    assert.equal(await seccompOf('sec-none'), '0');
  });

  test('a readiness probe gates Ready', async () => {
    await apply(podYaml('ready', cluster.busybox, {
      containers: [{ name: 'main', command: ['sh', '-c', 'sleep 3; touch /tmp/ready; sleep 3600'], readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 } }],
    }));
    const notReady = await waitFor('Running but not ready', async () => {
      const p = await pod('ready');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(notReady.status.containerStatuses[0].ready, false);
    await waitFor('Ready', async () => (await pod('ready')).status?.containerStatuses?.[0]?.ready === true || undefined);
  });

  test('httpGet and tcpSocket probes on a named port reach the pod from the node network', async () => {
    // The cluster's pods live in a node netns the agent is not in: the probes must connect from there.
    await apply(podYaml('web-probed', cluster.busybox, {
      containers: [{
        name: 'main',
        command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/healthz && sleep 2 && httpd -f -p 8080 -h /www'],
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
        livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 4, periodSeconds: 1 },
      }],
    }));
    await waitFor('Ready through the named port', async () => (await pod('web-probed')).status?.containerStatuses?.[0]?.ready === true || undefined);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await pod('web-probed')).status.containerStatuses[0].restartCount, 0, 'the tcpSocket liveness probe passes');
  });

  test('postStart and preStop hooks run, exec and httpGet; a failing postStart restarts the container', async () => {
    // An observer logs the requests it gets; the hooks of the other pod call it.
    const paths = ['poststart-http', 'prestop-http', 'prestop-exec'];
    await apply(podYaml('hook-observer', cluster.busybox, {
      containers: [{ name: 'main', command: ['sh', '-c', `mkdir -p /www && for p in ${paths.join(' ')}; do echo ok > /www/$p; done && exec httpd -f -vv -p 8080 -h /www`] }],
    }));
    const observer = await waitFor('observer running', async () => {
      const p = await pod('hook-observer');
      return p.status?.phase === 'Running' && p.status.podIP ? (p.status.podIP as string) : undefined;
    });
    await apply(podYaml('hooked', cluster.busybox, {
      // sleep as PID 1 ignores SIGTERM: the pod goes when the grace period is over, hooks first.
      terminationGracePeriodSeconds: 3,
      containers: [
        { name: 'a', command: ['sleep', '3600'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo started > /tmp/poststart'] } }, preStop: { exec: { command: ['wget', '-q', '-O-', `http://${observer}:8080/prestop-exec`] } } } },
        { name: 'b', command: ['sleep', '3600'], lifecycle: { postStart: { httpGet: { host: observer, port: 8080, path: '/poststart-http' } }, preStop: { httpGet: { host: observer, port: 8080, path: '/prestop-http' } } } },
      ],
    }));
    await waitFor('hooked Running', async () => (await pod('hooked')).status?.phase === 'Running' || undefined);
    const exec = await cluster.kubectl(['exec', 'hooked', '-c', 'a', '--', 'cat', '/tmp/poststart']);
    assert.equal(exec.stdout, 'started\n', exec.stderr);
    const del = await cluster.kubectl(['delete', 'pod', 'hooked', '--wait=true'], { timeoutMs: 60_000 });
    assert.equal(del.code, 0, del.stderr);
    const logs = (await cluster.kubectl(['logs', 'hook-observer'])).stdout;
    for (const path of paths) assert.match(logs, new RegExp(`/${path}`), `the observer saw /${path}:\n${logs}`);

    await apply(podYaml('poststart-fails', cluster.busybox, {
      containers: [{ name: 'main', command: ['sleep', '3600'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 1'] } } } }],
    }));
    await waitFor('restarted after the failed hook', async () => ((await pod('poststart-fails')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 || undefined);
    const events = JSON.parse((await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=poststart-fails', '-o', 'json'])).stdout).items as Json[];
    assert.ok(events.some((e) => e.reason === 'FailedPostStartHook'), JSON.stringify(events.map((e) => `${e.reason}: ${e.message}`)));
  });

  test('a memory hog is OOMKilled with exit code 137', async () => {
    await apply(podYaml('oom', cluster.busybox, {
      restartPolicy: 'Never',
      containers: [{ name: 'main', command: ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=200M count=1'], resources: { limits: { memory: '64Mi' } } }],
    }));
    const t = await waitFor('terminated', async () => (await pod('oom')).status?.containerStatuses?.[0]?.state?.terminated);
    assert.equal(t.exitCode, 137);
    assert.equal(t.reason, 'OOMKilled');
  });

  test('an OOMKilled container is restarted with a growing CrashLoopBackOff', async () => {
    await apply(podYaml('oom-loop', cluster.busybox, {
      containers: [{ name: 'main', command: ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=200M count=1'], resources: { limits: { memory: '64Mi' } } }],
    }));
    // Record when each restart shows up, polling faster than the 1 s back-off base of this cluster.
    const seen: { count: number; at: number }[] = [];
    let sawBackOff = false;
    let lastReason: string | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (seen.at(-1)?.count ?? 0) < 4) {
      const status = (await pod('oom-loop')).status?.containerStatuses?.[0];
      const count = status?.restartCount ?? 0;
      if (status?.state?.waiting?.reason === 'CrashLoopBackOff') sawBackOff = true;
      if (status?.lastState?.terminated?.reason) lastReason = status.lastState.terminated.reason;
      if (count > (seen.at(-1)?.count ?? 0)) seen.push({ count, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(seen.length >= 4 && seen[3]!.count >= 4, `restarts seen: ${JSON.stringify(seen)}`);
    assert.equal(lastReason, 'OOMKilled');
    assert.ok(sawBackOff, 'the container waited in CrashLoopBackOff between restarts');
    // Base 1 s, cap 4 s in this cluster: the third wait (4 s) must clearly exceed the first (1 s).
    const first = seen[1]!.at - seen[0]!.at;
    const third = seen[3]!.at - seen[2]!.at;
    assert.ok(third > first * 1.5, `back-off grows: ${first} ms, then ${third} ms (restarts at ${JSON.stringify(seen.map((x) => [x.count, x.at - seen[0]!.at]))})`);
    await cluster.kubectl(['delete', 'pod', 'oom-loop', '--wait=false']);
  });

  test('a SIGTERM trap runs within the grace period', async () => {
    await apply(podYaml('trap', cluster.busybox, {
      terminationGracePeriodSeconds: 10,
      containers: [{ name: 'main', command: ['sh', '-c', "trap 'echo got-term; exit 0' TERM; echo started; while true; do sleep 0.2; done"] }],
    }));
    await waitFor('trap running', async () => (await pod('trap')).status?.phase === 'Running' || undefined);
    const uid = (await pod('trap')).metadata.uid;
    const logFile = join(cluster.dataDir, 'agent', 'pods', uid, 'logs', 'main', '0.log');
    await waitFor('started logged', async () => (await cluster.kubectl(['logs', 'trap'])).stdout.includes('started') || undefined);
    const started = Date.now();
    const r = await cluster.kubectl(['delete', 'pod', 'trap', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - started < 9000, `deletion took ${Date.now() - started} ms`);
    assert.ok(!existsSync(logFile), 'pod dir removed');
  });

  test('a configMap volume follows changes to the configMap', async () => {
    assert.equal((await cluster.kubectl(['create', 'configmap', 'volcfg', '--from-literal=key=one'])).code, 0);
    await apply(podYaml('cfgvol', cluster.busybox, {
      volumes: [{ name: 'cfg', configMap: { name: 'volcfg' } }],
      containers: [{ name: 'main', command: ['sleep', '3600'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] }],
    }));
    await waitFor('cfgvol Running', async () => (await pod('cfgvol')).status?.phase === 'Running' || undefined);
    const read = async () => (await cluster.kubectl(['exec', 'cfgvol', '--', 'cat', '/etc/cfg/key'])).stdout;
    assert.equal(await read(), 'one');
    const patched = await cluster.kubectl(['patch', 'configmap', 'volcfg', '-p', JSON.stringify({ data: { key: 'two' } })]);
    assert.equal(patched.code, 0, patched.stderr);
    await waitFor('new value in the volume', async () => (await read()) === 'two' || undefined, 60_000);
    await cluster.kubectl(['delete', 'pod', 'cfgvol', '--wait=false']);
  });

  test('a pod mounts a claim bound to a hostPath volume (the docs\' PersistentVolume walkthrough)', async () => {
    // The walkthrough's objects, with the volume's directory inside this cluster's data dir.
    const dataPath = join(cluster.dataDir, 'pv-data');
    mkdirSync(dataPath);
    writeFileSync(join(dataPath, 'index.html'), 'Hello from Kubernetes storage\n');
    await apply(JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'task-pv-volume', labels: { type: 'local' } }, spec: { storageClassName: 'manual', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: dataPath } } }));
    await apply(JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'task-pv-claim' }, spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '3Gi' } } } }));
    await apply(podYaml('task-pv-pod', cluster.busybox, {
      volumes: [{ name: 'task-pv-storage', persistentVolumeClaim: { claimName: 'task-pv-claim' } }],
      containers: [{ name: 'task-pv-container', command: ['sleep', '3600'], volumeMounts: [{ mountPath: '/usr/share/nginx/html', name: 'task-pv-storage' }] }],
    }));
    await waitFor('pod task-pv-pod Running', async () => (await pod('task-pv-pod')).status?.phase === 'Running', 60_000, 'pod,pvc,pv');
    const read = await cluster.kubectl(['exec', 'task-pv-pod', '--', 'cat', '/usr/share/nginx/html/index.html']);
    assert.equal(read.stdout, 'Hello from Kubernetes storage\n', read.stderr);
    const write = await cluster.kubectl(['exec', 'task-pv-pod', '--', 'sh', '-c', 'echo written in the pod > /usr/share/nginx/html/from-pod.txt']);
    assert.equal(write.code, 0, write.stderr);
    assert.equal(readFileSync(join(dataPath, 'from-pod.txt'), 'utf8'), 'written in the pod\n');
    assert.equal((await cluster.kubectl(['delete', 'pod', 'task-pv-pod', '--wait=true'])).code, 0);
  });

  test('a claim of the default local-path class gets a directory on the pod\'s node, removed with the claim', async () => {
    await apply(JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'local-data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }));
    await apply(podYaml('local-user', cluster.busybox, {
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'local-data' } }],
      containers: [{ name: 'main', command: ['sh', '-c', 'echo kept > /data/file; sleep 3600'], volumeMounts: [{ mountPath: '/data', name: 'data' }] }],
    }));
    await waitFor('pod local-user Running', async () => (await pod('local-user')).status?.phase === 'Running', 60_000, 'pod/local-user');
    const claim = await cluster.getJson<Json>(['pvc', 'local-data']);
    assert.equal(claim.spec.storageClassName, 'local-path');
    assert.equal(claim.status.phase, 'Bound');
    const volume = await cluster.getJson<Json>(['pv', claim.spec.volumeName]);
    assert.equal(volume.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'kijabi.io/local-path');
    const dir = volume.spec.hostPath.path as string;
    assert.ok(dir.startsWith(join(cluster.dataDir, 'agent', 'storage', `pvc-${claim.metadata.uid}_default_local-data`)), dir);
    await waitFor('file written in the volume', async () => existsSync(join(dir, 'file')) && readFileSync(join(dir, 'file'), 'utf8') === 'kept\n');
    assert.equal((await cluster.kubectl(['delete', 'pod', 'local-user', '--wait=true'])).code, 0);
    assert.equal((await cluster.kubectl(['delete', 'pvc', 'local-data', '--wait=true'])).code, 0);
    // Reclaim policy Delete: the volume goes, then the node removes its directory.
    await waitFor('volume and directory gone', async () => (await cluster.kubectl(['get', 'pv', claim.spec.volumeName])).code !== 0 && !existsSync(dir));
  });

  test('a hostPort reaches the container from the node address', async () => {
    await apply(podYaml('hostport', cluster.busybox, {
      containers: [{ name: 'main', command: ['httpd', '-f', '-p', '80', '-h', '/www'], ports: [{ containerPort: 80, hostPort: 18080 }] }],
    }));
    const running = await waitFor('hostport Running', async () => {
      const p = await pod('hostport');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const bridgeIp = String(running.status.podIP).replace(/\.\d+$/, '.1');
    const body = await waitFor('hostPort answers', async () => {
      try {
        return execFileSync('ip', ['netns', 'exec', cluster.netns.name, 'timeout', '5', 'busybox', 'wget', '-qO-', `http://${bridgeIp}:18080/index.html`]).toString();
      } catch {
        return undefined;
      }
    }, 30_000);
    assert.equal(body, 'hello from image layer 1\n');
    const r = await cluster.kubectl(['delete', 'pod', 'hostport', '--wait=true', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    const table = execFileSync('ip', ['netns', 'exec', cluster.netns.name, 'nft', 'list', 'ruleset']).toString();
    assert.doesNotMatch(table, /dport 18080/, 'mapping removed with the pod');
  });

  test('a hostNetwork pod runs in the node network namespace with the node name as hostname', async () => {
    await apply(podYaml('hostnet', cluster.busybox, { hostNetwork: true, containers: [{ name: 'main', command: ['sleep', '3600'] }] }));
    const running = await waitFor('hostnet Running', async () => {
      const p = await pod('hostnet');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(running.status.podIP, running.status.hostIP);
    const hostname = await cluster.kubectl(['exec', 'hostnet', '--', 'hostname']);
    assert.equal(hostname.stdout.trim(), 'node-1', hostname.stderr);
    const links = await cluster.kubectl(['exec', 'hostnet', '--', 'cat', '/proc/net/dev']);
    assert.match(links.stdout, /kjb0:/, 'sees the node bridge');
    assert.equal(execFileSync('ip', ['netns', 'list']).toString().includes(`kjb-${running.metadata.uid.slice(0, 12)}`), false, 'no pod netns');
    await cluster.kubectl(['delete', 'pod', 'hostnet', '--wait=false']);
  });

  test('a sidecar init container keeps running and counts for readiness', async () => {
    await apply(podYaml('sidecar', cluster.busybox, {
      initContainers: [{ name: 'side', image: cluster.busybox, restartPolicy: 'Always', command: ['sh', '-c', 'echo side > /shared/mark; sleep 3600'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [{ name: 'main', command: ['sh', '-c', 'cat /shared/mark; sleep 3600'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }],
    }));
    const ready = await waitFor('sidecar pod Ready', async () => {
      const p = await pod('sidecar');
      return p.status?.conditions?.find((c: Json) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    });
    assert.ok(ready.status.initContainerStatuses[0].state.running, 'sidecar still running');
    assert.equal(ready.status.initContainerStatuses[0].ready, true);
    assert.equal((await cluster.kubectl(['logs', 'sidecar', '-c', 'main'])).stdout, 'side\n');
    await cluster.kubectl(['delete', 'pod', 'sidecar', '--wait=false']);
  });

  test('a deleted pod shows its containers terminated before it disappears', async () => {
    await apply(podYaml('final', cluster.busybox, {
      terminationGracePeriodSeconds: 10,
      containers: [{ name: 'main', command: ['sh', '-c', "trap 'exit 0' TERM; echo trapped; while true; do sleep 0.2; done"] }],
    }));
    await waitFor('final Running', async () => (await pod('final')).status?.phase === 'Running' || undefined);
    // As PID 1 the shell ignores TERM until its trap is set.
    await waitFor('trap set', async () => (await cluster.kubectl(['logs', 'final'])).stdout.includes('trapped') || undefined);
    const watch = spawn('/usr/bin/kubectl', ['--kubeconfig', cluster.kubeconfig, 'get', 'pod', 'final', '-w', '--output-watch-events', '-o', 'jsonpath={.type} {.object.status.phase} {.object.status.containerStatuses[0].state.terminated.exitCode}{"\\n"}'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: cluster.dataDir } });
    let seen = '';
    watch.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      await waitFor('watch started', async () => seen.length > 0 || undefined, 10_000);
      const started = Date.now();
      const r = await cluster.kubectl(['delete', 'pod', 'final', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(Date.now() - started < 9000, `deletion took ${Date.now() - started} ms`);
      await waitFor('deletion seen by the watch', async () => seen.includes('DELETED') || undefined, 10_000);
      assert.match(seen, /MODIFIED Succeeded 0/, seen);
    } finally {
      watch.kill('SIGTERM');
    }
  });

  test('kubectl attach -i talks to the main process', async () => {
    await apply(podYaml('attach', cluster.busybox, { containers: [{ name: 'main', stdin: true, command: ['sh', '-c', 'while read line; do echo "got $line"; done'] }] }));
    await waitFor('attach Running', async () => (await pod('attach')).status?.phase === 'Running' || undefined);
    const attach = spawn('/usr/bin/kubectl', ['--kubeconfig', cluster.kubeconfig, 'attach', '-i', 'attach', '-c', 'main'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HOME: cluster.dataDir } });
    let out = '';
    attach.stdout.on('data', (d: Buffer) => (out += d.toString()));
    attach.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      // Keep writing until the session is up (input sent before it is lost, as with the kubelet).
      await waitFor('echo through attach', async () => {
        attach.stdin.write('hello\n');
        await new Promise((r) => setTimeout(r, 300));
        return out.includes('got hello') || undefined;
      }, 20_000);
    } finally {
      attach.kill('SIGTERM');
    }
    await cluster.kubectl(['delete', 'pod', 'attach', '--wait=false']);
  });

  test('the agent survives kill -9: containers keep running and are re-adopted', async () => {
    const before = await pod('hello');
    const id = before.status.containerStatuses[0].containerID;
    await cluster.kill9();
    await cluster.restart();
    await waitFor('pod still Running with the same container', async () => {
      const p = await pod('hello');
      return p.status?.containerStatuses?.[0]?.containerID === id && p.status.phase === 'Running' ? p : undefined;
    });
    // The restarted agent serves exec once it has listed its pods again.
    await waitFor('exec after restart', async () => (await cluster.kubectl(['exec', 'hello', '--', 'echo', 'still-here'])).stdout.trim() === 'still-here' || undefined);
    assert.equal((await pod('hello')).status.containerStatuses[0].restartCount, 0);
  });

  test('deleting 50 pods leaves no netns, veth, mount, cgroup, conmon or state dir', async () => {
    const docs = Array.from({ length: 50 }, (_, i) => stringify(JSON.parse(podYaml(`many-${i}`, cluster.busybox, { containers: [{ name: 'main', command: ['sleep', '3600'] }] }))));
    await apply(docs.join('---\n'));
    await waitFor('50 pods Running', async () => {
      const list = await cluster.getJson<Json>(['pods']);
      return list.items.filter((p: Json) => p.metadata.name.startsWith('many-') && p.status?.phase === 'Running').length === 50 || undefined;
    }, 180_000);
    const uids: string[] = (await cluster.getJson<Json>(['pods'])).items.map((p: Json) => p.metadata.uid);
    const r = await cluster.kubectl(['delete', 'pods', '--all', '--grace-period=1', '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(r.code, 0, r.stderr);
    const agentDir = join(cluster.dataDir, 'agent');
    const ourNetns = new Set(uids.map((uid) => `kjb-${uid.slice(0, 12)}`));
    await waitFor('everything gone', async () => {
      const netns = execFileSync('ip', ['netns', 'list']).toString().split('\n').map((l) => l.split(' ')[0]!).filter((n) => ourNetns.has(n));
      const veths = execFileSync('ip', ['netns', 'exec', cluster.netns.name, 'ip', '-o', 'link']).toString().split('\n').filter((l) => / kjv/.test(l));
      // The agent's run dir tmpfs stays (it belongs to the node, not to a pod); nothing else may.
      const runDir = join(agentDir, 'run');
      const mounts = execFileSync('cat', ['/proc/self/mountinfo']).toString().split('\n').filter((l) => l.includes(agentDir) && l.split(' ')[4] !== runDir);
      const cgroups = uids.filter((uid) => existsSync(`/sys/fs/cgroup/memory/kijabi/pod${uid}`) || existsSync(`/sys/fs/cgroup/pids/kijabi/pod${uid}`));
      const conmons = execFileSync('sh', ['-c', 'pgrep -a conmon || true']).toString().split('\n').filter((l) => l.includes(agentDir));
      const pods = existsSync(join(agentDir, 'pods')) ? readdirSync(join(agentDir, 'pods')) : [];
      const listed = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
      const containers = [...listed(join(runDir, 'containers')), ...listed(join(runDir, 'crun')), ...listed(join(runDir, 'exits'))];
      const runPods = listed(join(runDir, 'pods'));
      // Deleted pods' dirs kept for reuse (spare-dirs.ts) must be empty skeletons.
      const spareDir = join(agentDir, 'spare-pods');
      const emptyFile = (path: string): boolean => statSync(path).size === 0;
      const dirtySpares = listed(spareDir).filter((spare) => {
        const root = join(spareDir, spare);
        const upper = join(root, 'containers', '.spare', 'upper');
        const logs = join(root, 'logs', '.spare');
        const strayEntry = listed(root).some((n) => !['containers', 'logs', 'state-a.json', 'state-b.json'].includes(n) || (n.endsWith('.json') && !emptyFile(join(root, n))));
        const strayLog = listed(logs).some((n) => n !== '0.log' || !emptyFile(join(logs, n)));
        return strayEntry || strayLog || listed(upper).length > 0;
      });
      const left = { netns, veths, mounts, cgroups, conmons, pods, runPods, containers, dirtySpares };
      return Object.values(left).every((v) => v.length === 0) ? true : (console.log(JSON.stringify(left).slice(0, 500)), undefined);
    }, 60_000);
  });

  test('a new pod takes over a deleted pod\'s dirs (the spares): its writable layer is a spare\'s', async () => {
    const spareDir = join(cluster.dataDir, 'agent', 'spare-pods');
    const spareUppers = new Set(readdirSync(spareDir).map((s) => join(spareDir, s, 'containers', '.spare', 'upper')).filter((u) => existsSync(u)).map((u) => statSync(u).ino));
    assert.ok(spareUppers.size > 0, 'the deleted pods left spares');
    const sparesBefore = readdirSync(spareDir).length;
    await apply(podYaml('reuser', cluster.busybox, { containers: [{ name: 'app', command: ['sleep', '3600'] }] }));
    const running = await waitFor('reuser Running', async () => {
      const p = await pod('reuser');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(readdirSync(spareDir).length, sparesBefore - 1);
    const podDir = join(cluster.dataDir, 'agent', 'pods', running.metadata.uid);
    assert.ok(spareUppers.has(statSync(join(podDir, 'containers', 'app-0', 'upper')).ino), 'the upper dir was renamed from a spare, not made anew');
    assert.ok(existsSync(join(podDir, 'logs', 'app', '0.log')));
    const listing = await cluster.kubectl(['exec', 'reuser', '--', 'ls', '/']);
    assert.equal(listing.code, 0, listing.stderr);
  });
});
