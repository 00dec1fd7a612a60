import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import type { ObjectSource } from './object-source.js';
import { containerMounts, VolumeManager } from './volume-manager.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function world(hostDir: string) {
  const configMaps = new Map<string, KubeObject>([
    ['default/cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v1', other: 'o' }, binaryData: { bin: b64('\u0000\u0001') } }],
  ]);
  const secrets = new Map<string, KubeObject>([['default/s', { metadata: { name: 's' }, data: { token: b64('t0k') } }]]);
  const claims = new Map<string, KubeObject>([
    ['default/bound', { metadata: { name: 'bound' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } }],
    ['default/pending', { metadata: { name: 'pending' }, spec: {}, status: { phase: 'Pending' } }],
  ]);
  const volumes = new Map<string, KubeObject>([['pv1', { metadata: { name: 'pv1' }, spec: { hostPath: { path: join(hostDir, 'pv1'), type: 'DirectoryOrCreate' } } }]]);
  const source: ObjectSource = {
    getConfigMap: async (ns, name) => configMaps.get(`${ns}/${name}`),
    getSecret: async (ns, name) => secrets.get(`${ns}/${name}`),
    getPersistentVolumeClaim: async (ns, name) => claims.get(`${ns}/${name}`),
    getPersistentVolume: async (name) => volumes.get(name),
    requestServiceAccountToken: async (ns, sa, request) => ({
      metadata: {},
      status: { token: `jwt-for-${ns}/${sa}-${String((request.spec as { expirationSeconds?: number }).expirationSeconds)}`, expirationTimestamp: new Date(Date.now() + 3600_000).toISOString() },
    }),
  };
  return { configMaps, secrets, source };
}

function podWith(volumes: unknown[], uid = 'uid-1'): KubeObject {
  return { metadata: { name: 'p', namespace: 'default', uid, labels: { app: 'x' } }, spec: { containers: [{ name: 'c' }], volumes } };
}

test('setup, refresh and teardown of every supported volume type', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kjb-vm-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const hostDir = join(root, 'host');
  mkdirSync(hostDir);
  const { configMaps, source } = world(hostDir);
  const warnings: string[] = [];
  const log = { debug() {}, info() {}, warn: (msg: string) => void warnings.push(msg), error() {}, with() { return log; } };
  const manager = new VolumeManager({ podsDir: join(root, 'pods'), source, log });
  const pod = podWith([
    { name: 'scratch', emptyDir: {} },
    { name: 'host', hostPath: { path: hostDir, type: 'Directory' } },
    { name: 'cfg', configMap: { name: 'cfg' } },
    { name: 'cfg-items', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o400 }], defaultMode: 0o440 } },
    { name: 'sec', secret: { secretName: 's' } },
    { name: 'opt', configMap: { name: 'absent', optional: true } },
    { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    { name: 'proj', projected: { sources: [
      { configMap: { name: 'cfg', items: [{ key: 'other', path: 'other' }] } },
      { secret: { name: 's' } },
      { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
      { serviceAccountToken: { path: 'token-sa', expirationSeconds: 3600 } },
    ] } },
    { name: 'data', persistentVolumeClaim: { claimName: 'bound' } },
  ]);
  const paths = await manager.setup(pod);
  const volRoot = join(root, 'pods', 'uid-1', 'volumes');
  assert.equal(paths.get('scratch'), join(volRoot, 'kubernetes.io~empty-dir', 'scratch'));
  assert.equal(paths.get('host'), hostDir);
  assert.equal(paths.get('data'), join(hostDir, 'pv1'));
  assert.ok(statSync(join(hostDir, 'pv1')).isDirectory());
  const cfg = paths.get('cfg')!;
  assert.equal(cfg, join(volRoot, 'kubernetes.io~configmap', 'cfg'));
  assert.equal(readFileSync(join(cfg, 'app.conf'), 'utf8'), 'v1');
  assert.deepEqual([...readFileSync(join(cfg, 'bin'))], [0, 1]);
  assert.equal(statSync(join(cfg, 'app.conf')).mode & 0o777, 0o644);
  assert.equal(readFileSync(join(paths.get('cfg-items')!, 'conf/app.conf'), 'utf8'), 'v1');
  assert.equal(statSync(join(paths.get('cfg-items')!, 'conf/app.conf')).mode & 0o777, 0o400);
  assert.equal(existsSync(join(paths.get('cfg-items')!, 'other')), false);
  assert.equal(readFileSync(join(paths.get('sec')!, 'token'), 'utf8'), 't0k');
  assert.equal(statSync(join(paths.get('sec')!, 'token')).mode & 0o777, 0o644);
  assert.ok(existsSync(join(paths.get('opt')!, '..data')));
  assert.equal(readFileSync(join(paths.get('info')!, 'labels'), 'utf8'), 'app="x"');
  const proj = paths.get('proj')!;
  assert.deepEqual(['other', 'token', 'ns'].map((f) => readFileSync(join(proj, f), 'utf8')), ['o', 't0k', 'default']);
  assert.equal(readFileSync(join(proj, 'token-sa'), 'utf8'), 'jwt-for-default/default-3600', 'the token the API issued for the pod');
  assert.deepEqual(warnings, []);

  // Idempotent, and refresh picks up a changed ConfigMap in place.
  const before = readlinkSync(join(cfg, '..data'));
  await manager.setup(pod);
  assert.equal(readlinkSync(join(cfg, '..data')), before);
  configMaps.set('default/cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v2' } });
  await manager.refresh(pod);
  assert.notEqual(readlinkSync(join(cfg, '..data')), before);
  assert.equal(readFileSync(join(cfg, 'app.conf'), 'utf8'), 'v2');
  assert.equal(existsSync(join(cfg, 'other')), false);
  // A ConfigMap deleted while the pod runs keeps the old content (logged).
  configMaps.delete('default/cfg');
  await manager.refresh(pod);
  assert.equal(readFileSync(join(cfg, 'app.conf'), 'utf8'), 'v2');

  await manager.teardown('uid-1');
  await manager.teardown('uid-1');
  assert.equal(existsSync(volRoot), false);
  assert.ok(existsSync(hostDir), 'hostPath content is never removed');
});

test('setup failures are FailedMount with the kubelet wording', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kjb-vm-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const { source } = world(root);
  const manager = new VolumeManager({ podsDir: join(root, 'pods'), source });
  const cases: [unknown, string][] = [
    [{ name: 'v', configMap: { name: 'x' } }, 'configmap "x" not found'],
    [{ name: 'v', secret: { secretName: 'x' } }, 'secret "x" not found'],
    [{ name: 'v', configMap: { name: 'cfg', items: [{ key: 'nope', path: 'n' }] } }, 'configmap references non-existent config key: nope'],
    [{ name: 'v', secret: { secretName: 's', items: [{ key: 'nope', path: 'n' }] } }, 'references non-existent secret key: nope'],
    [{ name: 'v', persistentVolumeClaim: { claimName: 'pending' } }, 'persistentvolumeclaim "pending" is not bound'],
    [{ name: 'v', persistentVolumeClaim: { claimName: 'gone' } }, 'persistentvolumeclaim "gone" not found'],
    [{ name: 'v', hostPath: { path: join(root, 'nope'), type: 'Directory' } }, `hostPath type check failed: ${join(root, 'nope')} is not a directory`],
    [{ name: 'v', nfs: { server: 'x', path: '/' } }, 'volume type nfs is not supported by this node'],
  ];
  for (const [volume, cause] of cases) {
    await assert.rejects(manager.setup(podWith([volume], 'uid-f')), (err: Error & { reason?: string }) => {
      assert.equal(err.reason, 'FailedMount');
      assert.equal(err.message, `MountVolume.SetUp failed for volume "v" : ${cause}`);
      return true;
    });
  }
  await manager.teardown('uid-f');
});

test('containerMounts: bind options, read-only API volumes, subPath', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kjb-cm-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const scratch = join(root, 'scratch');
  const cfg = join(root, 'cfg');
  mkdirSync(scratch);
  mkdirSync(cfg);
  writeFileSync(join(cfg, 'f'), 'x');
  symlinkSync('/etc', join(scratch, 'escape'));
  const pod = podWith([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }]);
  const paths = new Map([['scratch', scratch], ['cfg', cfg]]);
  const mounts = containerMounts(pod, { name: 'c', volumeMounts: [
    { name: 'scratch', mountPath: '/data' },
    { name: 'scratch', mountPath: '/ro', readOnly: true },
    { name: 'cfg', mountPath: '/etc/app' },
    { name: 'cfg', mountPath: '/etc/f', subPath: 'f' },
    { name: 'scratch', mountPath: '/logs', subPath: 'logs/app' },
    { name: 'scratch', mountPath: '/pod', subPathExpr: 'pods/$(POD_NAME)' },
  ] }, paths, ['POD_NAME=p']);
  assert.deepEqual(mounts, [
    { destination: '/data', type: 'bind', source: scratch, options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/ro', type: 'bind', source: scratch, options: ['rbind', 'rprivate', 'ro'] },
    { destination: '/etc/app', type: 'bind', source: cfg, options: ['rbind', 'rprivate', 'ro'] },
    { destination: '/etc/f', type: 'bind', source: join(cfg, 'f'), options: ['rbind', 'rprivate', 'ro'] },
    { destination: '/logs', type: 'bind', source: join(scratch, 'logs/app'), options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/pod', type: 'bind', source: join(scratch, 'pods/p'), options: ['rbind', 'rprivate', 'rw'] },
  ]);
  assert.ok(statSync(join(scratch, 'logs/app')).isDirectory());

  const bad: [Record<string, unknown>, string][] = [
    [{ name: 'scratch', mountPath: '/x', subPath: '/abs' }, 'error SubPath `/abs` must not be an absolute path'],
    [{ name: 'scratch', mountPath: '/x', subPath: 'a/../..' }, "unable to provision SubPath `a/../..`: must not contain '..'"],
    [{ name: 'scratch', mountPath: '/x', subPath: 'escape' }, `subpath "escape" not within volume path "${scratch}"`],
    [{ name: 'scratch', mountPath: '/x', subPath: 'escape/new' }, `subpath "escape/new" not within volume path "${scratch}"`],
    [{ name: 'missing', mountPath: '/x' }, 'cannot find volume "missing" to mount into container "c"'],
  ];
  for (const [mount, message] of bad) {
    assert.throws(() => containerMounts(pod, { name: 'c', volumeMounts: [mount] }, paths),
      (err: Error & { reason?: string }) => err.reason === 'CreateContainerConfigError' && err.message === message, message);
  }
  assert.equal(existsSync('/etc/new'), false);
});

test('teardown unmounts a memory-backed emptyDir', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kjb-vm-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const manager = new VolumeManager({ podsDir: join(root, 'pods'), source: world(root).source });
  const paths = await manager.setup(podWith([{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '2Mi' } }], 'uid-m'));
  const mem = paths.get('mem')!;
  const mounted = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === mem);
  assert.equal(mounted(), true);
  writeFileSync(join(mem, 'f'), 'x');
  await manager.teardown('uid-m');
  assert.equal(mounted(), false);
  assert.equal(existsSync(join(root, 'pods', 'uid-m', 'volumes')), false);
});
