// Kind-specific name rules. The registry checks every name as a DNS-1123 subdomain; kinds with a
// stricter rule add the rest from their own validate(), only when the general check passed, so
// that no name is reported twice.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { ObjectMeta } from '../../../api/meta.js';
import { maskTrailingDash, nameIsDNSSubdomain } from '../../../machinery/validation/names.js';

export type NameValidator = (name: string, prefix?: boolean) => string[];

export function stricterNameErrors(meta: ObjectMeta, validator: NameValidator): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.name && nameIsDNSSubdomain(meta.name).length === 0) {
    errs.push(...validator(meta.name, false).map((m) => fieldErrors.invalid('metadata.name', meta.name, m)));
  }
  if (meta.generateName && nameIsDNSSubdomain(meta.generateName, true).length === 0) {
    const masked = maskTrailingDash(meta.generateName);
    errs.push(...validator(masked, true).map((m) => fieldErrors.invalid('metadata.generateName', meta.generateName, m)));
  }
  return errs;
}
