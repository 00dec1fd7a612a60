// What wakes both the Endpoints and the EndpointSlice controllers: a Service changing, and a pod
// (old and new state) that a Service in its namespace selects. Handlers only queue Service keys.

import { objectKey } from '../../api/meta.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Lister } from '../../client/lister.js';
import type { WorkQueue } from '../../client/work-queue.js';
import { servicesSelecting } from './pods.js';
import { KINDS, type Pod, type Service } from './types.js';

export function queueServicesAndTheirPods(informers: InformerFactory, queue: WorkQueue<string>): { services: Lister<Service>; pods: Lister<Pod> } {
  const serviceInformer = informers.informerFor<Service>(KINDS.service);
  const podInformer = informers.informerFor<Pod>(KINDS.pod);
  const services = serviceInformer.lister();
  const enqueue = (svc: Service): void => queue.add(objectKey(svc));
  serviceInformer.addHandlers({ onAdd: enqueue, onUpdate: (_old, svc) => enqueue(svc), onDelete: enqueue });
  const forPod = (pod: Pod): void => {
    for (const key of servicesSelecting(services.list(pod.metadata.namespace), pod)) queue.add(key);
  };
  podInformer.addHandlers({
    onAdd: forPod,
    onUpdate: (oldPod, pod) => {
      forPod(oldPod);
      forPod(pod);
    },
    onDelete: forPod,
  });
  return { services, pods: podInformer.lister() };
}
