// Merging an applied configuration into a live object, and removing the fields an applier gave up.

import { FieldSet, fieldElement, isPlainObject, type PathElement } from './fieldset.js';
import { childShape, indexItems, isContainer, itemElement, itemShape, type Shape } from './shape.js';

/**
 * The live object with the applied configuration laid over it: the applied value wins at leaves,
 * objects merge key by key, list-maps and sets merge item by item (live-only items keep their
 * place after the item they followed), atomic values are replaced. A null in the applied
 * configuration unsets the field. Neither input is modified.
 */
export function mergeApplied(live: unknown, applied: unknown, shape: Shape): unknown {
  if (applied === undefined) return structuredClone(live);
  if (live === undefined || live === null) return stripNulls(applied);
  if (isPlainObject(live) && isPlainObject(applied) && (shape.kind === 'struct' || shape.kind === 'deduced')) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(live), ...Object.keys(applied)])) {
      if (applied[key] === null) continue;
      const described = childShape(shape, key);
      const merged = described ? mergeApplied(live[key], applied[key], described.shape) : structuredClone(applied[key] ?? live[key]);
      if (merged !== undefined) out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(applied) && (shape.kind === 'listMap' || shape.kind === 'set')) {
    return mergeLists(live, applied, shape);
  }
  return stripNulls(applied);
}

function mergeLists(live: readonly unknown[], applied: readonly unknown[], shape: Shape): unknown[] {
  const liveItems = indexItems(shape, live);
  const appliedItems = indexItems(shape, applied);
  // Live-only items are anchored to the shared item they followed in the live list.
  const anchored = new Map<PathElement | null, unknown[]>();
  let anchor: PathElement | null = null;
  for (const item of live) {
    const element = itemElement(shape, item);
    if (element !== undefined && appliedItems.has(element)) {
      anchor = element;
      continue;
    }
    if (element !== undefined && liveItems.get(element) !== item) continue; // a duplicate
    const group = anchored.get(anchor) ?? [];
    group.push(structuredClone(item));
    anchored.set(anchor, group);
  }
  const out: unknown[] = [...(anchored.get(null) ?? [])];
  for (const [element, appliedItem] of appliedItems) {
    out.push(mergeApplied(liveItems.get(element), appliedItem, itemShape(shape)));
    if (liveItems.has(element)) out.push(...(anchored.get(element) ?? []));
  }
  return out;
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isPlainObject(value)) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== null && child !== undefined) out[key] = stripNulls(child);
  }
  return out;
}

/**
 * Removes from `value` (in place) every member of `remove` that nobody in `keep` owns, itself or
 * below it. An object or list emptied only by this removal is dropped too, as Go omits empty maps
 * and slices. Key fields of list-map items that stay are never removed.
 */
export function removeUnowned(value: unknown, shape: Shape, remove: FieldSet, keep: FieldSet): void {
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const described = childShape(shape, key);
      if (!described) continue;
      const emptied = pruneChild(fieldElement(key), value[key], described.shape, remove, keep);
      if (emptied) delete value[key];
    }
    return;
  }
  if (Array.isArray(value) && (shape.kind === 'listMap' || shape.kind === 'set')) {
    const kept = value.filter((item) => {
      const element = itemElement(shape, item);
      if (element === undefined) return true;
      if (shape.kind === 'listMap' && isPlainObject(item)) {
        const itemRemove = remove.child(element);
        const itemKeep = keep.child(element) ?? FieldSet.empty();
        if (itemRemove) {
          removeUnowned(item, itemShape(shape), withoutKeys(itemRemove, shape.keys), itemKeep);
        }
      }
      return !(remove.isMember(element) && !touches(keep, element));
    });
    value.splice(0, value.length, ...kept);
  }
}

/** Returns true when the child should be deleted from its parent. */
function pruneChild(element: PathElement, child: unknown, shape: Shape, remove: FieldSet, keep: FieldSet): boolean {
  if (remove.isMember(element) && !touches(keep, element)) return true;
  const childRemove = remove.child(element);
  if (!childRemove || !isContainer(shape, child)) return false;
  const wasEmpty = isEmptyContainer(child);
  removeUnowned(child, shape, childRemove, keep.child(element) ?? FieldSet.empty());
  return !wasEmpty && isEmptyContainer(child) && !keep.isMember(element);
}

function touches(set: FieldSet, element: PathElement): boolean {
  return set.isMember(element) || (set.child(element)?.isEmpty() === false);
}

function isEmptyContainer(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function withoutKeys(set: FieldSet, keys: readonly string[]): FieldSet {
  return set.difference(FieldSet.of(...keys.map((key) => [fieldElement(key)])));
}
