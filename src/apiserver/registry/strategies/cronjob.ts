// batch/v1 CronJob: validation of the schedule (standard 5-field cron or @descriptors, as the
// robfig/cron parser Kubernetes uses accepts it), the time zone and the job template.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { specOf } from './apps-common.js';
import { child, goLabelSelector, invalidRendered, nonNegative, obj, setDefault } from './group-helpers.js';
import { validateJobSpecCommon } from './job.js';
import { defaultPodTemplate } from './pod-spec.js';

/** Job names get an 11-character suffix, so the CronJob name must leave room for it. */
const MAX_CRONJOB_NAME_LENGTH = 52;

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Bounds {
  min: number;
  max: number;
  names?: readonly string[];
  /** Value of the first name (months start at 1, weekdays at 0). */
  nameBase?: number;
}

const FIELD_BOUNDS: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { min: 0, max: 6, names: DAY_NAMES, nameBase: 0 },
];

function parseNumber(text: string, bounds: Bounds): number {
  const nameIndex = bounds.names?.indexOf(text.toLowerCase()) ?? -1;
  if (nameIndex >= 0) return nameIndex + (bounds.nameBase ?? 0);
  if (!/^-?[0-9]+$/.test(text)) throw new Error(`failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = Number.parseInt(text, 10);
  if (value < 0) throw new Error(`negative number (${value}) not allowed: ${text}`);
  return value;
}

function checkRange(expr: string, bounds: Bounds): void {
  const [rangePart, stepPart, ...extraSlash] = expr.split('/');
  if (extraSlash.length > 0) throw new Error(`too many slashes: ${expr}`);
  const lowHigh = rangePart.split('-');
  let start: number;
  let end: number;
  if (rangePart === '*' || rangePart === '?') {
    start = bounds.min;
    end = bounds.max;
  } else {
    if (lowHigh.length > 2) throw new Error(`too many hyphens: ${expr}`);
    start = parseNumber(lowHigh[0], bounds);
    end = lowHigh.length === 2 ? parseNumber(lowHigh[1], bounds) : start;
  }
  if (stepPart !== undefined) {
    const step = parseNumber(stepPart, bounds);
    if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
    // `N/step` means from N to the end of the field.
    if (lowHigh.length === 1 && rangePart !== '*' && rangePart !== '?') end = bounds.max;
  }
  if (start < bounds.min) throw new Error(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new Error(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
}

/** Returns the parser's error message, or undefined when the schedule is valid. */
export function cronScheduleError(schedule: string): string | undefined {
  let spec = schedule.trim();
  const tz = /^(CRON_TZ|TZ)=(\S+)\s*/.exec(spec);
  if (tz) {
    if (!isKnownTimeZone(tz[2])) return `provided bad location ${tz[2]}: unknown time zone ${tz[2]}`;
    spec = spec.slice(tz[0].length);
  }
  try {
    if (spec.startsWith('@')) {
      if (DESCRIPTORS.has(spec)) return undefined;
      if (spec.startsWith('@every ')) {
        const duration = spec.slice('@every '.length).trim();
        if (!/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(duration)) return `failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(duration)}`;
        return undefined;
      }
      return `unrecognized descriptor: ${spec}`;
    }
    const fields = spec.split(/\s+/).filter((f) => f !== '');
    if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
    fields.forEach((field, i) => {
      for (const expr of field.split(',')) checkRange(expr, FIELD_BOUNDS[i]);
    });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function isKnownTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function validateTimeZone(timeZone: unknown): FieldError[] {
  if (timeZone === undefined || timeZone === null) return [];
  if (typeof timeZone !== 'string' || timeZone === '') return [fieldErrors.invalid('spec.timeZone', timeZone, 'timeZone must be nil or non-empty string')];
  if (timeZone.toLowerCase() === 'local') {
    return [fieldErrors.invalid('spec.timeZone', timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  }
  return isKnownTimeZone(timeZone) ? [] : [fieldErrors.invalid('spec.timeZone', timeZone, `unknown time zone ${timeZone}`)];
}

function validateSchedule(spec: Record<string, unknown>, allowTZInSchedule: boolean): FieldError[] {
  const schedule = spec.schedule;
  if (typeof schedule !== 'string' || schedule === '') return [fieldErrors.required('spec.schedule')];
  const errs: FieldError[] = [];
  const parseError = cronScheduleError(schedule);
  if (parseError) errs.push(fieldErrors.invalid('spec.schedule', schedule, parseError));
  if (allowTZInSchedule && schedule.includes('TZ') && spec.timeZone !== undefined && spec.timeZone !== null) {
    errs.push(fieldErrors.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZInSchedule && schedule.includes('TZ')) {
    errs.push(fieldErrors.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

export function defaultCronJob(cj: KubeObject): void {
  const spec = specOf(cj);
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = child(child(spec, 'jobTemplate'), 'spec');
  defaultPodTemplate(child(jobSpec, 'template'));
}

function validateCronJobSpec(cj: KubeObject, allowTZInSchedule: boolean): FieldError[] {
  const spec = obj(cj.spec);
  const errs: FieldError[] = [...validateSchedule(spec, allowTZInSchedule), ...validateTimeZone(spec.timeZone)];
  const policy = spec.concurrencyPolicy;
  if (policy === undefined || policy === '') errs.push(fieldErrors.required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(String(policy))) errs.push(fieldErrors.notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const jobSpec = obj(obj(spec.jobTemplate).spec);
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector !== undefined && jobSpec.selector !== null) {
    errs.push(invalidRendered('spec.jobTemplate.spec.selector', `&${goLabelSelector(jobSpec.selector)}`, '`selector` will be auto-generated'));
  }
  if (jobSpec.manualSelector === true) {
    errs.push(fieldErrors.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  }
  return errs;
}

export function validateCronJob(cj: KubeObject): FieldError[] {
  const errs = validateCronJobSpec(cj, false);
  const name = cj.metadata.name ?? '';
  if (name.length > MAX_CRONJOB_NAME_LENGTH) {
    errs.unshift(fieldErrors.invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`));
  }
  return errs;
}

export function validateCronJobUpdate(cj: KubeObject, old: KubeObject): FieldError[] {
  // A schedule that already carried TZ= before the timeZone field existed may keep it.
  const oldSchedule = obj(old.spec).schedule;
  return validateCronJobSpec(cj, typeof oldSchedule === 'string' && oldSchedule.includes('TZ'));
}

export const cronJobStrategy: Strategy = {
  defaults: defaultCronJob,
  validate: validateCronJob,
  validateUpdate: validateCronJobUpdate,
};

