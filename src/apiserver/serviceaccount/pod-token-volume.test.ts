import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountServiceAccountToken, randomNameSuffix, SERVICE_ACCOUNT_MOUNT_PATH, shouldAutomount, tokenVolumeSource } from './pod-token-volume.js';

const MOUNT = { name: 'kube-api-access-abcde', readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };

test('automount: the pod decides first, then the service account, else yes', () => {
  const cases: Array<[boolean | undefined, boolean | undefined, boolean]> = [
    [undefined, undefined, true], [false, undefined, false], [undefined, false, false], [true, false, true], [false, true, false],
  ];
  for (const [pod, sa, want] of cases) assert.equal(shouldAutomount({ automountServiceAccountToken: pod }, sa === undefined ? undefined : { automountServiceAccountToken: sa }), want, `pod=${pod} sa=${sa}`);
});

test('token volume and mounts as Kubernetes adds them', () => {
  type Spec = Parameters<typeof mountServiceAccountToken>[0];
  const own = { name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
  const cases: Array<{ name: string; spec: Spec; want: Spec }> = [
    {
      name: 'containers and init containers',
      spec: { initContainers: [{}], containers: [{ volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
      want: { initContainers: [{ volumeMounts: [MOUNT] }], containers: [{ volumeMounts: [{ name: 'data', mountPath: '/data' }, MOUNT] }], volumes: [{ name: MOUNT.name, ...tokenVolumeSource() }] },
    },
    {
      name: 'a container with its own mount at the path keeps it',
      spec: { containers: [{ volumeMounts: [own] }, {}], volumes: [{ name: 'mine' }] },
      want: { containers: [{ volumeMounts: [own] }, { volumeMounts: [MOUNT] }], volumes: [{ name: 'mine' }, { name: MOUNT.name, ...tokenVolumeSource() }] },
    },
    {
      name: 'every container mounts the path already: no volume',
      spec: { containers: [{ volumeMounts: [own] }], volumes: [{ name: 'mine' }] },
      want: { containers: [{ volumeMounts: [own] }], volumes: [{ name: 'mine' }] },
    },
    {
      name: 'an existing kube-api-access volume is reused',
      spec: { containers: [{}], volumes: [{ name: 'kube-api-access-zzzzz' }] },
      want: { containers: [{ volumeMounts: [{ ...MOUNT, name: 'kube-api-access-zzzzz' }] }], volumes: [{ name: 'kube-api-access-zzzzz' }] },
    },
  ];
  for (const c of cases) {
    mountServiceAccountToken(c.spec, 'abcde');
    assert.deepEqual(c.spec, c.want, c.name);
  }
  assert.deepEqual(tokenVolumeSource(), {
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    },
  });
  assert.match(randomNameSuffix(), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});
