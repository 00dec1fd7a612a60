// core/v1 Events: the involved object's namespace must match the event's.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { isObject, str } from './pod-container-validation.js';

type Json = Record<string, unknown>;
const involved = (obj: KubeObject): Json => (isObject(obj.involvedObject) ? obj.involvedObject : {});

export function validateEvent(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = obj.metadata.namespace ?? '';
  const involvedNs = str(involved(obj).namespace);
  // Events about cluster-scoped objects live in "default" (or nowhere).
  if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) {
    errs.push(fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  }
  if (obj.count !== undefined && typeof obj.count === 'number' && obj.count < 0) {
    errs.push(fieldErrors.invalid('count', obj.count, 'must be greater than or equal to 0'));
  }
  return errs;
}

export const eventStrategy: Strategy = {
  validate: validateEvent,
  validateUpdate: validateEvent,
  statusFields: [],
  tracksGeneration: false,
  fieldAttributes(obj) {
    const ref = involved(obj);
    const source = isObject(obj.source) ? obj.source : {};
    return {
      'involvedObject.kind': str(ref.kind),
      'involvedObject.namespace': str(ref.namespace),
      'involvedObject.name': str(ref.name),
      'involvedObject.uid': str(ref.uid),
      'involvedObject.apiVersion': str(ref.apiVersion),
      'involvedObject.resourceVersion': str(ref.resourceVersion),
      'involvedObject.fieldPath': str(ref.fieldPath),
      reason: str(obj.reason),
      reportingComponent: str(obj.reportingComponent),
      source: str(source.component),
      type: str(obj.type),
    };
  },
};
