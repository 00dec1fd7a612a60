// Namespaces: always Active on create with the `kubernetes` finalizer; names are DNS labels.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isQualifiedName } from '../../../machinery/validation/names.js';
import { validateNamespaceName } from '../../../machinery/validation/object-meta.js';
import type { Strategy } from '../strategy.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const STANDARD_FINALIZERS = new Set(['kubernetes']);

function finalizersOf(obj: KubeObject): string[] {
  const spec = isObject(obj.spec) ? obj.spec : {};
  return Array.isArray(spec.finalizers) ? spec.finalizers.map(String) : [];
}

/** spec.finalizers: qualified names, and unqualified ones must be standard (`kubernetes`). */
export function validateNamespaceFinalizers(finalizers: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  finalizers.forEach((name, i) => {
    const p = `${path}[${i}]`;
    const msgs = isQualifiedName(name);
    errs.push(...msgs.map((m) => fieldErrors.invalid(p, name, m)));
    if (msgs.length === 0 && !name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
      errs.push(fieldErrors.invalid(p, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

const PHASES = ['Active', 'Terminating'];

export const namespaceStrategy: Strategy = {
  nameValidator: validateNamespaceName,
  defaults(obj) {
    // Every namespace carries its own name as a label, so selectors can pick namespaces by name.
    if (obj.metadata.name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: obj.metadata.name };
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    const spec = isObject(obj.spec) ? obj.spec : {};
    const finalizers = finalizersOf(obj);
    if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
    obj.spec = { ...spec, finalizers };
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers only change through the finalize subresource.
    const spec = isObject(obj.spec) ? obj.spec : {};
    obj.spec = { ...spec, finalizers: finalizersOf(old) };
  },
  validate(obj) {
    return validateNamespaceFinalizers(finalizersOf(obj), 'spec.finalizers');
  },
  validateUpdate(obj) {
    return validateNamespaceFinalizers(finalizersOf(obj), 'spec.finalizers');
  },
  validateStatusUpdate(obj) {
    const status = isObject(obj.status) ? obj.status : {};
    const phase = typeof status.phase === 'string' ? status.phase : '';
    return phase && !PHASES.includes(phase) ? [fieldErrors.notSupported('status.phase', phase, PHASES)] : [];
  },
  tracksGeneration: false,
  // A namespace stays (Terminating) until the namespace controller has emptied it and removed the
  // `kubernetes` finalizer through /finalize.
  holdsDeletion: (obj) => finalizersOf(obj).length > 0,
  prepareForDelete(obj) {
    obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: 'Terminating' };
  },
  fieldAttributes(obj) {
    const status = isObject(obj.status) ? obj.status : {};
    return { 'status.phase': typeof status.phase === 'string' ? status.phase : '' };
  },
};
