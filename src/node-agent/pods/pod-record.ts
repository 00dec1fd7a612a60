// What the agent remembers about each pod across its own restarts: restart counts, the current
// container of each name, the last termination and back-off. Kept in <agent>/pods/<uid>/ in two
// slots written in turn (RECORD_SLOTS), each `{"seq": N, "record": {...}}`: a write overwrites the
// older slot in place, so it allocates no inode (on this kind of disk a new inode per save was a
// measurable cost), and a write torn by a crash leaves the other, previous record to read.

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
  /** Set when the agent failed the pod itself (admission, activeDeadlineSeconds): status.reason and message. */
  failure?: { reason: string; message: string };
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

/** The two record files of a pod dir, written alternately. */
export const RECORD_SLOTS = ['state-a.json', 'state-b.json'] as const;
/** The single file of earlier versions, still read. */
const LEGACY_RECORD = 'state.json';

/** Sequence number of the newest record per pod dir, as written or read by this process. */
const recordSeq = new Map<string, number>();

export function saveRecord(podsDir: string, record: PodRecord, text = JSON.stringify(record)): void {
  const dir = podDir(podsDir, record.uid);
  mkdirSync(dir, { recursive: true });
  const seq = (recordSeq.get(dir) ?? 0) + 1;
  writeFileSync(join(dir, RECORD_SLOTS[seq % 2]!), `{"seq":${seq},"record":${text}}`);
  recordSeq.set(dir, seq);
}

/** Drops what this process knows about a pod's record files (the pod is gone). */
export function forgetRecord(podsDir: string, uid: string): void {
  recordSeq.delete(podDir(podsDir, uid));
}

/** The newest complete record in `dir` for `uid`, with its sequence number; undefined when none. */
function readNewest(dir: string, uid: string): { seq: number; record: PodRecord } | undefined {
  let best: { seq: number; record: PodRecord } | undefined;
  for (const slot of RECORD_SLOTS) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, slot), 'utf8')) as { seq?: unknown; record?: PodRecord };
      // A torn write does not parse; a record of another pod (never expected) is not this one's.
      if (typeof parsed.seq !== 'number' || parsed.record?.uid !== uid) continue;
      if (!best || parsed.seq > best.seq) best = { seq: parsed.seq, record: parsed.record };
    } catch {
      // missing, empty or torn: the other slot holds the previous record
    }
  }
  if (best) return best;
  try {
    const record = JSON.parse(readFileSync(join(dir, LEGACY_RECORD), 'utf8')) as PodRecord;
    return record.uid === uid ? { seq: 0, record } : undefined;
  } catch {
    return undefined;
  }
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
    const dir = podDir(podsDir, uid);
    const newest = readNewest(dir, uid);
    if (newest) {
      recordSeq.set(dir, newest.seq);
      out.push(newest.record);
    } else {
      // a pod dir without state: cleaned up as an orphan by its uid
      out.push({ uid, namespace: '', name: '', hostNetwork: false, containers: {} });
    }
  }
  return out;
}
