// Admission for new pods, as Kubernetes' ServiceAccount, Priority and DefaultTolerationSeconds
// plugins do it: the default service account and its token volume, spec.priority from the
// PriorityClass, and bounded NoExecute tolerations so pods leave lost nodes.

import { forbidden, isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { addDefaultTolerations, type Toleration } from '../../machinery/tolerations.js';
import type { ResourceRegistry } from '../registry/registry.js';
import { mountServiceAccountToken, randomNameSuffix, shouldAutomount } from '../serviceaccount/pod-token-volume.js';
import type { RegistryCache } from './registry-cache.js';

export interface PodAdmissionOptions {
  priorityClasses: () => ResourceRegistry | undefined;
  /** Set by the admission chain: a watch-fed copy of the PriorityClasses. */
  cache?: RegistryCache;
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
  /** When set, pods get the kube-api-access-* token volume (unless automount is off). */
  serviceAccounts?: () => ResourceRegistry | undefined;
  /** Set by the admission chain: a watch-fed copy of the ServiceAccounts. */
  serviceAccountCache?: RegistryCache;
}

interface PodSpec {
  automountServiceAccountToken?: boolean;
  volumes?: { name: string }[];
  containers?: { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  initContainers?: { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  serviceAccountName?: string;
  serviceAccount?: string;
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
  tolerations?: Toleration[];
}

export async function admitPod(pod: KubeObject, options: PodAdmissionOptions): Promise<void> {
  const spec = (pod.spec ?? {}) as PodSpec;
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (options.serviceAccounts && !isMirrorPod(pod)) await addTokenVolume(pod, spec, options.serviceAccounts(), options.serviceAccountCache);
  await resolvePriority(pod, spec, options);
  const withTolerations = addDefaultTolerations({ spec: spec as Record<string, unknown> }, options.defaultNotReadyTolerationSeconds, options.defaultUnreachableTolerationSeconds);
  pod.spec = withTolerations.spec;
}

function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
}

async function addTokenVolume(pod: KubeObject, spec: PodSpec, serviceAccounts: ResourceRegistry | undefined, cache: RegistryCache | undefined): Promise<void> {
  let serviceAccount: KubeObject | undefined;
  if (spec.automountServiceAccountToken !== false && cache) {
    await cache.ready();
    serviceAccount = cache.get(spec.serviceAccountName!, pod.metadata.namespace);
  }
  if (!serviceAccount && spec.automountServiceAccountToken !== false && serviceAccounts) {
    // Not (yet) in the cache: one created a moment ago is still found by a live read.
    try {
      serviceAccount = await serviceAccounts.get(pod.metadata.namespace, spec.serviceAccountName!);
    } catch (err) {
      // Kubernetes refuses the pod until the service account exists (its controllers retry). Here a
      // pod in a namespace created a moment ago is admitted with the defaults instead, so a
      // `kubectl create ns x && kubectl run -n x` does not fail on the controller's head start.
      if (!isApiError(err, 'NotFound')) throw err;
    }
  }
  if (shouldAutomount(spec, serviceAccount as { automountServiceAccountToken?: unknown } | undefined)) mountServiceAccountToken(spec, randomNameSuffix());
}

async function resolvePriority(pod: KubeObject, spec: PodSpec, options: PodAdmissionOptions): Promise<void> {
  const classes = options.priorityClasses();
  let priorityClass: KubeObject | undefined;
  const cache = options.cache;
  if (cache) await cache.ready();
  if (spec.priorityClassName && classes) {
    priorityClass = cache?.get(spec.priorityClassName);
    if (!priorityClass) {
      try {
        priorityClass = await classes.get(undefined, spec.priorityClassName);
      } catch {
        throw forbidden(`pods "${pod.metadata.name ?? ''}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`, { name: pod.metadata.name, kind: 'pods' });
      }
    }
  } else if (cache) {
    for (const pc of cache.values()) if (pc.globalDefault === true) priorityClass = pc;
  } else if (classes) {
    priorityClass = (await classes.list(undefined)).items.find((pc) => pc.globalDefault === true);
  }
  const value = typeof priorityClass?.value === 'number' ? priorityClass.value : 0;
  if (spec.priority !== undefined && spec.priority !== value) {
    throw forbidden(`pods "${pod.metadata.name ?? ''}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`, { name: pod.metadata.name, kind: 'pods' });
  }
  spec.priority = value;
  if (priorityClass) {
    if (!spec.priorityClassName) spec.priorityClassName = priorityClass.metadata.name;
    spec.preemptionPolicy = typeof priorityClass.preemptionPolicy === 'string' ? priorityClass.preemptionPolicy : 'PreemptLowerPriority';
  } else if (!spec.preemptionPolicy) {
    spec.preemptionPolicy = 'PreemptLowerPriority';
  }
}
