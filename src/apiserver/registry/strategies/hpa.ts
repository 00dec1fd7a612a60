// autoscaling HorizontalPodAutoscaler, in both served shapes: v2 (metrics list) and v1
// (targetCPUUtilizationPercentage). The strategy looks at apiVersion to tell them apart.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { specOf } from './apps-common.js';
import { arr, isObject, obj, setDefault, type Json } from './group-helpers.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const TARGET_TYPES = ['AverageValue', 'Utilization', 'Value'];

function isV1(hpa: KubeObject): boolean {
  return hpa.apiVersion === 'autoscaling/v1';
}

export function defaultHorizontalPodAutoscaler(hpa: KubeObject): void {
  const spec = specOf(hpa);
  setDefault(spec, 'minReplicas', 1);
  // v1 has no metrics list; its CPU target stays unset (the controller assumes 80%).
  if (isV1(hpa)) return;
  if (arr(spec.metrics).length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
}

function validateTarget(target: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!target.type) errs.push(fieldErrors.required(`${path}.type`, 'must specify a metric target type'));
  else if (!TARGET_TYPES.includes(String(target.type))) errs.push(fieldErrors.notSupported(`${path}.type`, target.type, TARGET_TYPES));
  const set = [target.value, target.averageValue, target.averageUtilization].filter((v) => v !== undefined && v !== null).length;
  if (set === 0) errs.push(fieldErrors.required(path, 'must set either a target value, average value, or average utilization'));
  if (typeof target.averageUtilization === 'number' && target.averageUtilization < 1) {
    errs.push(fieldErrors.invalid(`${path}.averageUtilization`, target.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

function validateMetric(metric: Json, path: string): FieldError[] {
  const type = metric.type;
  if (!type) return [fieldErrors.required(`${path}.type`, 'must specify a metric source type')];
  if (!METRIC_TYPES.includes(String(type))) return [fieldErrors.notSupported(`${path}.type`, type, METRIC_TYPES)];
  const key = String(type).charAt(0).toLowerCase() + String(type).slice(1);
  const source = metric[key];
  if (!isObject(source)) return [fieldErrors.required(`${path}.${key}`, `must populate information for the given metric source`)];
  const errs: FieldError[] = [];
  if ((type === 'Resource' || type === 'ContainerResource') && !source.name) errs.push(fieldErrors.required(`${path}.${key}.name`, 'must specify a resource name'));
  if (type === 'ContainerResource' && !source.container) errs.push(fieldErrors.required(`${path}.${key}.container`, 'must specify a container'));
  errs.push(...validateTarget(obj(source.target), `${path}.${key}.target`));
  return errs;
}

export function validateHorizontalPodAutoscaler(hpa: KubeObject): FieldError[] {
  const spec = obj(hpa.spec);
  const errs: FieldError[] = [];
  const ref = obj(spec.scaleTargetRef);
  if (!ref.kind) errs.push(fieldErrors.required('spec.scaleTargetRef.kind'));
  if (!ref.name) errs.push(fieldErrors.required('spec.scaleTargetRef.name'));
  const min = spec.minReplicas;
  if (typeof min === 'number' && min < 1) errs.push(fieldErrors.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  const max = spec.maxReplicas;
  if (typeof max !== 'number' || max < 1) errs.push(fieldErrors.invalid('spec.maxReplicas', max ?? 0, 'must be greater than 0'));
  else if (typeof min === 'number' && max < min) errs.push(fieldErrors.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  if (isV1(hpa)) {
    const cpu = spec.targetCPUUtilizationPercentage;
    if (typeof cpu === 'number' && cpu < 1) errs.push(fieldErrors.invalid('spec.targetCPUUtilizationPercentage', cpu, 'must be greater than or equal to 1'));
  } else {
    arr(spec.metrics).forEach((metric, i) => errs.push(...validateMetric(obj(metric), `spec.metrics[${i}]`)));
  }
  return errs;
}

export const horizontalPodAutoscalerStrategy: Strategy = {
  defaults: defaultHorizontalPodAutoscaler,
  validate: validateHorizontalPodAutoscaler,
};
