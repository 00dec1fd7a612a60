// End to end: what a pod's spec asks of the container, checked from inside real containers (crun
// under conmon) with the real kubectl: security contexts (user and group, read-only root,
// capabilities, privileged), host and shared PID namespaces, a startup probe, and the volume kinds (emptyDir
// in memory with a size limit, hostPath types, configMap items and modes, downwardAPI, projected).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantityMilliValue } from '../../src/machinery/validation/quantity.js';
import { eventually } from '../support/cluster.js';
import { nodeClusterSkipReason, startNodeCluster, type NodeCluster } from '../support/node-cluster.js';

type Json = Record<string, any>;
const skip = nodeClusterSkipReason();

/** Effective capability set of the exec'd process, as a bigint. */
const capEff = (status: string): bigint => BigInt(`0x${/^CapEff:\s+([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`);
const CAP_NET_ADMIN = 12n;
const cmdline = (pid: string): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
};
const CAP_SYS_ADMIN = 21n;

describe('pod spec features in real containers', { skip }, () => {
  let cluster: NodeCluster;
  let hostDir: string;

  before(async () => {
    cluster = await startNodeCluster();
    hostDir = mkdtempSync(join(tmpdir(), 'kjb-hostpath-'));
  });

  after(async () => {
    await cluster?.stop();
    if (hostDir) rmSync(hostDir, { recursive: true, force: true });
  });

  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cluster.kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const sh = (pod: string, container: string, script: string) => cluster.kubectl(['exec', pod, '-c', container, '--', 'sh', '-c', script]);
  /** Applies a Pod named `name` with `spec` (a short grace period unless the spec sets one). */
  const applyPod = (name: string, spec: Json): Promise<string> =>
    ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, ...spec } }));
  const sleeper = (name = 'main', extra: Json = {}): Json => ({ name, image: cluster.busybox, command: ['sleep', '3600'], ...extra });
  const running = (name: string): Promise<Json> =>
    eventually(async () => {
      const p = await cluster.getJson<Json>(['pod', name]);
      return p.status?.phase === 'Running' && p.status.containerStatuses?.every((c: Json) => c.state?.running) ? p : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300, message: `${name} Running\n${cluster.logs().slice(-3000)}` });

  test('security contexts and a startup probe', async () => {
    await applyPod('secure', {
      containers: [
        sleeper('limited', {
          securityContext: { runAsUser: 1000, runAsGroup: 3000, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          startupProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
        }),
        sleeper('netadmin', { command: ['sleep', '3601'], securityContext: { capabilities: { add: ['NET_ADMIN'] } } }),
        sleeper('privileged', { command: ['sleep', '3602'], securityContext: { privileged: true } }),
      ],
    });
    const pod = await running('secure');
    const limited = pod.status.containerStatuses.find((c: Json) => c.name === 'limited');
    assert.equal(limited.started, true, 'the startup probe passed');

    assert.equal((await sh('secure', 'limited', 'id -u; id -g')).stdout, '1000\n3000\n');
    const write = await sh('secure', 'limited', 'touch /probe-file');
    assert.notEqual(write.code, 0);
    assert.match(write.stderr + write.stdout, /Read-only file system/);
    // Each container has its own PID namespace unless the pod shares one (next test).
    assert.doesNotMatch((await sh('secure', 'limited', 'ps -o args')).stdout, /sleep 3601/);

    assert.equal(capEff((await sh('secure', 'limited', 'cat /proc/self/status')).stdout), 0n);
    const netadmin = capEff((await sh('secure', 'netadmin', 'cat /proc/self/status')).stdout);
    assert.equal((netadmin >> CAP_NET_ADMIN) & 1n, 1n, 'NET_ADMIN added');
    assert.equal((netadmin >> CAP_SYS_ADMIN) & 1n, 0n, 'no SYS_ADMIN without privileged');
    const privileged = capEff((await sh('secure', 'privileged', 'cat /proc/self/status')).stdout);
    assert.equal((privileged >> CAP_SYS_ADMIN) & 1n, 1n, 'privileged has every capability');
    // NET_ADMIN may change the pod's network (its own lo); without capabilities that is refused.
    const mtu = await sh('secure', 'netadmin', 'ip link set lo mtu 65000 && cat /sys/class/net/lo/mtu');
    assert.equal(mtu.stdout, '65000\n', mtu.stderr);
    const refused = await sh('secure', 'limited', 'ip link set lo mtu 60000');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /not permitted/i);
  });

  test('shareProcessNamespace: the containers see each other\'s processes; a SIGTERM is no longer ignored as PID 1', async () => {
    // The default 30 s grace period: deletion below must not need it.
    await applyPod('shared-pid', { terminationGracePeriodSeconds: 30, shareProcessNamespace: true, containers: [sleeper('a'), sleeper('b', { command: ['sleep', '3601'] })] });
    await running('shared-pid');
    const ps = (await sh('shared-pid', 'a', 'ps -o pid,args')).stdout;
    assert.match(ps, /sleep 3600/);
    assert.match(ps, /sleep 3601/);
    // PID 1 is the pod's holder, not a container's process, and it reaps orphans.
    assert.doesNotMatch(ps, /^\s*1 sleep/m, ps);
    assert.equal((await sh('shared-pid', 'a', 'sh -c "sleep 0.2 &"; sleep 1; ps -o stat,args | grep -c "^Z" || true')).stdout.trim(), '0');
    // One IPC namespace for the pod's containers.
    const ipc = async (c: string) => (await sh('shared-pid', c, 'readlink /proc/self/ns/ipc')).stdout;
    assert.equal(await ipc('a'), await ipc('b'));
    const uid = (await cluster.getJson<Json>(['pod', 'shared-pid'])).metadata.uid as string;
    const holder = `${uid.replace(/-/g, '').slice(0, 16)}_POD_0`;
    // So sleep gets SIGTERM's default action: deletion does not wait for the 30 s grace period.
    const started = Date.now();
    await ok(['delete', 'pod', 'shared-pid', '--wait=true']);
    assert.ok(Date.now() - started < 20_000, `deleted in ${Date.now() - started} ms`);
    // The holder goes with the pod.
    await eventually(async () => !readdirSync('/proc').some((pid) => /^\d+$/.test(pid) && cmdline(pid).includes(holder)) || undefined, { timeoutMs: 20_000, intervalMs: 200, message: `conmon of ${holder} gone` });
  });

  test('safe sysctls are set in the pod\'s namespaces; a pod with unsafe ones fails; root under runAsNonRoot is refused', async () => {
    await applyPod('sysctl-safe', { securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }] }, containers: [sleeper()] });
    await applyPod('sysctl-unsafe', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '65536' }] }, containers: [sleeper()] });
    await applyPod('nonroot-root', { containers: [sleeper('main', { securityContext: { runAsNonRoot: true } })] });
    await applyPod('nonroot-ok', { securityContext: { runAsNonRoot: true, runAsUser: 1000 }, containers: [sleeper()] });

    await running('sysctl-safe');
    assert.equal((await sh('sysctl-safe', 'main', 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start')).stdout, '80\n');
    const refused = async (name: string): Promise<Json> =>
      eventually(async () => {
        const waiting = (await cluster.getJson<Json>(['pod', name])).status?.containerStatuses?.[0]?.state?.waiting;
        return waiting?.reason === 'CreateContainerConfigError' ? waiting : undefined;
      }, { timeoutMs: 60_000, intervalMs: 300, message: `${name} CreateContainerConfigError` });
    // As the kubelet's admission: the pod fails without starting anything.
    const forbidden = await eventually(async () => {
      const p = await cluster.getJson<Json>(['pod', 'sysctl-unsafe']);
      return p.status?.phase === 'Failed' ? p : undefined;
    }, { timeoutMs: 30_000, intervalMs: 300, message: 'sysctl-unsafe Failed' });
    assert.deepEqual([forbidden.status.reason, forbidden.status.message], ['SysctlForbidden', 'Pod was rejected: Pod forbidden sysctl: "kernel.msgmax" not allowlisted']);
    assert.match((await refused('nonroot-root')).message, /^container has runAsNonRoot and image will run as root \(pod: "nonroot-root_default\(/);
    await running('nonroot-ok');
    assert.equal((await sh('nonroot-ok', 'main', 'id -u')).stdout, '1000\n');
  });

  test('admission: a pod bound by hand that does not fit this node fails with the kubelet\'s reason and starts nothing', async () => {
    const node = await eventually(async () => (await cluster.getJson<Json>(['nodes'])).items[0] as Json | undefined, { timeoutMs: 30_000, intervalMs: 200, message: 'the node registered' });
    const nodeName = node.metadata.name as string;
    const boundPod = (name: string, spec: Json) => applyPod(name, { nodeName, containers: [sleeper()], ...spec });
    const failed = (name: string): Promise<Json> =>
      eventually(async () => {
        const p = await cluster.getJson<Json>(['pod', name]);
        return p.status?.phase === 'Failed' ? p : undefined;
      }, { timeoutMs: 30_000, intervalMs: 300, message: `${name} Failed` });
    const withPort = (port: number) => [sleeper('main', { ports: [{ containerPort: 80, hostPort: port }] })];

    await boundPod('too-big', { containers: [sleeper('main', { resources: { requests: { cpu: '100' } } })] });
    await boundPod('wrong-node', { nodeSelector: { 'kubernetes.io/hostname': 'some-other-node' } });
    await boundPod('port-holder', { containers: withPort(18080) });
    await running('port-holder');
    await boundPod('port-clash', { containers: withPort(18080) });

    const allocatableMilli = quantityMilliValue(String(node.status.allocatable.cpu));
    const big = await failed('too-big');
    assert.equal(big.status.reason, 'OutOfcpu');
    assert.match(big.status.message, new RegExp(`^Pod was rejected: Node didn't have enough resource: cpu, requested: 100000, used: \\d+, capacity: ${allocatableMilli}$`));
    assert.equal(big.status.containerStatuses?.[0]?.state?.running, undefined, 'nothing started');
    const wrongNode = (await failed('wrong-node')).status;
    assert.deepEqual([wrongNode.reason, wrongNode.message], ['NodeAffinity', 'Pod was rejected: Predicate NodeAffinity failed']);
    assert.equal((await failed('port-clash')).status.reason, 'NodePorts');
    const events = await cluster.getJson<Json>(['events', '--field-selector', 'involvedObject.name=too-big']);
    assert.ok(events.items.some((e: Json) => e.reason === 'OutOfcpu' && e.type === 'Warning' && /^Node didn't have enough resource: cpu/.test(e.message)), JSON.stringify(events.items.map((e: Json) => e.reason)));
    // The holder keeps running, and once it is gone its port is free for a new pod.
    await running('port-holder');
    await ok(['delete', 'pod', 'port-holder', '--wait=true']);
    await boundPod('port-reuse', { containers: withPort(18080) });
    await running('port-reuse');
    await ok(['delete', 'pod', 'too-big', 'wrong-node', 'port-clash', 'port-reuse', '--wait=true']);
  });

  test('activeDeadlineSeconds fails the pod; readiness gates hold Ready until their conditions are True', async () => {
    await applyPod('deadline', { activeDeadlineSeconds: 3, containers: [sleeper()] });
    await applyPod('gated', { readinessGates: [{ conditionType: 'example.com/ready' }], containers: [sleeper()] });

    const failed = await eventually(async () => {
      const p = await cluster.getJson<Json>(['pod', 'deadline']);
      return p.status?.phase === 'Failed' ? p : undefined;
    }, { timeoutMs: 30_000, intervalMs: 300, message: 'deadline pod Failed' });
    assert.equal(failed.status.reason, 'DeadlineExceeded');
    assert.equal(failed.status.message, 'Pod was active on the node longer than the specified deadline');
    assert.ok(failed.status.containerStatuses[0].state.terminated, 'its container was stopped');

    const gated = await running('gated');
    const ready = (p: Json) => p.status.conditions.find((c: Json) => c.type === 'Ready');
    assert.deepEqual([ready(gated).status, ready(gated).reason], ['False', 'ReadinessGatesNotReady']);
    // What a load balancer controller would do: set the gate's condition in the pod's status.
    await ok(['patch', 'pod', 'gated', '--subresource=status', '--type=strategic', '-p', JSON.stringify({ status: { conditions: [{ type: 'example.com/ready', status: 'True' }] } })]);
    await eventually(async () => ready(await cluster.getJson<Json>(['pod', 'gated'])).status === 'True' || undefined, { timeoutMs: 20_000, intervalMs: 300, message: 'gated Ready' });
  });

  test('hostPID and hostIPC: the node\'s PID and IPC namespaces', async () => {
    await applyPod('host-ns', { hostPID: true, hostIPC: true, containers: [sleeper('a')] });
    await running('host-ns');
    const inside = (await sh('host-ns', 'a', 'readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc')).stdout.trim().split('\n');
    assert.deepEqual(inside, [readlinkSync('/proc/self/ns/pid'), readlinkSync('/proc/self/ns/ipc')]);
    // Without them a container has namespaces of its own.
    const own = (await sh('secure', 'limited', 'readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc')).stdout.trim().split('\n');
    assert.notEqual(own[0], inside[0]);
    assert.notEqual(own[1], inside[1]);
  });

  test('volumes: emptyDir in memory with a size limit, hostPath types, configMap items and modes, downwardAPI, projected', async () => {
    const created = join(hostDir, 'made-by-agent');
    await ok(['apply', '-f', '-'], [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { 'app.conf': 'color=blue\n', other: 'x' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { token: 's3cret' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'volumes', labels: { tier: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'main',
            image: cluster.busybox,
            command: ['sleep', '3600'],
            volumeMounts: [
              { name: 'mem', mountPath: '/mem' },
              { name: 'host', mountPath: '/host' },
              { name: 'cfg', mountPath: '/cfg' },
              { name: 'info', mountPath: '/info' },
              { name: 'all', mountPath: '/all' },
            ],
          }],
          volumes: [
            { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
            { name: 'host', hostPath: { path: created, type: 'DirectoryOrCreate' } },
            { name: 'cfg', configMap: { name: 'settings', defaultMode: 0o644, items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o400 }] } },
            { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
            {
              name: 'all',
              projected: {
                sources: [
                  { secret: { name: 'creds' } },
                  { configMap: { name: 'settings', items: [{ key: 'other', path: 'other' }] } },
                  { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
                ],
              },
            },
          ],
        },
      },
    ].map((o) => JSON.stringify(o)).join('\n'));
    await running('volumes');

    const mem = await sh('volumes', 'main', 'grep " /mem " /proc/mounts; dd if=/dev/zero of=/mem/big bs=1024 count=2048 2>&1; echo status=$?');
    assert.match(mem.stdout, /^tmpfs \/mem tmpfs .*size=1024k/m, mem.stdout);
    assert.match(mem.stdout, /No space left on device/);

    assert.ok(existsSync(created) && statSync(created).isDirectory(), 'DirectoryOrCreate made the host directory');
    assert.equal((await sh('volumes', 'main', 'echo from-pod > /host/f && cat /host/f')).stdout, 'from-pod\n');

    assert.equal((await sh('volumes', 'main', 'cat /cfg/conf/app.conf; ls /cfg')).stdout, 'color=blue\nconf\n', 'only the listed item');
    assert.equal((await sh('volumes', 'main', 'stat -L -c %a /cfg/conf/app.conf')).stdout, '400\n');

    assert.equal((await sh('volumes', 'main', 'cat /info/labels')).stdout, 'tier="web"');

    assert.equal((await sh('volumes', 'main', 'cat /all/token; echo; cat /all/other; echo; cat /all/name')).stdout, 's3cret\nx\nvolumes');
    const write = await sh('volumes', 'main', 'touch /all/new');
    assert.notEqual(write.code, 0, 'projected volumes are read-only');
  });
});
