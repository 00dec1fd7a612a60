// ObjectMeta checks shared by every kind, on create and on update.

import { fieldErrors, type FieldError } from '../../api/errors.js';
import type { ObjectMeta } from '../../api/meta.js';
import { validateAnnotations, validateLabels } from './labels.js';
import { isDNS1123Label, isQualifiedName, maskTrailingDash, nameIsDNSSubdomain } from './names.js';

export const FIELD_IMMUTABLE_MESSAGE = 'field is immutable';

export interface ObjectMetaOptions {
  namespaced: boolean;
  /** Checks a name (or, with `prefix`, a generateName); defaults to a DNS-1123 subdomain check. */
  nameValidator?: (name: string, prefix?: boolean) => string[];
  /** Kinds whose objects need no name (reviews). */
  nameOptional?: boolean;
  /** Path of the metadata in the object; `metadata` unless the metadata is nested (pod templates). */
  path?: string;
}

/** Namespace names are DNS-1123 labels; generateName prefixes may end in '-'. */
export function validateNamespaceName(name: string, prefix = false): string[] {
  return isDNS1123Label(prefix ? maskTrailingDash(name) : name);
}

export function validateObjectMeta(meta: ObjectMeta, options: ObjectMetaOptions): FieldError[] {
  const path = options.path ?? 'metadata';
  const checkName = options.nameValidator ?? nameIsDNSSubdomain;
  const errs: FieldError[] = [];
  if (meta.generateName) {
    // Masking here too keeps one-argument validators from rejecting the trailing '-' of a prefix.
    for (const msg of checkName(maskTrailingDash(meta.generateName), true)) errs.push(fieldErrors.invalid(`${path}.generateName`, meta.generateName, msg));
  }
  if (!meta.name) {
    if (!options.nameOptional) errs.push(fieldErrors.required(`${path}.name`, 'name or generateName is required'));
  } else {
    for (const msg of checkName(meta.name, false)) errs.push(fieldErrors.invalid(`${path}.name`, meta.name, msg));
  }
  if (options.namespaced) {
    if (!meta.namespace) errs.push(fieldErrors.required(`${path}.namespace`));
    else for (const msg of validateNamespaceName(meta.namespace)) errs.push(fieldErrors.invalid(`${path}.namespace`, meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(fieldErrors.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number' && meta.generation < 0) {
    errs.push(fieldErrors.invalid(`${path}.generation`, meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, `${path}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  return errs;
}

/** Kinds that may never own other objects. */
const BANNED_OWNERS = new Set(['/v1/Event']);

export function validateOwnerReferences(refs: ObjectMeta['ownerReferences'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    const slash = apiVersion.lastIndexOf('/');
    const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
    const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
    if (!version) errs.push(fieldErrors.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErrors.invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(fieldErrors.invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(fieldErrors.invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (BANNED_OWNERS.has(`${group}/${version}/${ref.kind}`)) {
      errs.push(fieldErrors.invalid(path, ref, `${group}/${version}, Kind=${ref.kind} is disallowed from being an owner`));
    }
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          fieldErrors.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const finalizer of finalizers ?? []) {
    for (const msg of isQualifiedName(finalizer)) errs.push(fieldErrors.invalid(path, finalizer, msg));
  }
  const list = finalizers ?? [];
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(fieldErrors.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** Deep equality for JSON values; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const aKeys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bKeys = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return aKeys.length === bKeys.length && aKeys.every((k) => jsonEqual(ao[k], bo[k]));
}

/** `field is immutable` when the value changed. Missing and empty-string values count as the same (Go zero values). */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: string): FieldError[] {
  const normalise = (v: unknown): unknown => (v === '' ? undefined : v);
  if (jsonEqual(normalise(newValue), normalise(oldValue))) return [];
  return [fieldErrors.invalid(path, newValue ?? '', FIELD_IMMUTABLE_MESSAGE)];
}

/**
 * Metadata rules on update. The resourceVersion precondition is the registry's business (it fills
 * one in for unconditional updates), so it is not checked here.
 */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const before = new Set(old.finalizers ?? []);
    const added = [...new Set((meta.finalizers ?? []).filter((f) => !before.has(f)))].sort();
    if (added.length > 0) {
      const list = added.map((f) => JSON.stringify(f)).join(', ');
      errs.push(fieldErrors.forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${list}}`));
    }
  }
  if ((meta.generation ?? 0) < (old.generation ?? 0)) {
    errs.push(fieldErrors.invalid(`${path}.generation`, meta.generation ?? 0, 'must not be decremented'));
  }
  errs.push(...validateImmutableField(meta.name, old.name, `${path}.name`));
  errs.push(...validateImmutableField(meta.namespace, old.namespace, `${path}.namespace`));
  errs.push(...validateImmutableField(meta.uid, old.uid, `${path}.uid`));
  errs.push(...validateImmutableField(meta.creationTimestamp, old.creationTimestamp, `${path}.creationTimestamp`));
  errs.push(...validateImmutableField(meta.deletionTimestamp, old.deletionTimestamp, `${path}.deletionTimestamp`));
  errs.push(...validateImmutableField(meta.deletionGracePeriodSeconds, old.deletionGracePeriodSeconds, `${path}.deletionGracePeriodSeconds`));
  errs.push(...validateLabels(meta.labels, `${path}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  return errs;
}
