// apps/v1 DaemonSet: one pod per eligible node, rolled one node at a time by default.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { defaultWorkloadTemplate, immutableSelector, specOf, validateReplicatedTemplate } from './apps-common.js';
import { child, goIntOrString, intOrPercent, intOrPercentValue, invalidRendered, nonNegative, notMoreThan100Percent, obj, setDefault } from './group-helpers.js';

export function defaultDaemonSet(ds: KubeObject): void {
  const spec = specOf(ds);
  const updateStrategy = child(spec, 'updateStrategy');
  setDefault(updateStrategy, 'type', 'RollingUpdate');
  if (updateStrategy.type === 'RollingUpdate') {
    const rollingUpdate = child(updateStrategy, 'rollingUpdate');
    setDefault(rollingUpdate, 'maxUnavailable', 1);
    setDefault(rollingUpdate, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultWorkloadTemplate(ds);
}

export function validateDaemonSet(ds: KubeObject): FieldError[] {
  const spec = obj(ds.spec);
  const errs: FieldError[] = [...validateReplicatedTemplate(spec, 'daemonset')];
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const updateStrategy = obj(spec.updateStrategy);
  const path = 'spec.updateStrategy';
  switch (updateStrategy.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      const rollingUpdate = obj(updateStrategy.rollingUpdate);
      const ruPath = `${path}.rollingUpdate`;
      errs.push(...intOrPercent(rollingUpdate.maxUnavailable, `${ruPath}.maxUnavailable`));
      errs.push(...notMoreThan100Percent(rollingUpdate.maxUnavailable, `${ruPath}.maxUnavailable`));
      errs.push(...intOrPercent(rollingUpdate.maxSurge, `${ruPath}.maxSurge`));
      errs.push(...notMoreThan100Percent(rollingUpdate.maxSurge, `${ruPath}.maxSurge`));
      const unavailable = intOrPercentValue(rollingUpdate.maxUnavailable);
      const surge = intOrPercentValue(rollingUpdate.maxSurge);
      if (unavailable === 0 && surge === 0) {
        errs.push(invalidRendered(`${ruPath}.maxUnavailable`, goIntOrString(rollingUpdate.maxUnavailable ?? 0), 'may not be 0 when `maxSurge` is 0'));
      }
      if (unavailable !== 0 && surge !== 0) {
        errs.push(invalidRendered(`${ruPath}.maxSurge`, goIntOrString(rollingUpdate.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      }
      break;
    }
    case undefined:
    case '':
      errs.push(fieldErrors.required(`${path}.type`));
      break;
    default:
      errs.push(fieldErrors.notSupported(`${path}.type`, updateStrategy.type, ['OnDelete', 'RollingUpdate']));
  }
  return errs;
}

export const daemonSetStrategy: Strategy = {
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,
  validateUpdate: (ds, old) => [...validateDaemonSet(ds), ...immutableSelector(ds, old)],
};
