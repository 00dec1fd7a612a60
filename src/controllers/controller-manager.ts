// Starts the workload controllers in one process over one shared set of informers, like
// kube-controller-manager. `only` picks controllers by name (the others stay off).
import { InformerFactory } from '../client/informer-factory.js';
import { createLogger, type Logger } from '../client/log.js';
import type { RestClient } from '../client/rest-client.js';
import { CronJobController } from './cronjob/controller.js';
import { DaemonSetController } from './daemonset/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { DisruptionController } from './disruption/controller.js';
import { JobController } from './job/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import type { WorkloadControllerOptions } from './common/workers.js';
import { ServiceAccountController } from './serviceaccount/controller.js';
import { StatefulSetController } from './statefulset/controller.js';
import { NodeLifecycleController } from './node-lifecycle/controller.js';
import { EndpointsController } from './endpoints/controller.js';
import { EndpointSliceController } from './endpointslice/controller.js';
import { GarbageCollector } from './gc/controller.js';
import { NamespaceController } from './namespace/controller.js';
import { RootCaPublisher } from './rootca/controller.js';
import { PersistentVolumeController } from './persistentvolume/controller.js';
import { PvcProtectionController, PvProtectionController } from './storage-protection/controller.js';
import { LocalPathProvisioner } from './local-path/controller.js';

export interface StartableController {
  start(signal: AbortSignal): Promise<void>;
}

/** Settings some controllers take from the server's flags. */
export interface ControllerSettings {
  /** --node-monitor-grace-period: how long a node may go without a heartbeat before it is lost. */
  nodeMonitorGracePeriodMs?: number;
  /** The cluster CA (PEM) the root CA publisher puts in every namespace; without it that controller idles. */
  clusterCaPem?: string;
}

type ControllerFactory = (options: WorkloadControllerOptions & ControllerSettings) => StartableController;

/** Controller names as kube-controller-manager's --controllers flag spells them. */
export const CONTROLLERS: Readonly<Record<string, ControllerFactory>> = {
  deployment: (o) => new DeploymentController(o),
  replicaset: (o) => new ReplicaSetController(o),
  job: (o) => new JobController(o),
  cronjob: (o) => new CronJobController(o),
  statefulset: (o) => new StatefulSetController(o),
  daemonset: (o) => new DaemonSetController(o),
  serviceaccount: (o) => new ServiceAccountController(o),
  disruption: (o) => new DisruptionController(o),
  'node-lifecycle': (o) => new NodeLifecycleController({ ...o, nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs }),
  endpoints: (o) => new EndpointsController(o),
  endpointslice: (o) => new EndpointSliceController(o),
  garbagecollector: (o) => new GarbageCollector({ client: o.client, informers: o.informers }),
  namespace: (o) => new NamespaceController({ client: o.client }),
  'persistentvolume-binder': (o) => new PersistentVolumeController(o),
  'pvc-protection': (o) => new PvcProtectionController(o),
  'local-path-provisioner': (o) => new LocalPathProvisioner(o),
  'pv-protection': (o) => new PvProtectionController(o),
  'root-ca-cert-publisher': (o) => (o.clusterCaPem ? new RootCaPublisher({ ...o, caPem: o.clusterCaPem }) : { start: async () => {} }),
};

/** `informers`: a factory shared with other components of the thread (the scheduler), so each watch is parsed once. */
export async function startControllers(options: { client: RestClient; signal: AbortSignal; log?: Logger; only?: string[]; now?: () => Date; informers?: InformerFactory } & ControllerSettings): Promise<void> {
  const log = options.log ?? createLogger('controller-manager');
  const informers = options.informers ?? new InformerFactory(options.client, { log });
  const unknown = (options.only ?? []).filter((name) => !(name in CONTROLLERS));
  if (unknown.length) log.warn('unknown controllers ignored', { controllers: unknown });
  const names = Object.keys(CONTROLLERS).filter((name) => !options.only || options.only.includes(name));
  const controllers = names.map((name) => ({ name, controller: CONTROLLERS[name]!({ client: options.client, informers, now: options.now, log: log.with({ controller: name }), nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs, clusterCaPem: options.clusterCaPem }) }));
  informers.start(options.signal);
  log.info('starting controllers', { controllers: names });
  await Promise.all(
    controllers.map(({ name, controller }) =>
      controller.start(options.signal).catch((err: unknown) => {
        if (!options.signal.aborted) log.error('controller stopped', { controller: name, err });
      }),
    ),
  );
  await informers.stopped();
}
