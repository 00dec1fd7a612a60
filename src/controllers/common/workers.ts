// Running a workload controller's queue: the options every controller takes, and workers that treat
// a write conflict as an expected race.
import { isApiError } from '../../api/errors.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Logger } from '../../client/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { runWorkers, type WorkQueue } from '../../client/work-queue.js';

export interface WorkloadControllerOptions {
  client: RestClient;
  informers: InformerFactory;
  log?: Logger;
  workers?: number;
  recorder?: EventRecorder;
  now?: () => Date;
}

export interface ControllerWorkerOptions {
  queue: WorkQueue<string>;
  workers: number;
  signal: AbortSignal;
  log: Logger;
  /** Returns an optional delay after which the key is looked at again. */
  sync: (key: string) => Promise<{ requeueAfterMs?: number } | void>;
}

/**
 * runWorkers, except that a write conflict (our cache was behind) is an expected race rather than a
 * failure: it is retried shortly and logged at debug level. `sync` returns an optional requeue delay.
 */
export function runControllerWorkers(options: ControllerWorkerOptions): Promise<void> {
  const { queue, log } = options;
  return runWorkers(
    queue,
    options.workers,
    async (key) => {
      try {
        const result = await options.sync(key);
        if (result && result.requeueAfterMs !== undefined) queue.addAfter(key, Math.max(0, result.requeueAfterMs));
      } catch (err) {
        if (!isApiError(err, 'Conflict')) throw err;
        log.debug('write conflict; retrying', { object: key });
        queue.addAfter(key, 200);
      }
    },
    options.signal,
    log,
  );
}

/**
 * A controller's start(): waits for the informers' caches (started by the caller), runs the workers
 * until the signal aborts, then shuts the queue down.
 */
export async function runWhenSynced(informers: InformerFactory, options: ControllerWorkerOptions): Promise<void> {
  try {
    if (await informers.waitForSync(options.signal)) await runControllerWorkers(options);
  } finally {
    options.queue.shutDown();
  }
}
