// apps/v1 ReplicaSet.

import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { defaultWorkloadTemplate, immutableSelector, specOf, validateReplicatedTemplate, validateReplicasAndReadiness } from './apps-common.js';
import { obj, setDefault } from './group-helpers.js';

export function defaultReplicaSet(rs: KubeObject): void {
  setDefault(specOf(rs), 'replicas', 1);
  defaultWorkloadTemplate(rs);
}

export function validateReplicaSet(rs: KubeObject): FieldError[] {
  const spec = obj(rs.spec);
  // Kubernetes says "deployment" here too: ReplicaSets share the Deployment's selector check.
  return [...validateReplicasAndReadiness(spec), ...validateReplicatedTemplate(spec, 'deployment')];
}

export const replicaSetStrategy: Strategy = {
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,
  validateUpdate: (rs, old) => [...validateReplicaSet(rs), ...immutableSelector(rs, old)],
};
