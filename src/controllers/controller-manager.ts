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
import { ReplicaSetController, type WorkloadControllerOptions } from './replicaset/controller.js';
import { ServiceAccountController } from './serviceaccount/controller.js';
import { StatefulSetController } from './statefulset/controller.js';

export interface StartableController {
  start(signal: AbortSignal): Promise<void>;
}

type ControllerFactory = (options: WorkloadControllerOptions) => StartableController;

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
};

export async function startControllers(options: { client: RestClient; signal: AbortSignal; log?: Logger; only?: string[]; now?: () => Date }): Promise<void> {
  const log = options.log ?? createLogger('controller-manager');
  const informers = new InformerFactory(options.client, { log });
  const unknown = (options.only ?? []).filter((name) => !(name in CONTROLLERS));
  if (unknown.length) log.warn('unknown controllers ignored', { controllers: unknown });
  const names = Object.keys(CONTROLLERS).filter((name) => !options.only || options.only.includes(name));
  const controllers = names.map((name) => ({ name, controller: CONTROLLERS[name]!({ client: options.client, informers, now: options.now, log: log.with({ controller: name }) }) }));
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
