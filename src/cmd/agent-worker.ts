// The in-process node agent on its own thread: it spends its time starting helper processes
// (ip, mount, conmon, crun), which blocks the thread that forks them; off the API server's thread,
// pod starts and API requests no longer wait for each other. It reaches the API over the local socket.

import { parentPort, workerData } from 'node:worker_threads';
import { setMaxListeners } from 'node:events';
import { createLogger } from '../client/log.js';
import { RestClient } from '../client/rest-client.js';
import { NodeAgent, type NodeAgentOptions } from '../node-agent/agent.js';

export interface AgentWorkerData {
  socketPath: string;
  token: string;
  /** Everything of NodeAgentOptions that crosses a thread boundary (no client, logger or callbacks). */
  options: Omit<NodeAgentOptions, 'client' | 'log' | 'onReady'>;
}

const data = workerData as AgentWorkerData;
const stop = new AbortController();
setMaxListeners(0, stop.signal);
parentPort?.on('message', (message: unknown) => {
  if (message === 'stop') stop.abort();
});

const client = new RestClient({ server: 'http://localhost', token: data.token, socketPath: data.socketPath });
const log = createLogger('node-agent');
try {
  await new NodeAgent({ ...data.options, client, log }).start(stop.signal);
} catch (err) {
  if (!stop.signal.aborted) log.error('node agent stopped', { error: err instanceof Error ? err.stack : String(err) });
} finally {
  client.close();
  // The port's listener would keep this thread alive (and the server would wait for it to time out).
  parentPort?.close();
}
