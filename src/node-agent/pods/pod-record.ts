// What the agent remembers about each pod across its own restarts: restart counts, the current
// container of each name, the last termination and back-off. Kept as <agent>/pods/<uid>/state.json.

import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackoffState } from './backoff.js';
import type { TerminatedState } from './pod-status.js';

export interface ContainerRecord {
  name: string;
  init: boolean;
  /** Times the container was restarted; also the attempt number of the current one. */
  restartCount: number;
  /** Runtime id of the current container, once created. */
  containerId?: string;
  image: string;
  imageID?: string;
  /** Why there is no running container (image pull, config error, back-off). */
  waiting?: { reason: string; message?: string };
  startedAt?: string;
  terminated?: TerminatedState;
  lastTerminated?: TerminatedState;
  backoff: BackoffState;
  pullBackoff: BackoffState;
  ready: boolean;
  started: boolean;
  stopSignal?: string;
  /** Set while we kill the container on purpose (liveness failure), for the event wording. */
  killReason?: string;
}

export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  startTime?: string;
  podIp?: string;
  netnsPath?: string;
  hostNetwork: boolean;
  containers: Record<string, ContainerRecord>;
}

export function podDir(podsDir: string, uid: string): string {
  return join(podsDir, uid);
}

/** `<first 16 hex of the uid>_<container>_<attempt>`: short for conmon's socket paths, still unique. */
export function containerIdFor(uid: string, name: string, attempt: number): string {
  return `${uid.replace(/-/g, '').slice(0, 16)}_${name}_${attempt}`;
}

export function containerLogPath(podsDir: string, uid: string, name: string, attempt: number): string {
  return join(podsDir, uid, 'logs', name, `${attempt}.log`);
}

/** Per-attempt rootfs/bundle directory. */
export function containerDir(podsDir: string, uid: string, name: string, attempt: number): string {
  return join(podsDir, uid, 'containers', `${name}-${attempt}`);
}

export function saveRecord(podsDir: string, record: PodRecord, text = JSON.stringify(record)): void {
  const dir = podDir(podsDir, record.uid);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, 'state.json.tmp');
  writeFileSync(tmp, text);
  renameSync(tmp, join(dir, 'state.json'));
}

export function loadRecords(podsDir: string): PodRecord[] {
  let uids: string[];
  try {
    uids = readdirSync(podsDir);
  } catch {
    return [];
  }
  const out: PodRecord[] = [];
  for (const uid of uids) {
    try {
      out.push(JSON.parse(readFileSync(join(podsDir, uid, 'state.json'), 'utf8')) as PodRecord);
    } catch {
      // a pod dir without state: cleaned up as an orphan by its uid
      out.push({ uid, namespace: '', name: '', hostNetwork: false, containers: {} });
    }
  }
  return out;
}
