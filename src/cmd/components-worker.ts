// The scheduler and the controllers on their own thread: they talk to the API server only over
// its local socket, so moving them off the server's thread changes nothing but who pays for
// parsing their watch streams. The server's thread is left to serve requests.

import { parentPort, workerData } from 'node:worker_threads';
import { setMaxListeners } from 'node:events';
import { createLogger } from '../client/log.js';
import { InformerFactory } from '../client/informer-factory.js';
import { RestClient } from '../client/rest-client.js';

export interface ComponentsWorkerData {
  socketPath: string;
  token: string;
  controllers: boolean;
  scheduler: boolean;
  schedulerConfig?: string;
  nodeMonitorGracePeriodMs?: number;
  /** The cluster CA certificate (PEM) published as kube-root-ca.crt in every namespace. */
  clusterCaPem?: string;
}

const data = workerData as ComponentsWorkerData;
const log = createLogger('components');
const stop = new AbortController();
setMaxListeners(0, stop.signal);
parentPort?.on('message', (message: unknown) => {
  if (message === 'stop') stop.abort();
});

const client = new RestClient({ server: 'http://localhost', token: data.token, socketPath: data.socketPath });
// One set of informers for the scheduler and the controllers: every watch event is parsed once.
const informers = new InformerFactory(client, { log });
const running: Promise<void>[] = [];
const run = (name: string, start: () => Promise<void>) => {
  running.push(
    start().catch((err: unknown) => {
      if (!stop.signal.aborted) log.error('component stopped', { component: name, error: err instanceof Error ? err.stack : String(err) });
    }),
  );
};
if (data.controllers) {
  run('controllers', async () => (await import('../controllers/controller-manager.js')).startControllers({ client, informers, signal: stop.signal, nodeMonitorGracePeriodMs: data.nodeMonitorGracePeriodMs, clusterCaPem: data.clusterCaPem }));
}
if (data.scheduler) {
  run('scheduler', async () => {
    const { Scheduler } = await import('../scheduler/scheduler.js');
    const { loadSchedulerConfig } = await import('../scheduler/config.js');
    const config = data.schedulerConfig ? loadSchedulerConfig(data.schedulerConfig) : undefined;
    await new Scheduler({ client, config, informers }).start(stop.signal);
  });
}
await Promise.allSettled(running);
client.close();
// The port's listener would keep this thread alive (and the server would wait for it to time out).
parentPort?.close();
