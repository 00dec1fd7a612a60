// Strategic merge patch (application/strategic-merge-patch+json), applied the way the Kubernetes API
// server does it, with list semantics taken from the schema DSL instead of Go struct tags:
//  - maps merge recursively, `null` deletes a key;
//  - lists with a merge key merge item by item; `{"$patch":"delete", <key>}` removes an item,
//    `{"$patch":"replace"}` replaces the whole list; other lists are replaced;
//  - primitive lists marked mergePrimitives are merged as ordered sets;
//  - `$patch: replace|delete` on a map, `$retainKeys`, `$setElementOrder/<list>` and
//    `$deleteFromPrimitiveList/<list>` directives;
//  - where the schema says nothing (unknown types, free-form fields), lists are replaced and maps
//    merged, i.e. JSON merge patch semantics.
// The inputs are never modified: both are copied first, and the copies are merged in place.

import { badRequest } from '../../api/errors.js';
import type { Schema, TypeRegistry } from '../../api/schema/dsl.js';
import { cloneJson, isJsonObject, jsonTypeName, type JsonObject } from './json-value.js';
import { SmpError } from './strategic-errors.js';
import { normalizeElementOrder, partitionByPresence, requireMergeKey, validateSetElementOrder } from './strategic-order.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** How one list field merges. */
interface ListMeta {
  merge: boolean;
  /** Empty for primitive lists. */
  mergeKey: string;
  items: Schema | undefined;
}

class SchemaWalker {
  constructor(private readonly types: TypeRegistry) {}

  /** The schema of `key` inside a map described by `schema`; undefined means free-form. */
  child(schema: Schema | undefined, key: string): Schema | undefined {
    if (!schema) return undefined;
    if (schema.type === 'ref') return this.types.get(schema.name)?.fields[key]?.schema;
    if (schema.type === 'map') return schema.values;
    return undefined;
  }

  /** Merge strategy of the list field `key`: the merge key and mergePrimitives flag decide, as the patch tags do. */
  list(schema: Schema | undefined, key: string): ListMeta {
    const field = this.child(schema, key);
    if (!field || field.type !== 'list') return { merge: false, mergeKey: '', items: undefined };
    const { mergeKey, mergePrimitives } = field.list;
    if (mergeKey) return { merge: true, mergeKey, items: field.items };
    return { merge: mergePrimitives === true, mergeKey: '', items: field.items };
  }

  describe(schema: Schema | undefined): string {
    if (!schema) return 'free-form value';
    return schema.type === 'ref' ? schema.name : schema.type;
  }
}

/** Kind of a JSON value the way Go's reflect compares them (all numbers are one kind here). */
function valueKind(value: unknown): string {
  return jsonTypeName(value);
}

function hasOwn(object: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function isDirectiveKey(key: string): boolean {
  return key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(`${SET_ELEMENT_ORDER}/`) || key.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`);
}

/**
 * Cleans a value taken from the patch as-is: drops null map entries, maps that carry `$patch`,
 * and leftover directive keys. Returns undefined when the value itself is a directive map.
 */
function cleanPatchValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const cleaned = cleanPatchValue(item);
      if (cleaned !== undefined) out.push(cleaned);
    }
    return out;
  }
  if (isJsonObject(value)) {
    if (hasOwn(value, DIRECTIVE)) return undefined;
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null || isDirectiveKey(key)) continue;
      const cleaned = cleanPatchValue(item);
      if (cleaned !== undefined) out[key] = cleaned;
    }
    return out;
  }
  return value;
}

/** `$setElementOrder/containers` -> `containers`; anything else with the prefix is malformed. */
function directiveTarget(key: string, prefix: string, malformed: () => SmpError): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw malformed();
  return key.slice(slash + 1);
}

/** All items of the given lists must be of one kind, and not lists. */
function elementKind(...lists: unknown[][]): string | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const current = valueKind(item);
      if (kind === undefined) {
        kind = current;
        if (kind === 'array') throw SmpError.noListOfLists();
      } else if (kind !== current) {
        throw SmpError.generic(`list element types are not identical: ${SmpError.goFormat(lists)}`);
      }
    }
  }
  return kind;
}

interface SliceResult {
  merged: unknown[];
  /**
   * The live list as Kubernetes still sees it after merging (survivors of deletions, then new items,
   * cut to the original length). `$setElementOrder` interleaves server-only items against it.
   */
  liveView: unknown[];
}

class StrategicMerger {
  private readonly schemas: SchemaWalker;

  constructor(types: TypeRegistry) {
    this.schemas = new SchemaWalker(types);
  }

  mergeMap(original: JsonObject, patch: JsonObject, schema: Schema | undefined): JsonObject {
    if (hasOwn(patch, DIRECTIVE)) return this.mapDirective(patch[DIRECTIVE], patch);
    this.applyRetainKeys(original, patch);
    this.applySetElementOrders(original, patch, schema);

    for (const [patchKey, patchValue] of Object.entries(patch)) {
      let key = patchKey;
      let isDeleteList = false;
      if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        key = directiveTarget(patchKey, DELETE_FROM_PRIMITIVE_LIST, SmpError.badPrimitiveListFormat);
        isDeleteList = true;
      }
      if (patchValue === null) {
        delete original[key];
        continue;
      }
      if (!hasOwn(original, key) || valueKind(original[key]) !== valueKind(patchValue)) {
        // New or retyped value: taken from the patch; a deletion list never creates a list.
        if (isDeleteList) continue;
        const cleaned = cleanPatchValue(patchValue);
        if (cleaned === undefined) delete original[key];
        else original[key] = cleaned;
        continue;
      }
      const current = original[key];
      if (isJsonObject(current) && isJsonObject(patchValue)) {
        original[key] = this.mergeMap(current, patchValue, this.schemas.child(schema, key));
      } else if (Array.isArray(current) && Array.isArray(patchValue)) {
        original[key] = this.mergeListField(current, patchValue, this.schemas.list(schema, key), isDeleteList).merged;
      } else {
        original[key] = patchValue;
      }
    }
    return original;
  }

  private mapDirective(directive: unknown, patch: JsonObject): JsonObject {
    if (directive === 'replace') {
      const { [DIRECTIVE]: _ignored, ...rest } = patch;
      return cleanPatchValue(rest) as JsonObject;
    }
    // Kubernetes empties the map rather than removing the field.
    if (directive === 'delete') return {};
    throw SmpError.badPatchType(directive, patch);
  }

  /** `$retainKeys`: every non-null patch field must be listed; unlisted live fields are cleared. */
  private applyRetainKeys(original: JsonObject, patch: JsonObject): void {
    if (!hasOwn(patch, RETAIN_KEYS)) return;
    const retain = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(retain)) throw SmpError.badRetainKeysFormat();
    const keep = new Set(retain);
    for (const [key, value] of Object.entries(patch)) {
      if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
      if (!keep.has(key)) throw SmpError.badRetainKeysFormat();
    }
    for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
  }

  /** Merges each list named by a `$setElementOrder/<list>` directive and then imposes that order. */
  private applySetElementOrders(original: JsonObject, patch: JsonObject, schema: Schema | undefined): void {
    for (const directiveKey of Object.keys(patch)) {
      if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
      const order = patch[directiveKey];
      delete patch[directiveKey];
      if (!Array.isArray(order)) throw SmpError.badArgType('[]interface {}', order);
      const key = directiveTarget(directiveKey, SET_ELEMENT_ORDER, SmpError.badSetElementOrderFormat);
      const foundOriginal = hasOwn(original, key);
      const foundPatch = hasOwn(patch, key);
      const originalList = foundOriginal ? original[key] : [];
      const patchList = foundPatch ? patch[key] : [];
      if (!Array.isArray(originalList)) throw SmpError.badArgType('[]interface {}', originalList);
      if (!Array.isArray(patchList)) throw SmpError.badArgType('[]interface {}', patchList);
      const meta = this.schemas.list(schema, key);
      // Only merging lists have an order to keep; for others the hint is dropped.
      if (!meta.merge) continue;
      validateSetElementOrder(patchList, order, meta.mergeKey);

      let result: SliceResult;
      if (foundOriginal && foundPatch) result = this.mergeListField(originalList, patchList, meta, false);
      else if (foundOriginal) result = { merged: originalList, liveView: originalList };
      else if (foundPatch) result = { merged: cleanPatchValue(patchList) as unknown[], liveView: [] };
      else continue;

      const isMapList = elementKind(originalList, patchList) === 'object';
      const { inList, rest } = partitionByPresence(result.merged, order, meta.mergeKey, isMapList);
      original[key] = normalizeElementOrder({
        patchItems: inList,
        serverOnly: rest,
        patchOrder: order,
        serverOrder: result.liveView,
        mergeKey: meta.mergeKey,
        isMapList,
      });
      delete patch[key];
    }
  }

  private mergeListField(original: unknown[], patch: unknown[], meta: ListMeta, isDeleteList: boolean): SliceResult {
    // Deletion lists work on any list, whatever its strategy.
    if (meta.merge || isDeleteList) return this.mergeList(original, patch, meta, isDeleteList);
    const replaced = cleanPatchValue(patch) as unknown[];
    return { merged: replaced, liveView: original };
  }

  private mergeList(original: unknown[], patch: unknown[], meta: ListMeta, isDeleteList: boolean): SliceResult {
    if (original.length === 0 && patch.length === 0) return { merged: original, liveView: original };
    const kind = elementKind(original, patch);
    if (kind !== 'object') {
      if (isDeleteList) {
        const remove = new Set(patch);
        return { merged: original.filter((item) => !remove.has(item)), liveView: original };
      }
      const merged = [...new Set([...original, ...patch])];
      const { inList, rest } = partitionByPresence(merged, patch, '', false);
      const ordered = normalizeElementOrder({ patchItems: inList, serverOnly: rest, patchOrder: patch, serverOrder: original, mergeKey: '', isMapList: false });
      return { merged: ordered, liveView: original };
    }
    if (!meta.mergeKey) throw SmpError.generic(`cannot merge lists without merge key for ${this.schemas.describe(meta.items)}`);
    const mergeKey = meta.mergeKey;

    // Directive items first: deletions edit the live list, a replace swaps it for the patch items.
    let live = [...original];
    let plainPatch: unknown[] = [];
    let replace = false;
    for (const item of patch as JsonObject[]) {
      if (!hasOwn(item, DIRECTIVE)) {
        plainPatch.push(item);
        continue;
      }
      const directive = item[DIRECTIVE];
      if (directive === 'delete') {
        if (!hasOwn(item, mergeKey)) throw SmpError.noMergeKey(item, mergeKey);
        live = live.filter((candidate) => !(isJsonObject(candidate) && hasOwn(candidate, mergeKey) && candidate[mergeKey] === item[mergeKey]));
      } else if (directive === 'replace') {
        replace = true;
      } else if (directive === 'merge') {
        throw SmpError.generic('merging lists cannot yet be specified in the patch');
      } else {
        throw SmpError.badPatchType(directive, item);
      }
    }
    if (replace) {
      live = cleanPatchValue(plainPatch) as unknown[];
      plainPatch = [];
    }
    const survivors = live;

    const merged = [...live];
    const appended: unknown[] = [];
    for (const item of plainPatch as JsonObject[]) {
      if (!hasOwn(item, mergeKey)) throw SmpError.noMergeKey(item, mergeKey);
      const index = merged.findIndex((candidate) => {
        if (!isJsonObject(candidate)) throw SmpError.generic('value for key is not a map');
        return hasOwn(candidate, mergeKey) && candidate[mergeKey] === item[mergeKey];
      });
      if (index >= 0) {
        merged[index] = this.mergeMap(merged[index] as JsonObject, item, meta.items);
      } else {
        const added = cleanPatchValue(item) as JsonObject;
        merged.push(added);
        appended.push(added);
      }
    }
    for (const item of merged) requireMergeKey(item, mergeKey);

    const { inList, rest } = partitionByPresence(merged, plainPatch, mergeKey, true);
    const ordered = normalizeElementOrder({ patchItems: inList, serverOnly: rest, patchOrder: plainPatch, serverOrder: survivors, mergeKey, isMapList: true });
    const liveView = [...survivors, ...appended].slice(0, original.length);
    return { merged: ordered, liveView };
  }
}

/**
 * Applies a strategic merge patch to `original` (an object of API type `typeName`, e.g.
 * `io.k8s.api.apps.v1.Deployment`) and returns the patched copy. Types or fields missing from
 * `types` fall back to JSON merge patch semantics. Throws ApiError (400, or 422 for lists of lists).
 */
export function strategicMergePatch(original: unknown, patch: unknown, typeName: string, types: TypeRegistry): unknown {
  if (!isJsonObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonTypeName(patch) === 'array' ? 'array' : jsonTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  const schema: Schema | undefined = types.get(typeName) ? { type: 'ref', name: typeName } : undefined;
  const target = isJsonObject(original) ? cloneJson(original) : {};
  try {
    return new StrategicMerger(types).mergeMap(target, cloneJson(patch), schema);
  } catch (err) {
    if (err instanceof SmpError) throw err.toApiError();
    throw err;
  }
}
