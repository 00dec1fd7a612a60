// One description of every API type, written once, from which the server derives:
//  - the OpenAPI v3 documents (components.schemas, descriptions for `kubectl explain`),
//  - strict field validation (unknown fields) and type checks,
//  - strategic-merge-patch and server-side-apply list semantics (merge keys, list types),
//  - protobuf decoding of request bodies (field numbers of the Kubernetes wire format).
// Field names and protobuf field numbers are facts of the Kubernetes API; descriptions are our own.

/** Scalars and the special meta types with their own JSON and protobuf forms. */
export type ScalarKind =
  | 'string'
  | 'int32'
  | 'int64'
  | 'double'
  | 'boolean'
  /** resource.Quantity: JSON string ("100m", "1Gi") or number; protobuf message {1: string}. */
  | 'quantity'
  /** intstr.IntOrString: JSON number or string; protobuf {1: type, 2: intVal, 3: strVal}. */
  | 'intOrString'
  /** metav1.Time: RFC 3339 string; protobuf {1: seconds int64, 2: nanos int32}. */
  | 'time'
  /** metav1.MicroTime: RFC 3339 with microseconds; protobuf like Time. */
  | 'microTime'
  /** metav1.Duration: Go duration string ("1h0m0s"); protobuf {1: duration int64 nanoseconds}. */
  | 'duration'
  /** []byte: base64 string in JSON; protobuf bytes. */
  | 'bytes'
  /** runtime.RawExtension: any embedded JSON object; protobuf {1: raw bytes (JSON)}. */
  | 'rawExtension'
  /** Free-form JSON value (e.g. fieldsV1, JSON schema props); never validated. */
  | 'any';

export type Schema =
  | { type: 'scalar'; scalar: ScalarKind; enum?: readonly string[] }
  | { type: 'ref'; name: string }
  | { type: 'map'; values: Schema }
  | { type: 'list'; items: Schema; list: ListSemantics };

/**
 * How a list merges, as the Go struct tags and OpenAPI extensions say:
 * - atomic: replaced as a whole (x-kubernetes-list-type: atomic).
 * - set: scalars merged as a set (list-type set; strategic patchStrategy merge on primitives).
 * - map: items keyed by `keys` (list-type map + list-map-keys); `mergeKey` is the strategic-merge
 *   key (x-kubernetes-patch-merge-key), present when patchStrategy is merge.
 */
export interface ListSemantics {
  listType: 'atomic' | 'set' | 'map';
  keys?: readonly string[];
  /** Strategic merge patch: x-kubernetes-patch-strategy includes "merge" with this merge key. */
  mergeKey?: string;
  /** Strategic merge patch on a primitive list with patchStrategy merge (e.g. finalizers). */
  mergePrimitives?: boolean;
}

export interface FieldDef {
  schema: Schema;
  /** Protobuf field number in the Kubernetes wire format (generated.proto); absent for JSON-only fields. */
  pb?: number;
  description: string;
  required?: boolean;
  /**
   * Go pointer/optional field: a zero value decoded from protobuf is meaningful and kept
   * (e.g. `replicas: 0`). Non-pointer fields with zero values are dropped, as Go's omitempty does.
   */
  pointer?: boolean;
  /** x-kubernetes-patch-strategy "retainKeys" on this field's object (union types). */
  retainKeys?: boolean;
  /** Default shown in OpenAPI (informational; defaulting itself lives in the strategies). */
  default?: unknown;
}

export interface ObjectType {
  /** OpenAPI definition name, e.g. `io.k8s.api.core.v1.Container`. */
  name: string;
  description: string;
  fields: Record<string, FieldDef>;
  /** Set on the top-level kinds (the types with apiVersion/kind). */
  gvk?: { group: string; version: string; kind: string };
  /** x-kubernetes-map-type: atomic for structs replaced whole by SSA (e.g. LabelSelector requirements). */
  atomic?: boolean;
  /** Accept any extra field (e.g. JSONSchemaProps-like free objects). */
  openFields?: boolean;
}

// ---- builders: short to write, hard to get wrong ----

export const scalar = (kind: ScalarKind, enumValues?: readonly string[]): Schema =>
  enumValues ? { type: 'scalar', scalar: kind, enum: enumValues } : { type: 'scalar', scalar: kind };
export const ref = (name: string): Schema => ({ type: 'ref', name });
export const mapOf = (values: Schema): Schema => ({ type: 'map', values });
export const atomicList = (items: Schema): Schema => ({ type: 'list', items, list: { listType: 'atomic' } });
export const setList = (items: Schema): Schema => ({ type: 'list', items, list: { listType: 'set', mergePrimitives: true } });
/** A list of objects keyed by `keys` (list-type map). `mergeKey` defaults to the first key. */
export const mapList = (items: Schema, keys: readonly string[], mergeKey: string | undefined = keys[0]): Schema => ({
  type: 'list',
  items,
  list: { listType: 'map', keys, mergeKey },
});

type FieldOptions = Omit<FieldDef, 'schema' | 'description' | 'pb'>;

export function field(schema: Schema, pb: number | undefined, description: string, options: FieldOptions = {}): FieldDef {
  return { schema, pb, description, ...options };
}

/** Shorthands for the common field shapes. */
export const str = (pb: number | undefined, description: string, options?: FieldOptions) => field(scalar('string'), pb, description, options);
export const int32 = (pb: number | undefined, description: string, options?: FieldOptions) => field(scalar('int32'), pb, description, options);
export const int64 = (pb: number | undefined, description: string, options?: FieldOptions) => field(scalar('int64'), pb, description, options);
export const bool = (pb: number | undefined, description: string, options?: FieldOptions) => field(scalar('boolean'), pb, description, options);
export const obj = (name: string, pb: number | undefined, description: string, options?: FieldOptions) => field(ref(name), pb, description, options);
export const stringMap = (pb: number | undefined, description: string, options?: FieldOptions) => field(mapOf(scalar('string')), pb, description, options);

export function objectType(name: string, description: string, fields: Record<string, FieldDef>, extra: Partial<Omit<ObjectType, 'name' | 'description' | 'fields'>> = {}): ObjectType {
  return { name, description, fields, ...extra };
}

/** The registry of every named type; filled by the modules in src/api/types. */
export class TypeRegistry {
  private readonly types = new Map<string, ObjectType>();

  add(...types: ObjectType[]): void {
    for (const type of types) {
      if (this.types.has(type.name)) throw new Error(`type ${type.name} registered twice`);
      this.types.set(type.name, type);
    }
  }

  get(name: string): ObjectType | undefined {
    return this.types.get(name);
  }

  mustGet(name: string): ObjectType {
    const type = this.types.get(name);
    if (!type) throw new Error(`unknown API type ${name}`);
    return type;
  }

  /** The top-level type for a group/version/kind. */
  forKind(group: string, version: string, kind: string): ObjectType | undefined {
    for (const type of this.types.values()) {
      const gvk = type.gvk;
      if (gvk && gvk.group === group && gvk.version === version && gvk.kind === kind) return type;
    }
    return undefined;
  }

  all(): IterableIterator<ObjectType> {
    return this.types.values();
  }

  /** Resolves a schema to its object type when it is a ref. */
  resolve(schema: Schema): ObjectType | undefined {
    return schema.type === 'ref' ? this.mustGet(schema.name) : undefined;
  }
}
