// The projected volume through which a pod sees its service account (token, ca.crt, namespace),
// added by admission as Kubernetes' ServiceAccount admission plugin does. Pure: the random
// name suffix is passed in.

import { randomInt } from 'node:crypto';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
/** Lifetime the admission asks for; kubelets recognise it (3600 + 7) as "the default token". */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3607;

/** Kubernetes' generateName alphabet: lowercase letters and digits without vowels and look-alikes. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomNameSuffix(length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return out;
}

interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

interface Container {
  volumeMounts?: VolumeMount[];
}

interface PodSpecLike {
  automountServiceAccountToken?: boolean;
  volumes?: { name: string }[];
  containers?: Container[];
  initContainers?: Container[];
}

export function tokenVolumeSource(): Record<string, unknown> {
  return {
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: DEFAULT_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    },
  };
}

/** The pod's own setting wins, then the service account's; the default is to mount. */
export function shouldAutomount(spec: PodSpecLike, serviceAccount: { automountServiceAccountToken?: unknown } | undefined): boolean {
  if (typeof spec.automountServiceAccountToken === 'boolean') return spec.automountServiceAccountToken;
  if (typeof serviceAccount?.automountServiceAccountToken === 'boolean') return serviceAccount.automountServiceAccountToken;
  return true;
}

/**
 * Mounts the token volume read-only at the service account path in every init container and
 * container that has nothing mounted there, and adds the volume when some container got the
 * mount and the pod has no kube-api-access-* volume yet (reusing that one's name if it has).
 */
export function mountServiceAccountToken(spec: PodSpecLike, suffix: string): void {
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(TOKEN_VOLUME_PREFIX));
  const volumeName = existing?.name ?? `${TOKEN_VOLUME_PREFIX}${suffix}`;
  let mounted = false;
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if ((container.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    container.volumeMounts = [...(container.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    mounted = true;
  }
  if (!existing && mounted) spec.volumes = [...(spec.volumes ?? []), { name: volumeName, ...tokenVolumeSource() }];
}
