// Events, in both shapes: core/v1 (involvedObject, message, firstTimestamp...) and
// events.k8s.io/v1 (regarding, note, deprecated*), which describe the same objects.

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { parseTime, timeSince } from './age.js';
import { column, int, nameColumn, nameOf, obj, str, type Json } from './columns.js';

interface EventView {
  involvedObject: Json;
  message: string;
  source: Json;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series: Json | undefined;
  reportingController: string;
  reportingInstance: string;
  type: string;
  reason: string;
}

function view(event: KubeObject): EventView {
  const isEventsV1 = event.regarding !== undefined || event.note !== undefined || String(event.apiVersion ?? '').startsWith('events.k8s.io/');
  const series = event.series === undefined || event.series === null ? undefined : obj(event.series);
  const common = {
    eventTime: event.eventTime,
    series,
    reportingController: str(isEventsV1 ? event.reportingController : event.reportingComponent ?? event.reportingController),
    reportingInstance: str(event.reportingInstance),
    type: str(event.type),
    reason: str(event.reason),
  };
  if (isEventsV1) {
    return {
      ...common,
      involvedObject: obj(event.regarding),
      message: str(event.note),
      source: obj(event.deprecatedSource),
      firstTimestamp: event.deprecatedFirstTimestamp,
      lastTimestamp: event.deprecatedLastTimestamp,
      count: int(event.deprecatedCount),
    };
  }
  return {
    ...common,
    involvedObject: obj(event.involvedObject),
    message: str(event.message),
    source: obj(event.source),
    firstTimestamp: event.firstTimestamp,
    lastTimestamp: event.lastTimestamp,
    count: int(event.count),
  };
}

function formatSource(source: Json, controller: string, instance: string): string {
  const component = str(source.component) || controller;
  const host = str(source.host) || instance;
  return host ? `${component}, ${host}` : component;
}

export const eventPrinter: TablePrinter = {
  columns: [
    column('Last Seen', 'string', 'Time since the event was last observed.'),
    column('Type', 'string', 'Normal or Warning.'),
    column('Reason', 'string', 'A short machine-readable word for why the event happened.'),
    column('Object', 'string', 'The object the event is about, as kind/name.'),
    column('Subobject', 'string', 'The part of the object concerned, e.g. spec.containers{web}.', 1),
    column('Source', 'string', 'The component (and host) that reported the event.', 1),
    column('Message', 'string', 'A human-readable description of what happened.'),
    column('First Seen', 'string', 'Time since the event was first observed.', 1),
    column('Count', 'string', 'How many times the event has occurred.', 1),
    nameColumn(1),
  ],
  cells(event: KubeObject, now: Date): unknown[] {
    const v = view(event);
    const firstSeen = parseTime(v.firstTimestamp) ? timeSince(v.firstTimestamp, now) : timeSince(v.eventTime, now);
    let lastSeen = parseTime(v.lastTimestamp) ? timeSince(v.lastTimestamp, now) : firstSeen;
    let count = v.count;
    if (v.series) {
      lastSeen = timeSince(v.series.lastObservedTime, now);
      count = int(v.series.count);
    } else if (count === 0) {
      count = 1;
    }
    const kind = str(v.involvedObject.kind).toLowerCase();
    const target = str(v.involvedObject.name) ? `${kind}/${str(v.involvedObject.name)}` : kind;
    return [
      lastSeen,
      v.type,
      v.reason,
      target,
      str(v.involvedObject.fieldPath),
      formatSource(v.source, v.reportingController, v.reportingInstance),
      v.message.trim(),
      firstSeen,
      count,
      nameOf(event),
    ];
  },
};
