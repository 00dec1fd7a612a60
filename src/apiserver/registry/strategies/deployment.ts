// apps/v1 Deployment: defaults (1 replica, RollingUpdate 25%/25%, history 10, deadline 600s)
// and the validation rules of pkg/apis/apps/validation.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { defaultWorkloadTemplate, immutableSelector, specOf, validateReplicatedTemplate, validateReplicasAndReadiness } from './apps-common.js';
import { child, goIntOrString, intOrPercent, intOrPercentValue, invalidRendered, isObject, nonNegative, notMoreThan100Percent, obj, setDefault, type Json } from './group-helpers.js';

export function defaultDeployment(d: KubeObject): void {
  const spec = specOf(d);
  setDefault(spec, 'replicas', 1);
  const strategy = child(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = child(strategy, 'rollingUpdate');
    setDefault(rollingUpdate, 'maxUnavailable', '25%');
    setDefault(rollingUpdate, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultWorkloadTemplate(d);
}

function validateRollingUpdate(rollingUpdate: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...intOrPercent(rollingUpdate.maxUnavailable, `${path}.maxUnavailable`));
  errs.push(...intOrPercent(rollingUpdate.maxSurge, `${path}.maxSurge`));
  if (intOrPercentValue(rollingUpdate.maxUnavailable) === 0 && intOrPercentValue(rollingUpdate.maxSurge) === 0) {
    errs.push(invalidRendered(`${path}.maxUnavailable`, goIntOrString(rollingUpdate.maxUnavailable ?? 0), 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...notMoreThan100Percent(rollingUpdate.maxUnavailable, `${path}.maxUnavailable`));
  return errs;
}

function validateStrategy(strategy: Json): FieldError[] {
  const path = 'spec.strategy';
  switch (strategy.type) {
    case 'Recreate':
      return strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null
        ? [fieldErrors.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")]
        : [];
    case 'RollingUpdate':
      return isObject(strategy.rollingUpdate) ? validateRollingUpdate(strategy.rollingUpdate, `${path}.rollingUpdate`) : [];
    case undefined:
    case '':
      return [fieldErrors.required(`${path}.type`)];
    default:
      return [fieldErrors.notSupported(`${path}.type`, strategy.type, ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeployment(d: KubeObject): FieldError[] {
  const spec = obj(d.spec);
  const errs: FieldError[] = [...validateReplicasAndReadiness(spec)];
  errs.push(...validateReplicatedTemplate(spec, 'deployment'));
  errs.push(...validateStrategy(obj(spec.strategy)));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    const minReady = typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0;
    if (spec.progressDeadlineSeconds <= minReady) {
      errs.push(fieldErrors.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export const deploymentStrategy: Strategy = {
  defaults: defaultDeployment,
  validate: validateDeployment,
  validateUpdate: (d, old) => [...validateDeployment(d), ...immutableSelector(d, old)],
};
