// metadata.managedFields in memory: one FieldSet per manager identity, and back to the wire form.

import { ApiError, type StatusCause } from '../../api/errors.js';
import type { ManagedFieldsEntry } from '../../api/meta.js';
import { FieldSet, describePath, fieldElement, type FieldPath } from './fieldset.js';

export interface ManagerRecord {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
  /** The wire form `set` was decoded from: reused as long as `set` is still that same instance. */
  decoded?: { from: FieldSet; fieldsV1: unknown };
}

/** Manager identity -> its record. Identities are compared by key (see managerKey). */
export type ManagerTable = Map<string, ManagerRecord>;

/**
 * The identity of a manager, as Kubernetes builds it: the entry without fields and time, and for
 * appliers without apiVersion too (so an applier keeps its identity across versions).
 */
export function managerKey(record: Pick<ManagerRecord, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const identity: Record<string, string> = { manager: record.manager, operation: record.operation };
  if (record.operation === 'Update' && record.apiVersion) identity.apiVersion = record.apiVersion;
  if (record.subresource) identity.subresource = record.subresource;
  return JSON.stringify(identity);
}

export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | undefined): ManagerTable {
  const table: ManagerTable = new Map();
  if (!Array.isArray(entries)) return table;
  for (const entry of entries as readonly ManagedFieldsEntry[]) {
    if (!entry || typeof entry !== 'object') continue;
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') continue;
    const record: ManagerRecord = {
      manager: entry.manager ?? '',
      operation: entry.operation,
      apiVersion: entry.apiVersion ?? '',
      set: FieldSet.fromFieldsV1(entry.fieldsV1),
    };
    if (entry.time) record.time = entry.time;
    if (entry.subresource) record.subresource = entry.subresource;
    const key = managerKey(record);
    const previous = table.get(key);
    if (previous) record.set = record.set.union(previous.set);
    else record.decoded = { from: record.set, fieldsV1: entry.fieldsV1 };
    table.set(key, record);
  }
  return table;
}

/** True for `[{}]`: a client asking to clear managedFields (Kubernetes resets them then). */
export function isManagedFieldsReset(entries: readonly ManagedFieldsEntry[] | undefined): boolean {
  return entries !== undefined && entries.length === 1 && Object.keys(entries[0] ?? {}).length === 0;
}

/**
 * Wire entries, empty sets dropped, sorted as Kubernetes sorts them: Apply before Update, then
 * by time (seconds), manager, apiVersion, subresource. Undefined when nothing is managed.
 */
export function encodeManagedFields(table: ManagerTable): ManagedFieldsEntry[] | undefined {
  const entries: ManagedFieldsEntry[] = [];
  const seconds = new Map<ManagedFieldsEntry, number>();
  for (const record of table.values()) {
    if (record.set.isEmpty()) continue;
    // Key order follows the Go struct, as kubectl shows it with --show-managed-fields.
    const entry: ManagedFieldsEntry = { manager: record.manager, operation: record.operation, apiVersion: record.apiVersion };
    if (record.time) entry.time = record.time;
    entry.fieldsType = 'FieldsV1';
    // Most writes leave most managers' sets alone: their entries need no new encoding.
    entry.fieldsV1 = record.decoded?.from === record.set ? (record.decoded.fieldsV1 as Record<string, unknown>) : record.set.toFieldsV1();
    if (record.subresource) entry.subresource = record.subresource;
    entries.push(entry);
    seconds.set(entry, timeSeconds(entry.time));
  }
  if (entries.length > 1) entries.sort((p, q) => compareEntries(p, q, seconds));
  return entries.length > 0 ? entries : undefined;
}

function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry, seconds: ReadonlyMap<ManagedFieldsEntry, number>): number {
  return (
    compareText(p.operation ?? '', q.operation ?? '') ||
    seconds.get(p)! - seconds.get(q)! ||
    compareText(p.manager ?? '', q.manager ?? '') ||
    compareText(p.apiVersion ?? '', q.apiVersion ?? '') ||
    compareText(p.subresource ?? '', q.subresource ?? '')
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function timeSeconds(time: string | undefined): number {
  const ms = time ? Date.parse(time) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

// ---- fields the server manages itself ----

/** Paths never recorded for any manager (what Kubernetes strips before tracking ownership). */
export const SYSTEM_FIELDS: FieldSet = FieldSet.of(
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  [fieldElement('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (name): FieldPath => [fieldElement('metadata'), fieldElement(name)],
  ),
);

/** The set without system fields and without the subtrees of `ignored` (e.g. `[['status']]`). */
export function withoutUntracked(set: FieldSet, ignored: readonly (readonly string[])[]): FieldSet {
  return dropUntracked(set.clone(), ignored);
}

/** withoutUntracked in place, for a set the caller has just built and nobody else holds. */
export function dropUntracked(set: FieldSet, ignored: readonly (readonly string[])[]): FieldSet {
  set.removeMembers(SYSTEM_FIELDS).removeSubtree(MANAGED_FIELDS_PATH);
  for (const path of ignored) set.removeSubtree(path.map(fieldElement));
  return set;
}

const MANAGED_FIELDS_PATH: FieldPath = [fieldElement('metadata'), fieldElement('managedFields')];

// ---- conflicts ----

export interface FieldConflict {
  managerKey: string;
  record: ManagerRecord;
  path: FieldPath;
}

/** How Kubernetes names a manager in conflicts: `"name" using apps/v1` for updaters, `"name"` for appliers. */
export function describeManager(record: ManagerRecord): string {
  const name = JSON.stringify(record.manager);
  return record.operation === 'Update' ? `${name} using ${record.apiVersion}` : name;
}

/** 409 Conflict with one FieldManagerConflict cause per path, worded as the Kubernetes API server does. */
export function applyConflictError(conflicts: readonly FieldConflict[]): ApiError {
  const causes: StatusCause[] = conflicts.map((conflict) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(conflict.record)}`,
    field: describePath(conflict.path),
  }));
  return new ApiError('Conflict', 409, conflictMessage(conflicts), { causes });
}

function conflictMessage(conflicts: readonly FieldConflict[]): string {
  if (conflicts.length === 1) {
    const [only] = conflicts;
    return `Apply failed with 1 conflict: conflict with ${describeManager(only.record)}: ${describePath(only.path)}`;
  }
  const byManager = new Map<string, FieldConflict[]>();
  for (const conflict of conflicts) {
    const group = byManager.get(conflict.managerKey) ?? [];
    group.push(conflict);
    byManager.set(conflict.managerKey, group);
  }
  const lines: string[] = [];
  for (const key of [...byManager.keys()].sort(compareText)) {
    const group = byManager.get(key)!;
    lines.push(`conflicts with ${describeManager(group[0].record)}:`);
    for (const conflict of group) lines.push(`- ${describePath(conflict.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
