// Entry points for the pod workers: run a probe or a lifecycle hook once, and the periodic worker.

import { execHandler, httpGetHandler, sleepHandler, tcpSocketHandler, type ProbeResult, type ProbeTarget } from './handlers.js';

export type { ProbeResult, ProbeTarget } from './handlers.js';
export { ProbeWorker, type ProbeWorkerOptions } from './probe-worker.js';
export { probeTiming, type ProbeKind } from './probe-state.js';

type Obj = Record<string, unknown>;

/** Runs a handler (exec, httpGet, tcpSocket, sleep) once: for postStart/preStop hooks. */
export async function runHandler(handler: Obj, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  if (handler.exec) return execHandler(handler.exec as Obj, target, timeoutMs);
  if (handler.httpGet) return httpGetHandler(handler.httpGet as Obj, target, timeoutMs);
  if (handler.tcpSocket) return tcpSocketHandler(handler.tcpSocket as Obj, target, timeoutMs);
  if (handler.sleep) return sleepHandler(handler.sleep as Obj, timeoutMs);
  if (handler.grpc) return { ok: false, output: 'grpc probes are not supported by this node agent' };
  return { ok: false, output: 'missing probe handler' };
}

/** Runs a probe once. `sleep` is a hook-only action, so probes do not accept it. */
export async function runProbe(probe: Obj, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  if (probe.sleep) return { ok: false, output: 'missing probe handler' };
  return runHandler(probe, target, timeoutMs);
}
