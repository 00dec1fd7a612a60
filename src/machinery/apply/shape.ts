// The merge-relevant shape of a schema node: what server-side apply needs to know to walk a value.
// Fields the schema does not describe are "deduced" as structured-merge-diff does for unknown
// types: objects are granular maps, everything else is atomic.

import type { FieldDef, ObjectType, Schema, TypeRegistry } from '../../api/schema/dsl.js';
import { canonicalJson, isPlainObject, keyElement, valueElement, type PathElement } from './fieldset.js';

export type Shape =
  /** Scalars, atomic lists, atomic structs, free-form JSON: owned and replaced as one value. */
  | { kind: 'leaf' }
  /** A struct (declared fields), a map (`values` for every key), or both for open types. */
  | { kind: 'struct'; fields: Readonly<Record<string, FieldDef>>; values?: Shape; types: TypeRegistry }
  /** An unknown object: every key is a map entry of unknown shape. */
  | { kind: 'deduced' }
  /** A list of objects identified by key fields. `defaults` fills key fields the item omits. */
  | { kind: 'listMap'; keys: readonly string[]; item: Shape; defaults: Readonly<Record<string, unknown>> }
  /** A list of scalars identified by value. */
  | { kind: 'set' };

const LEAF: Shape = { kind: 'leaf' };
const DEDUCED: Shape = { kind: 'deduced' };

// Shapes are memoised per schema node (and its registry): every write walks the same few.
const shapes = new WeakMap<object, { types: TypeRegistry; shape: Shape }>();

function memoised(node: object, types: TypeRegistry, make: () => Shape): Shape {
  const known = shapes.get(node);
  if (known?.types === types) return known.shape;
  const shape = make();
  shapes.set(node, { types, shape });
  return shape;
}

export function shapeOfType(type: ObjectType, types: TypeRegistry): Shape {
  if (type.atomic) return LEAF;
  return memoised(type, types, () => ({ kind: 'struct', fields: type.fields, values: type.openFields ? DEDUCED : undefined, types }));
}

export function shapeOfTypeName(typeName: string, types: TypeRegistry): Shape {
  const type = types.get(typeName);
  return type ? shapeOfType(type, types) : DEDUCED;
}

export function shapeOfSchema(schema: Schema, types: TypeRegistry): Shape {
  switch (schema.type) {
    case 'scalar':
      return LEAF;
    case 'ref':
      return shapeOfTypeName(schema.name, types);
    default:
      return memoised(schema, types, () => shapeOfContainer(schema, types));
  }
}

function shapeOfContainer(schema: Schema, types: TypeRegistry): Shape {
  switch (schema.type) {
    case 'scalar':
      return LEAF;
    case 'ref':
      return shapeOfTypeName(schema.name, types);
    case 'map':
      return { kind: 'struct', fields: {}, values: shapeOfSchema(schema.values, types), types };
    case 'list': {
      const { listType, keys } = schema.list;
      if (listType === 'set') return { kind: 'set' };
      if (listType === 'map' && keys && keys.length > 0) {
        return { kind: 'listMap', keys, item: shapeOfSchema(schema.items, types), defaults: keyDefaults(schema.items, keys, types) };
      }
      return LEAF;
    }
  }
}

function keyDefaults(items: Schema, keys: readonly string[], types: TypeRegistry): Record<string, unknown> {
  const type = items.type === 'ref' ? types.get(items.name) : undefined;
  const defaults: Record<string, unknown> = {};
  for (const key of keys) {
    const value = type?.fields[key]?.default;
    if (value !== undefined) defaults[key] = value;
  }
  return defaults;
}

export interface ChildShape {
  shape: Shape;
  /** A map entry rather than a declared struct field: owned as a unit (".") as well as its content. */
  entry: boolean;
  /** The declared field, when it is one. */
  field?: FieldDef;
}

const DEDUCED_ENTRY: ChildShape = { shape: DEDUCED, entry: true };
const childShapes = new WeakMap<Shape, Map<string, ChildShape>>();

/** The shape of one key of an object node; undefined when the node has no keys (a leaf). */
export function childShape(shape: Shape, key: string): ChildShape | undefined {
  if (shape.kind === 'deduced') return DEDUCED_ENTRY;
  if (shape.kind !== 'struct') return undefined;
  const field = shape.fields[key];
  if (!field) return shape.values ? { shape: shape.values, entry: true } : DEDUCED_ENTRY;
  // Declared fields are few and met on every write: one ChildShape each.
  let known = childShapes.get(shape);
  if (!known) childShapes.set(shape, (known = new Map()));
  let child = known.get(key);
  if (!child) known.set(key, (child = { shape: shapeOfSchema(field.schema, shape.types), entry: false, field }));
  return child;
}

/** Whether a value at this shape is walked into (a container) or owned as one value (a leaf). */
export function isContainer(shape: Shape, value: unknown): boolean {
  switch (shape.kind) {
    case 'struct':
    case 'deduced':
      return isPlainObject(value);
    case 'listMap':
    case 'set':
      return Array.isArray(value);
    case 'leaf':
      return false;
  }
}

/** The path element of one list item, or undefined when the item cannot be identified. */
export function itemElement(shape: Shape, item: unknown): PathElement | undefined {
  if (shape.kind === 'set') return valueElement(item);
  if (shape.kind !== 'listMap' || !isPlainObject(item)) return undefined;
  const keyFields: Record<string, unknown> = {};
  for (const key of shape.keys) {
    const value = item[key] ?? shape.defaults[key];
    if (value !== undefined && value !== null) keyFields[key] = value;
  }
  return keyElement(keyFields);
}

/** Items indexed by their element, in list order; later duplicates are ignored. */
export function indexItems(shape: Shape, list: readonly unknown[]): Map<PathElement, unknown> {
  const index = new Map<PathElement, unknown>();
  for (const item of list) {
    const element = itemElement(shape, item) ?? `x:${canonicalJson(item)}`;
    if (!index.has(element)) index.set(element, item);
  }
  return index;
}

/** The shape of the items of a list-map. */
export function itemShape(shape: Shape): Shape {
  return shape.kind === 'listMap' ? shape.item : LEAF;
}
