// Turning the type-description DSL into OpenAPI schemas, shared by the v2 (Swagger) and v3
// documents. The two differ only in where references point and in how a described field carries a
// $ref, so each passes a dialect.
import type { FieldDef, ObjectType, Schema } from '../../api/schema/dsl.js';

export type Json = Record<string, unknown>;

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

export const QUANTITY_DESCRIPTION = 'A fixed-point number with a unit suffix, such as 100m (0.1 CPU) or 1Gi (1024^3 bytes).';

/** Definitions of the types with their own JSON form, except Quantity, whose schema differs per version. */
export const SCALAR_DEFINITIONS: Record<string, Json> = {
  [INT_OR_STRING]: {
    description: 'Either an integer or a string (for example a port number or a port name, or a percentage).',
    type: 'string',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
  [TIME]: { description: 'A timestamp in RFC 3339 form, to the second.', type: 'string', format: 'date-time' },
  [MICRO_TIME]: { description: 'A timestamp in RFC 3339 form, to the microsecond.', type: 'string', format: 'date-time' },
  [RAW_EXTENSION]: { description: 'An embedded object of any kind.', type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

const SCALAR_REFS: Record<string, string> = { quantity: QUANTITY, intOrString: INT_OR_STRING, time: TIME, microTime: MICRO_TIME, rawExtension: RAW_EXTENSION };

export interface SchemaDialect {
  /** `#/definitions/` (v2) or `#/components/schemas/` (v3). */
  refPrefix: string;
  /**
   * OpenAPI 3.0 allows no siblings beside a $ref, so Kubernetes wraps a described reference in
   * allOf; the v2 Schema message carries the description beside the $ref.
   */
  wrapDescribedRefs: boolean;
}

function scalarSchema(scalar: string, enumValues: readonly string[] | undefined): Json {
  const out = ((): Json => {
    switch (scalar) {
      case 'string':
      case 'duration':
        return { type: 'string' };
      case 'int32':
        return { type: 'integer', format: 'int32' };
      case 'int64':
        return { type: 'integer', format: 'int64' };
      case 'double':
        return { type: 'number', format: 'double' };
      case 'boolean':
        return { type: 'boolean' };
      case 'bytes':
        return { type: 'string', format: 'byte' };
      default:
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
  })();
  if (enumValues && out.type === 'string') out.enum = [...enumValues];
  return out;
}

/** The schema of `schema`; names it references are added to `used`. */
export function schemaOf(schema: Schema, used: Set<string>, dialect: SchemaDialect): Json {
  switch (schema.type) {
    case 'scalar': {
      const refName = SCALAR_REFS[schema.scalar];
      if (!refName) return scalarSchema(schema.scalar, schema.enum);
      used.add(refName);
      return { $ref: dialect.refPrefix + refName };
    }
    case 'ref':
      used.add(schema.name);
      return { $ref: dialect.refPrefix + schema.name };
    case 'map':
      return { type: 'object', additionalProperties: schemaOf(schema.values, used, dialect) };
    case 'list': {
      const out: Json = { type: 'array', items: schemaOf(schema.items, used, dialect) };
      const list = schema.list;
      out['x-kubernetes-list-type'] = list.listType;
      if (list.listType === 'map' && list.keys) out['x-kubernetes-list-map-keys'] = [...list.keys];
      if (list.mergeKey) {
        out['x-kubernetes-patch-merge-key'] = list.mergeKey;
        out['x-kubernetes-patch-strategy'] = 'merge';
      } else if (list.mergePrimitives) {
        out['x-kubernetes-patch-strategy'] = 'merge';
      }
      return out;
    }
  }
}

function fieldSchema(field: FieldDef, used: Set<string>, dialect: SchemaDialect): Json {
  const inner = schemaOf(field.schema, used, dialect);
  const out: Json = dialect.wrapDescribedRefs && typeof inner.$ref === 'string' ? { allOf: [inner], description: field.description } : { ...inner, description: field.description };
  if (field.default !== undefined) out.default = field.default;
  if (field.retainKeys) out['x-kubernetes-patch-strategy'] = 'retainKeys';
  return out;
}

/** The schema of an object type: its fields as properties, and its GVK and map-type extensions. */
export function objectSchema(type: ObjectType, used: Set<string>, dialect: SchemaDialect): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(type.fields)) {
    properties[name] = fieldSchema(field, used, dialect);
    if (field.required) required.push(name);
  }
  const out: Json = { description: type.description, type: 'object', properties };
  if (required.length) out.required = required;
  if (type.gvk) out['x-kubernetes-group-version-kind'] = [{ group: type.gvk.group, kind: type.gvk.kind, version: type.gvk.version }];
  if (type.atomic) out['x-kubernetes-map-type'] = 'atomic';
  if (type.openFields) out['x-kubernetes-preserve-unknown-fields'] = true;
  return out;
}
