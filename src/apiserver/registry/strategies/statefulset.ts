// apps/v1 StatefulSet: ordered pods with stable names; most of its spec is fixed after creation.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { defaultWorkloadTemplate, specOf, validateReplicatedTemplate, validateReplicasAndReadiness } from './apps-common.js';
import { arr, child, deepEqual, intOrPercent, isObject, nonNegative, obj, setDefault } from './group-helpers.js';
import { isDNS1123Label } from '../../../machinery/validation/names.js';

/** Spec fields an update may change; anything else is forbidden. */
const MUTABLE_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] as const;

export function defaultStatefulSet(sts: KubeObject): void {
  const spec = specOf(sts);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const updateStrategy = child(spec, 'updateStrategy');
  setDefault(updateStrategy, 'type', 'RollingUpdate');
  if (updateStrategy.type === 'RollingUpdate') setDefault(child(updateStrategy, 'rollingUpdate'), 'partition', 0);
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  for (const claim of arr(spec.volumeClaimTemplates)) {
    if (!isObject(claim)) continue;
    setDefault(child(claim, 'spec'), 'volumeMode', 'Filesystem');
  }
  defaultWorkloadTemplate(sts);
}

export function validateStatefulSet(sts: KubeObject): FieldError[] {
  const spec = obj(sts.spec);
  const errs: FieldError[] = [...validateReplicasAndReadiness(spec)];
  if (typeof spec.serviceName === 'string' && spec.serviceName !== '') {
    for (const msg of isDNS1123Label(spec.serviceName)) errs.push(fieldErrors.invalid('spec.serviceName', spec.serviceName, msg));
  }
  const policy = spec.podManagementPolicy;
  if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(policy === undefined || policy === '' ? fieldErrors.required('spec.podManagementPolicy', '') : fieldErrors.notSupported('spec.podManagementPolicy', policy, ['OrderedReady', 'Parallel']));
  }
  const updateStrategy = obj(spec.updateStrategy);
  switch (updateStrategy.type) {
    case 'OnDelete':
      if (updateStrategy.rollingUpdate !== undefined && updateStrategy.rollingUpdate !== null) {
        errs.push(fieldErrors.invalid('spec.updateStrategy.rollingUpdate', updateStrategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate': {
      const rollingUpdate = obj(updateStrategy.rollingUpdate);
      errs.push(...nonNegative(rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      errs.push(...intOrPercent(rollingUpdate.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      break;
    }
    case undefined:
    case '':
      errs.push(fieldErrors.required('spec.updateStrategy', ''));
      break;
    default:
      errs.push(fieldErrors.notSupported('spec.updateStrategy.type', updateStrategy.type, ['OnDelete', 'RollingUpdate']));
  }
  const retention = obj(spec.persistentVolumeClaimRetentionPolicy);
  for (const key of ['whenDeleted', 'whenScaled']) {
    const value = retention[key];
    if (value !== undefined && value !== 'Retain' && value !== 'Delete') {
      errs.push(fieldErrors.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${key}`, value, ['Retain', 'Delete']));
    }
  }
  if (isObject(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  // Containers may mount the claims their volumeClaimTemplates create.
  const claimNames = arr(spec.volumeClaimTemplates).flatMap((claim) => {
    const name = isObject(claim) && isObject(claim.metadata) ? claim.metadata.name : undefined;
    return typeof name === 'string' ? [name] : [];
  });
  errs.push(...validateReplicatedTemplate(spec, 'statefulset', claimNames));
  return errs;
}

export function validateStatefulSetUpdate(sts: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateStatefulSet(sts);
  const next: Record<string, unknown> = { ...obj(sts.spec) };
  const prev: Record<string, unknown> = { ...obj(old.spec) };
  for (const field of MUTABLE_FIELDS) {
    delete next[field];
    delete prev[field];
  }
  if (!deepEqual(next, prev)) {
    errs.push(
      fieldErrors.forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export const statefulSetStrategy: Strategy = {
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
};
