// events.k8s.io/v1 Events stored as core/v1 Events, so `kubectl describe` and `kubectl events`
// (which read core Events) see what components report through either API.

import type { KubeObject } from '../../../api/meta.js';
import type { VersionConversion } from '../registry.js';

type Fields = Record<string, unknown>;

/** [events.k8s.io field, core field] pairs that only change their names. */
const RENAMED: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

const SAME = ['reason', 'type', 'eventTime', 'series', 'action', 'related', 'reportingInstance'];

function copy(from: Fields, to: Fields, pairs: [string, string][]): void {
  for (const [a, b] of pairs) if (from[a] !== undefined) to[b] = from[a];
  for (const key of SAME) if (from[key] !== undefined) to[key] = from[key];
}

export const eventsV1Conversion: VersionConversion = {
  toStorage(obj: KubeObject): KubeObject {
    const out: Fields = { apiVersion: 'v1', kind: 'Event', metadata: obj.metadata };
    copy(obj, out, RENAMED);
    return out as KubeObject;
  },
  fromStorage(obj: KubeObject): KubeObject {
    const out: Fields = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: obj.metadata };
    copy(obj, out, RENAMED.map(([a, b]) => [b, a]));
    return out as KubeObject;
  },
};
