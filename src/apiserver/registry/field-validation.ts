// Decoding checks on an incoming object, driven by the type schemas: unknown fields (reported per
// the request's fieldValidation) and values of the wrong JSON type (always a 400, as Go's decoder
// refuses them).

import type { ObjectType, Schema, TypeRegistry } from '../../api/schema/dsl.js';

export interface DecodeProblems {
  unknownFields: string[];
  typeErrors: string[];
}

const ALWAYS_ALLOWED_TOP = new Set(['apiVersion', 'kind']);

export interface CheckOptions {
  /** Also remove unknown fields from the value, as decoding into Go structs drops them (fieldValidation Ignore or Warn). */
  prune?: boolean;
  /**
   * The value is a merge patch: a null removes a field, so an unknown field set to null leaves
   * nothing unknown in the result and is not reported.
   */
  nullDeletes?: boolean;
}

/** Finds unknown fields and wrong JSON types. */
export function checkObject(value: unknown, type: ObjectType, types: TypeRegistry, options: CheckOptions = {}): DecodeProblems {
  const problems: DecodeProblems = { unknownFields: [], typeErrors: [] };
  walkObject(value, type, '', types, problems, true, options);
  return problems;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walkObject(value: unknown, type: ObjectType, path: string, types: TypeRegistry, problems: DecodeProblems, top: boolean, options: CheckOptions): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.typeErrors.push(`json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${goTypeName(type)}.${path || type.name} of type ${goTypeName(type)}`);
    return;
  }
  if (type.openFields) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const field = type.fields[key];
    if (!field) {
      if ((top && ALWAYS_ALLOWED_TOP.has(key)) || (child === null && options.nullDeletes)) continue;
      problems.unknownFields.push(join(path, key));
      if (options.prune) delete (value as Record<string, unknown>)[key];
      continue;
    }
    walkSchema(child, field.schema, join(path, key), types, problems, type, options);
  }
}

function walkSchema(value: unknown, schema: Schema, path: string, types: TypeRegistry, problems: DecodeProblems, parent: ObjectType, options: CheckOptions): void {
  if (value === null || value === undefined) return;
  switch (schema.type) {
    case 'ref': {
      const type = types.get(schema.name);
      if (type) walkObject(value, type, path, types, problems, false, options);
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.typeErrors.push(cannotUnmarshal(value, 'map', parent, path));
        return;
      }
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        walkSchema(child, schema.values, `${path}.${key}`, types, problems, parent, options);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        problems.typeErrors.push(cannotUnmarshal(value, 'array', parent, path));
        return;
      }
      value.forEach((item, index) => walkSchema(item, schema.items, `${path}[${index}]`, types, problems, parent, options));
      return;
    }
    case 'scalar':
      checkScalar(value, schema.scalar, path, parent, problems);
  }
}

function checkScalar(value: unknown, scalar: string, path: string, parent: ObjectType, problems: DecodeProblems): void {
  const ok = (() => {
    switch (scalar) {
      case 'string':
      case 'time':
      case 'microTime':
      case 'duration':
      case 'bytes':
        return typeof value === 'string';
      case 'int32':
      case 'int64':
        return typeof value === 'number' && Number.isInteger(value);
      case 'double':
        return typeof value === 'number';
      case 'boolean':
        return typeof value === 'boolean';
      case 'quantity':
      case 'intOrString':
        return typeof value === 'string' || typeof value === 'number';
      default:
        return true;
    }
  })();
  if (!ok) problems.typeErrors.push(cannotUnmarshal(value, goScalar(scalar), parent, path));
}

function goScalar(scalar: string): string {
  switch (scalar) {
    case 'boolean':
      return 'bool';
    case 'double':
      return 'float64';
    case 'quantity':
      return 'resource.Quantity';
    case 'intOrString':
      return 'intstr.IntOrString';
    case 'time':
    case 'microTime':
      return 'v1.Time';
    default:
      return scalar;
  }
}

function cannotUnmarshal(value: unknown, target: string, parent: ObjectType, path: string): string {
  return `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${goTypeName(parent)}.${path} of type ${target}`;
}

function goTypeName(type: ObjectType): string {
  const dot = type.name.lastIndexOf('.');
  return dot >= 0 ? type.name.slice(dot + 1) : type.name;
}

function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}
