// Server-side apply and field ownership tracking (the semantics of Kubernetes' structured-merge-diff):
// - apply(): merge an applied configuration into the live object as one field manager, with
//   conflict detection against the other managers and removal of fields the applier dropped;
// - updateManagedFields(): record ownership for ordinary writes (create, update, patch).

import type { KubeObject, ManagedFieldsEntry } from '../../api/meta.js';
import type { TypeRegistry } from '../../api/schema/dsl.js';
import { FieldSet } from './fieldset.js';
import { mergeApplied, removeUnowned } from './merge.js';
import {
  applyConflictError,
  decodeManagedFields,
  dropUntracked,
  encodeManagedFields,
  isManagedFieldsReset,
  managerKey,
  withoutUntracked,
  type FieldConflict,
  type ManagerRecord,
  type ManagerTable,
} from './managed-fields.js';
import { compareChanges, fieldSetOf, jsonEqual } from './object-fields.js';
import { shapeOfTypeName, type Shape } from './shape.js';

interface CommonOptions {
  manager: string;
  /** OpenAPI name of the object's type, e.g. `io.k8s.api.apps.v1.Deployment`. */
  typeName: string;
  types: TypeRegistry;
  /** The apiVersion the request used (`apps/v1`); recorded in the managedFields entry. */
  apiVersion: string;
  /** RFC 3339 time recorded for managers whose fields changed. */
  now: string;
  subresource?: string;
  /**
   * Field paths (by field name) whose ownership is not tracked for this endpoint, as the
   * strategies' reset fields: e.g. `[['status']]` on the main resource, `[['spec']]` on /status.
   */
  ignoredFields?: readonly (readonly string[])[];
}

export interface ApplyOptions extends CommonOptions {
  /** Take ownership of conflicting fields instead of failing. */
  force: boolean;
}

export interface UpdateOptions extends CommonOptions {
  operation: 'Update';
}

/**
 * Applies `applied` (the user's configuration) over `live` (undefined when the object does not
 * exist yet). Throws a 409 Conflict ApiError listing every field that another manager owns and
 * the configuration would change, unless `force`. Inputs are not modified.
 */
export function apply(live: KubeObject | undefined, applied: KubeObject, options: ApplyOptions): { object: KubeObject } {
  const shape = shapeOfTypeName(options.typeName, options.types);
  const ignored = options.ignoredFields ?? [];
  const liveBody = withoutManagedFields(live ?? { metadata: {} });
  const appliedBody = withoutManagedFields(applied);
  const managers = decodeManagedFields(live?.metadata.managedFields);

  const self: ManagerRecord = {
    manager: options.manager,
    operation: 'Apply',
    apiVersion: options.apiVersion,
    set: dropUntracked(fieldSetOf(appliedBody, shape), ignored),
  };
  if (options.subresource) self.subresource = options.subresource;
  const selfKey = managerKey(self);
  const previous = managers.get(selfKey);
  if (previous?.time) self.time = previous.time;
  managers.set(selfKey, self);

  const merged = mergeApplied(liveBody, appliedBody, shape) as KubeObject;
  // Fields this applier owned before and no longer sets go, unless someone still owns them.
  const given = withoutUntracked(previous?.set ?? FieldSet.empty(), ignored).difference(self.set);
  removeUnowned(merged, shape, given, unionOfSets(managers));

  const changes = compareChanges(liveBody, merged, shape);
  const changed = dropUntracked(changes.changed, ignored);
  const removed = dropUntracked(changes.removed, ignored);
  const conflicts = findConflicts(managers, selfKey, changed);
  if (conflicts.length > 0 && !options.force) throw applyConflictError(conflicts);
  releaseFields(managers, selfKey, changed, removed);

  const unchanged = live !== undefined && jsonEqual(liveBody, merged);
  if (!unchanged || !self.time) self.time = options.now;
  return { object: withManagedFields(merged, managers) };
}

/**
 * Records ownership for a non-apply write: the fields that differ between `old` (undefined on
 * create) and `updated` become owned by this manager (operation Update) and are taken from every
 * other manager; removed fields are released by everyone. Returns a copy of `updated` with the
 * new managedFields.
 */
export function updateManagedFields(old: KubeObject | undefined, updated: KubeObject, options: UpdateOptions): KubeObject {
  const shape = shapeOfTypeName(options.typeName, options.types);
  const ignored = options.ignoredFields ?? [];
  const managers = managersForUpdate(old, updated);
  // Only compared, never changed: a shallow view saves deep-copying both objects on every write.
  const oldBody = viewWithoutManagedFields(old ?? { metadata: {} });
  const newBody = viewWithoutManagedFields(updated);

  const changes = compareChanges(oldBody, newBody, shape);
  const changed = dropUntracked(changes.changed, ignored);
  const removed = dropUntracked(changes.removed, ignored);
  releaseFields(managers, undefined, changed, removed);

  if (!changed.isEmpty()) {
    const self: ManagerRecord = { manager: options.manager, operation: 'Update', apiVersion: options.apiVersion, set: changed };
    if (options.subresource) self.subresource = options.subresource;
    const key = managerKey(self);
    const previous = managers.get(key);
    if (previous) self.set = previous.set.union(changed);
    self.time = options.now;
    managers.set(key, self);
  }
  return withManagedFields(newBody, managers);
}

/** The default field manager for a request without `fieldManager`: the user agent before its first `/`. */
export function managerFromUserAgent(userAgent: string): string {
  // Clients send the same few user agents on every request.
  let manager = managersByUserAgent.get(userAgent);
  if (manager === undefined) {
    manager = managerFromUserAgentUncached(userAgent);
    if (managersByUserAgent.size >= 256) managersByUserAgent.clear();
    managersByUserAgent.set(userAgent, manager);
  }
  return manager;
}

const managersByUserAgent = new Map<string, string>();

function managerFromUserAgentUncached(userAgent: string): string {
  const prefix = userAgent.split('/')[0];
  let out = '';
  for (const ch of prefix) {
    if (/\p{C}/u.test(ch)) continue; // not printable
    if (utf8.encode(out + ch).length > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

export const FIELD_MANAGER_MAX_LENGTH = 128;
const utf8 = new TextEncoder();

// ---- helpers ----

/** Kubernetes takes the managers from the new object when the client sent some, else from the old. */
function managersForUpdate(old: KubeObject | undefined, updated: KubeObject): ManagerTable {
  const sent = updated.metadata?.managedFields;
  if (isManagedFieldsReset(sent)) return new Map();
  const fromRequest = decodeManagedFields(sent);
  if (fromRequest.size > 0) return fromRequest;
  return decodeManagedFields(old?.metadata?.managedFields);
}

function findConflicts(managers: ManagerTable, selfKey: string, changed: FieldSet): FieldConflict[] {
  const conflicts: FieldConflict[] = [];
  for (const key of [...managers.keys()].sort()) {
    if (key === selfKey) continue;
    const record = managers.get(key)!;
    for (const path of record.set.intersection(changed).paths()) conflicts.push({ managerKey: key, record, path });
  }
  return conflicts;
}

/** Other managers lose the fields that changed hands and the fields that no longer exist. */
function releaseFields(managers: ManagerTable, selfKey: string | undefined, changed: FieldSet, removed: FieldSet): void {
  for (const [key, record] of managers) {
    if (key === selfKey) continue;
    // Keep the same instance when nothing was taken, so its wire form can be reused.
    if (!record.set.intersects(changed) && !record.set.intersects(removed)) continue;
    record.set = record.set.difference(changed).difference(removed);
    if (record.set.isEmpty()) managers.delete(key);
  }
}

function unionOfSets(managers: ManagerTable): FieldSet {
  let all = FieldSet.empty();
  for (const record of managers.values()) all = all.union(record.set);
  return all;
}

function withoutManagedFields(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  if (copy.metadata) delete copy.metadata.managedFields;
  else copy.metadata = {};
  return copy;
}

/** The object without managedFields, sharing everything else with it (callers must not mutate it). */
function viewWithoutManagedFields(object: KubeObject): KubeObject {
  const { managedFields: _managed, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}

function withManagedFields(object: KubeObject, managers: ManagerTable): KubeObject {
  const entries: ManagedFieldsEntry[] | undefined = encodeManagedFields(managers);
  const metadata = { ...(object.metadata ?? {}) };
  if (entries) metadata.managedFields = entries;
  else delete metadata.managedFields;
  return { ...object, metadata };
}

/** The shape the apply machinery derives for a type (exposed for callers that walk objects). */
export function shapeFor(typeName: string, types: TypeRegistry): Shape {
  return shapeOfTypeName(typeName, types);
}
