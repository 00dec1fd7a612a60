// The field set of an object (what a manager owns when it sets the object), and the comparison of
// two versions of an object as sets of added, removed and modified fields.

import { FieldSet, fieldElement, isPlainObject, type PathElement } from './fieldset.js';
import { childShape, indexItems, isContainer, itemElement, itemShape, type ChildShape, type Shape } from './shape.js';

/**
 * Every leaf field and every list item or map entry of `value`:
 * - scalars, atomic lists/structs and nulls are members;
 * - list items and map entries are members and are also walked into (FieldsV1 `"."`);
 * - declared struct fields holding an object are walked into, and are members only when empty.
 */
export function fieldSetOf(value: unknown, shape: Shape): FieldSet {
  const set = FieldSet.empty();
  collect(value, shape, set, false);
  return set;
}

/**
 * `wholeNodes` marks struct fields holding objects as members too when Go would omit them when
 * absent (see compareChanges): the rule for a subtree that appears or disappears whole.
 */
function collect(value: unknown, shape: Shape, node: FieldSet, wholeNodes: boolean): void {
  if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      const described = childShape(shape, key);
      if (!described) continue;
      const element = fieldElement(key);
      if (!isContainer(described.shape, child)) {
        node.insert([element]);
        continue;
      }
      collect(child, described.shape, node.descend(element), wholeNodes);
      const emptyObject = isPlainObject(child) && Object.keys(child).length === 0;
      if (described.entry || emptyObject || (wholeNodes && omittedWhenAbsent(described))) node.insert([element]);
    }
    return;
  }
  if (Array.isArray(value) && (shape.kind === 'listMap' || shape.kind === 'set')) {
    for (const item of value) {
      const element = itemElement(shape, item);
      if (element === undefined) continue;
      node.insert([element]);
      if (shape.kind === 'listMap') collect(item, itemShape(shape), node.descend(element), wholeNodes);
    }
  }
}

export interface Comparison {
  /** Added (in the new object only) or modified (leaves in both with different values). */
  changed: FieldSet;
  /** In the old object only. */
  removed: FieldSet;
}

/**
 * What changed from `oldValue` to `newValue`, as structured-merge-diff compares: leaves are added,
 * removed or modified; nodes that appear or disappear whole are added or removed with everything
 * under them. A struct field that appears holding an object counts as a node of its own (`"."`)
 * when Go would have omitted it from the old object: maps, lists and pointers, but not required
 * fields or plain nested structs (those serialise even when empty). Writers only need added and
 * modified fields together, so they are collected in one set.
 */
export function compareChanges(oldValue: unknown, newValue: unknown, shape: Shape): Comparison {
  const changes: Comparison = { changed: FieldSet.empty(), removed: FieldSet.empty() };
  compareNodes(oldValue, newValue, shape, changes);
  return changes;
}

function compareNodes(oldValue: unknown, newValue: unknown, shape: Shape, changes: Comparison): void {
  if (isPlainObject(oldValue) && isPlainObject(newValue)) {
    for (const key in oldValue) compareKey(key, oldValue, newValue, shape, changes);
    for (const key in newValue) if (!(key in oldValue)) compareKey(key, oldValue, newValue, shape, changes);
    return;
  }
  if (Array.isArray(oldValue) && Array.isArray(newValue) && (shape.kind === 'listMap' || shape.kind === 'set')) {
    const oldItems = indexItems(shape, oldValue);
    const newItems = indexItems(shape, newValue);
    const item = { shape: itemShape(shape), entry: true };
    for (const [element, oldItem] of oldItems) {
      if (element.startsWith('x:')) continue;
      if (!newItems.has(element)) recordWhole(element, oldItem, item, changes.removed);
      else if (shape.kind === 'listMap') comparePair(element, oldItem, newItems.get(element), item.shape, changes);
    }
    for (const [element, newItem] of newItems) {
      if (!element.startsWith('x:') && !oldItems.has(element)) recordWhole(element, newItem, item, changes.changed);
    }
  }
}

function compareKey(key: string, oldValue: Record<string, unknown>, newValue: Record<string, unknown>, shape: Shape, changes: Comparison): void {
  const oldChild = oldValue[key];
  const newChild = newValue[key];
  if (oldChild === undefined && newChild === undefined) return;
  const described = childShape(shape, key);
  if (!described) return;
  const element = fieldElement(key);
  if (oldChild === undefined) recordWhole(element, newChild, described, changes.changed);
  else if (newChild === undefined) recordWhole(element, oldChild, described, changes.removed);
  else comparePair(element, oldChild, newChild, described.shape, changes);
}

function comparePair(element: PathElement, oldChild: unknown, newChild: unknown, shape: Shape, changes: Comparison): void {
  // A subtree carried over by reference (the spec of a status write) cannot have changed.
  if (oldChild === newChild) return;
  if (isContainer(shape, oldChild) && isContainer(shape, newChild)) {
    compareNodes(oldChild, newChild, shape, { changed: changes.changed.descend(element), removed: changes.removed.descend(element) });
  } else if (!jsonEqual(oldChild, newChild)) {
    changes.changed.insert([element]);
  }
}

/** Records a node that exists on one side only, with everything under it. */
function recordWhole(element: PathElement, value: unknown, described: ChildShape, into: FieldSet): void {
  if (!isContainer(described.shape, value)) {
    into.insert([element]);
    return;
  }
  collect(value, described.shape, into.descend(element), true);
  const emptyObject = isPlainObject(value) && Object.keys(value).length === 0;
  if (described.entry || emptyObject || omittedWhenAbsent(described)) into.insert([element]);
}

function omittedWhenAbsent({ field }: ChildShape): boolean {
  if (!field) return true;
  if (field.pointer) return true;
  if (field.required) return false;
  return field.schema.type === 'map' || field.schema.type === 'list';
}

/** Structural JSON equality, ignoring object key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}
