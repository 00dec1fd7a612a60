// What the streaming server needs from the node: container logs, processes inside containers and
// connections into a pod's network namespace. The pod workers implement it over crun/conmon; tests
// use a fake. Errors carry `code` 'NotFound' or 'BadRequest' to become 404/400 before upgrading.

import type { Duplex, Readable, Writable } from 'node:stream';

/** A process started in a container (shape shared with runtime/container-runtime.ts). */
export interface ExecProcess {
  stdin?: Writable;
  stdout: Readable;
  stderr: Readable;
  resize(width: number, height: number): void;
  /** Resolves with the exit code. */
  exited: Promise<number>;
  /** Called when the client goes away: attach sessions stop following (the container keeps running). */
  release?(): void;
}

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

export interface StreamOptions {
  stdin: boolean;
  tty: boolean;
}

export interface StreamingBackend {
  logs(namespace: string, pod: string, container: string, options: LogOptions): Promise<Readable>;
  exec(namespace: string, pod: string, container: string, command: string[], options: StreamOptions): Promise<ExecProcess>;
  attach(namespace: string, pod: string, container: string, options: StreamOptions): Promise<ExecProcess>;
  /** A connected socket to `port` inside the pod's network namespace. */
  portForward(namespace: string, pod: string, port: number): Promise<Duplex>;
  /** kubelet-style /stats/summary JSON (node, pods, containers: cpu and memory); optional. */
  statsSummary?(): Promise<unknown>;
}

export type BackendErrorCode = 'NotFound' | 'BadRequest';

export function backendError(code: BackendErrorCode, message: string): Error & { code: BackendErrorCode } {
  return Object.assign(new Error(message), { code });
}
