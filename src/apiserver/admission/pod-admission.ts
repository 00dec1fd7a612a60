// Admission for new pods, as Kubernetes' ServiceAccount, Priority and DefaultTolerationSeconds
// plugins do it: the default service account, spec.priority from the PriorityClass, and bounded
// NoExecute tolerations so pods leave lost nodes.

import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { addDefaultTolerations, type Toleration } from '../../machinery/tolerations.js';
import type { ResourceRegistry } from '../registry/registry.js';
import type { RegistryCache } from './registry-cache.js';

export interface PodAdmissionOptions {
  priorityClasses: () => ResourceRegistry | undefined;
  /** Set by the admission chain: a watch-fed copy of the PriorityClasses. */
  cache?: RegistryCache;
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
}

interface PodSpec {
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
  await resolvePriority(pod, spec, options);
  const withTolerations = addDefaultTolerations({ spec: spec as Record<string, unknown> }, options.defaultNotReadyTolerationSeconds, options.defaultUnreachableTolerationSeconds);
  pod.spec = withTolerations.spec;
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
