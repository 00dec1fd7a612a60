// events.k8s.io/v1 Event: the structured event API (regarding, note, reportingController...).
// Field selectors use the core names (involvedObject.*, source, reason, type) because both
// APIs describe the same objects.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { isQualifiedName } from '../../../machinery/validation/names.js';
import { deepEqual, invalidRendered, isObject, obj } from './group-helpers.js';

const NOTE_MAX_LENGTH = 1024;
const ACTION_MAX_LENGTH = 128;
const REASON_MAX_LENGTH = 128;
const REPORTING_INSTANCE_MAX_LENGTH = 128;
/** Fields an update may change: a repeated event only advances its series. */
const MUTABLE_FIELDS = new Set(['metadata', 'apiVersion', 'kind', 'series']);

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== 0;
}

export function validateEventV1(event: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!event.eventTime) errs.push(fieldErrors.required('eventTime'));
  if (event.type !== 'Normal' && event.type !== 'Warning') errs.push(invalidRendered('type', '""', `has invalid value: ${String(event.type ?? '')}`));
  if (isSet(event.deprecatedFirstTimestamp)) errs.push(invalidRendered('deprecatedFirstTimestamp', '""', 'needs to be unset'));
  if (isSet(event.deprecatedLastTimestamp)) errs.push(invalidRendered('deprecatedLastTimestamp', '""', 'needs to be unset'));
  if (isSet(event.deprecatedCount)) errs.push(invalidRendered('deprecatedCount', '""', 'needs to be unset'));
  const source = obj(event.deprecatedSource);
  if (source.component || source.host) errs.push(invalidRendered('deprecatedSource', '""', 'needs to be unset'));

  const controller = event.reportingController;
  if (typeof controller !== 'string' || controller === '') errs.push(fieldErrors.required('reportingController'));
  else for (const msg of isQualifiedName(controller)) errs.push(fieldErrors.invalid('reportingController', controller, msg));
  const instance = event.reportingInstance;
  if (typeof instance !== 'string' || instance === '') errs.push(fieldErrors.required('reportingInstance'));
  else if (instance.length > REPORTING_INSTANCE_MAX_LENGTH) errs.push(fieldErrors.invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_MAX_LENGTH} characters`));
  const action = event.action;
  if (typeof action !== 'string' || action === '') errs.push(fieldErrors.required('action'));
  else if (action.length > ACTION_MAX_LENGTH) errs.push(fieldErrors.invalid('action', '', `can have at most ${ACTION_MAX_LENGTH} characters`));
  const reason = event.reason;
  if (typeof reason !== 'string' || reason === '') errs.push(fieldErrors.required('reason'));
  else if (reason.length > REASON_MAX_LENGTH) errs.push(fieldErrors.invalid('reason', '', `can have at most ${REASON_MAX_LENGTH} characters`));
  if (typeof event.note === 'string' && event.note.length > NOTE_MAX_LENGTH) errs.push(fieldErrors.invalid('note', '', `can have at most ${NOTE_MAX_LENGTH} characters`));

  if (isObject(event.series)) {
    const count = event.series.count;
    if (typeof count !== 'number' || count < 2) errs.push(fieldErrors.invalid('series.count', '', 'should be at least 2'));
    if (!event.series.lastObservedTime) errs.push(fieldErrors.required('series.lastObservedTime'));
  }
  return errs;
}

export function validateEventV1Update(event: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateEventV1(event);
  const keys = new Set([...Object.keys(event), ...Object.keys(old)]);
  for (const key of [...keys].sort()) {
    if (MUTABLE_FIELDS.has(key)) continue;
    if (!deepEqual(event[key], old[key])) errs.push(fieldErrors.invalid(key, event[key] ?? null, 'field is immutable'));
  }
  return errs;
}

export function eventV1FieldAttributes(event: KubeObject): Record<string, string> {
  const regarding = obj(event.regarding);
  const source = obj(event.deprecatedSource);
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return {
    'involvedObject.kind': text(regarding.kind),
    'involvedObject.namespace': text(regarding.namespace),
    'involvedObject.name': text(regarding.name),
    'involvedObject.uid': text(regarding.uid),
    'involvedObject.apiVersion': text(regarding.apiVersion),
    'involvedObject.resourceVersion': text(regarding.resourceVersion),
    'involvedObject.fieldPath': text(regarding.fieldPath),
    reason: text(event.reason),
    reportingComponent: text(event.reportingController),
    source: text(source.component) || text(event.reportingController),
    type: text(event.type),
  };
}

export const eventV1Strategy: Strategy = {
  statusFields: [],
  tracksGeneration: false,
  allowCreateOnUpdate: true,
  validate: validateEventV1,
  validateUpdate: validateEventV1Update,
  fieldAttributes: eventV1FieldAttributes,
};
