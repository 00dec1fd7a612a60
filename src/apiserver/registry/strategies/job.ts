// batch/v1 Job: run-to-completion pods. Unless manualSelector is true, the API server generates the
// selector from the Job's uid and labels the template with it, so jobs never adopt others' pods.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { specOf } from './apps-common.js';
import {
  child,
  deepEqual,
  goLabelSelector,
  goStringMap,
  immutable,
  immutableValue,
  invalidRendered,
  isObject,
  nonNegative,
  obj,
  selectorMatches,
  setDefault,
  type Json,
} from './group-helpers.js';
import { validateLabelSelector } from '../../../machinery/validation/labels.js';
import { defaultPodTemplate, validatePodTemplate } from './pod-spec.js';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_INT32 = 2147483647;
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];
/** Template fields a suspended, never-started Job may still change (to steer where it will run). */
const SCHEDULING_DIRECTIVES = ['nodeSelector', 'affinity', 'tolerations', 'schedulingGates'];

/** Defaults of a JobSpec; shared with the CronJob's job template only for the pod template part. */
export function defaultJobSpec(spec: Json): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? MAX_INT32 : 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', spec.podFailurePolicy !== undefined && spec.podFailurePolicy !== null ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplate(child(spec, 'template'));
}

export function defaultJob(job: KubeObject): void {
  const spec = specOf(job);
  defaultJobSpec(spec);
  copyTemplateLabels(job);
}

/** A Job without labels of its own takes its template's labels. */
function copyTemplateLabels(job: KubeObject): void {
  const templateLabels = obj(obj(obj(specOf(job).template).metadata).labels) as Record<string, string>;
  if (Object.keys(job.metadata.labels ?? {}).length === 0 && Object.keys(templateLabels).length > 0) {
    job.metadata.labels = { ...templateLabels };
  }
}

/** Adds the uid/name labels to the template and selects on the uid (needs metadata.uid and name). */
export function generateJobSelector(job: KubeObject): void {
  const spec = specOf(job);
  const template = child(spec, 'template');
  const labels = child(child(template, 'metadata'), 'labels');
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) setDefault(labels, key, name);
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) setDefault(labels, key, uid);
  const matchLabels = child(child(spec, 'selector'), 'matchLabels');
  setDefault(matchLabels, CONTROLLER_UID_LABEL, uid);
}

export function prepareJobForCreate(job: KubeObject): void {
  if (specOf(job).manualSelector !== true) generateJobSelector(job);
  copyTemplateLabels(job);
}

/** Rules common to a Job and a CronJob's job template. */
export function validateJobSpecCommon(spec: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...nonNegative(spec[field], `${path}.${field}`));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
    errs.push(fieldErrors.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  }
  if (mode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push(fieldErrors.required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  if (spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null && mode !== 'Indexed') {
    errs.push(fieldErrors.forbidden(`${path}.backoffLimitPerIndex`, 'requires indexed completion mode'));
  }
  const replacement = spec.podReplacementPolicy;
  if (replacement !== undefined && replacement !== 'TerminatingOrFailed' && replacement !== 'Failed') {
    errs.push(fieldErrors.notSupported(`${path}.podReplacementPolicy`, replacement, ['TerminatingOrFailed', 'Failed']));
  }
  errs.push(...validatePodTemplate(spec.template, `${path}.template`, { restartPolicies: JOB_RESTART_POLICIES }));
  const restartPolicy = obj(obj(spec.template).spec).restartPolicy;
  if (spec.podFailurePolicy !== undefined && spec.podFailurePolicy !== null && restartPolicy !== 'Never') {
    errs.push(fieldErrors.invalid(`${path}.template.spec.restartPolicy`, restartPolicy ?? '', 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

export function validateJob(job: KubeObject): FieldError[] {
  const spec = obj(job.spec);
  const errs = validateJobSpecCommon(spec, 'spec');
  if (spec.selector === undefined || spec.selector === null) {
    errs.push(fieldErrors.required('spec.selector'));
    return errs;
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const templateLabels = obj(obj(spec.template).metadata).labels;
  if (!selectorMatches(spec.selector, obj(templateLabels) as Record<string, string>)) {
    errs.push(invalidRendered('spec.template.metadata.labels', goStringMap(templateLabels), '`selector` does not match template `labels`'));
  }
  return errs;
}

/** On create with a generated selector: the uid labels must be there and selected on. */
function validateGeneratedSelector(job: KubeObject): FieldError[] {
  const spec = obj(job.spec);
  if (spec.manualSelector === true) return [];
  const uid = job.metadata.uid ?? '';
  if (uid === '') return [fieldErrors.required('metadata.uid')];
  const errs: FieldError[] = [];
  const labels = obj(obj(obj(spec.template).metadata).labels);
  const expected: [string, string][] = [
    [LEGACY_CONTROLLER_UID_LABEL, uid],
    [LEGACY_JOB_NAME_LABEL, job.metadata.name ?? ''],
    [CONTROLLER_UID_LABEL, uid],
    [JOB_NAME_LABEL, job.metadata.name ?? ''],
  ];
  for (const [key, value] of expected) {
    const field = `spec.template.metadata.labels[${key}]`;
    if (labels[key] === undefined) errs.push(fieldErrors.required(field, `must be '${value}'`));
    else if (labels[key] !== value) errs.push(fieldErrors.invalid(field, labels[key], `must be '${value}'`));
  }
  if (spec.selector && !selectorMatches(spec.selector, { [CONTROLLER_UID_LABEL]: uid })) {
    errs.push(invalidRendered('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

function withoutSchedulingDirectives(template: unknown): Json {
  const copy = structuredClone(obj(template));
  const spec = obj(copy.spec);
  for (const field of SCHEDULING_DIRECTIVES) delete spec[field];
  if (isObject(copy.metadata)) {
    delete copy.metadata.labels;
    delete copy.metadata.annotations;
  }
  return copy;
}

function validateTemplateUpdate(job: KubeObject, old: KubeObject): FieldError[] {
  const next = obj(job.spec).template;
  const prev = obj(old.spec).template;
  if (deepEqual(next, prev)) return [];
  const oldSpec = obj(old.spec);
  const neverStarted = obj(old.status).startTime === undefined;
  if (oldSpec.suspend === true && neverStarted && deepEqual(withoutSchedulingDirectives(next), withoutSchedulingDirectives(prev))) return [];
  return [immutable('spec.template', 'core.PodTemplateSpec{...}')];
}

export function validateJobUpdate(job: KubeObject, old: KubeObject): FieldError[] {
  const spec = obj(job.spec);
  const prev = obj(old.spec);
  const errs = validateJob(job);
  errs.push(...immutableValue('spec.completions', spec.completions, prev.completions));
  if (!deepEqual(spec.selector, prev.selector)) errs.push(immutable('spec.selector', goLabelSelector(spec.selector)));
  errs.push(...validateTemplateUpdate(job, old));
  errs.push(...immutableValue('spec.completionMode', spec.completionMode, prev.completionMode));
  errs.push(...immutableValue('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, prev.backoffLimitPerIndex));
  errs.push(...immutableValue('spec.managedBy', spec.managedBy, prev.managedBy));
  if (!deepEqual(spec.podFailurePolicy, prev.podFailurePolicy)) errs.push(immutable('spec.podFailurePolicy', 'batch.PodFailurePolicy{...}'));
  return errs;
}

export const jobStrategy: Strategy = {
  defaults: defaultJob,
  prepareForCreate: prepareJobForCreate,
  validate: (job) => [...validateJob(job), ...validateGeneratedSelector(job)],
  validateUpdate: validateJobUpdate,
  fieldAttributes: (job) => ({ 'status.successful': String(obj(job.status).succeeded ?? 0) }),
};
