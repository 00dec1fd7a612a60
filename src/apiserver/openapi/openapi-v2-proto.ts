// Encodes a Swagger 2.0 document (plain JSON) as the gnostic `openapi.v2.Document` protobuf message
// (gnostic-models openapiv2/OpenAPIv2.proto), which is what kubectl downloads from /openapi/v2.
// Field numbers below are those of that .proto file. Maps become repeated (name, value) pairs in
// key order; vendor extensions (x-*) and free values (default, enum) travel as YAML text in
// `Any.yaml` (JSON is valid YAML, and kubectl reads them with a YAML parser).

import { ProtoWriter } from './proto-writer.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function str(w: ProtoWriter, field: number, value: unknown): void {
  if (typeof value === 'string' && value !== '') w.string(field, value);
}
function strings(w: ProtoWriter, field: number, value: unknown): void {
  if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') w.string(field, item);
}
function flag(w: ProtoWriter, field: number, value: unknown): void {
  if (value === true) w.bool(field, true);
}
function num(w: ProtoWriter, field: number, value: unknown): void {
  if (typeof value === 'number') w.double(field, value);
}
function int(w: ProtoWriter, field: number, value: unknown): void {
  if (typeof value === 'number' && Number.isInteger(value)) w.varint(field, value);
}

/** Any { value = 1 (google.protobuf.Any, unused); yaml = 2 }. */
function anyValue(value: unknown): ProtoWriter {
  return new ProtoWriter().string(2, `${JSON.stringify(value)}\n`);
}

/** Repeated NamedAny { name = 1; value = 2 } for every `x-` key of a JSON object. */
function vendorExtensions(w: ProtoWriter, field: number, object: Json): void {
  for (const [name, value] of Object.entries(object)) {
    if (name.startsWith('x-') && value !== undefined) w.message(field, new ProtoWriter().string(1, name).message(2, anyValue(value)));
  }
}

/** Repeated Named<T> { name = 1; value = 2 } pairs of a JSON map. */
function namedPairs(w: ProtoWriter, field: number, map: unknown, encodeValue: (value: Json) => ProtoWriter): void {
  if (!isObject(map)) return;
  for (const [name, value] of Object.entries(map)) {
    if (isObject(value)) w.message(field, new ProtoWriter().string(1, name).message(2, encodeValue(value)));
  }
}

export function encodeSchema(s: Json): ProtoWriter {
  const w = new ProtoWriter();
  str(w, 1, s.$ref);
  str(w, 2, s.format);
  str(w, 3, s.title);
  str(w, 4, s.description);
  if (s.default !== undefined) w.message(5, anyValue(s.default));
  num(w, 6, s.multipleOf);
  num(w, 7, s.maximum);
  flag(w, 8, s.exclusiveMaximum);
  num(w, 9, s.minimum);
  flag(w, 10, s.exclusiveMinimum);
  int(w, 11, s.maxLength);
  int(w, 12, s.minLength);
  str(w, 13, s.pattern);
  int(w, 14, s.maxItems);
  int(w, 15, s.minItems);
  flag(w, 16, s.uniqueItems);
  int(w, 17, s.maxProperties);
  int(w, 18, s.minProperties);
  strings(w, 19, s.required);
  if (Array.isArray(s.enum)) for (const value of s.enum) w.message(20, anyValue(value));
  // AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2 } }
  if (typeof s.additionalProperties === 'boolean') w.message(21, new ProtoWriter().bool(2, s.additionalProperties));
  else if (isObject(s.additionalProperties)) w.message(21, new ProtoWriter().message(1, encodeSchema(s.additionalProperties)));
  // TypeItem { repeated string value = 1 }
  if (typeof s.type === 'string' || Array.isArray(s.type)) w.message(22, stringList(1, typeof s.type === 'string' ? [s.type] : s.type));
  // ItemsItem { repeated Schema schema = 1 }
  if (isObject(s.items) || Array.isArray(s.items)) {
    const items = new ProtoWriter();
    for (const item of Array.isArray(s.items) ? s.items : [s.items]) if (isObject(item)) items.message(1, encodeSchema(item));
    w.message(23, items);
  }
  if (Array.isArray(s.allOf)) for (const part of s.allOf) if (isObject(part)) w.message(24, encodeSchema(part));
  // Properties { repeated NamedSchema additional_properties = 1 }; written even when empty.
  if (isObject(s.properties)) {
    const properties = new ProtoWriter();
    namedPairs(properties, 1, s.properties, encodeSchema);
    w.message(25, properties);
  }
  str(w, 26, s.discriminator);
  flag(w, 27, s.readOnly);
  if (s.example !== undefined) w.message(30, anyValue(s.example));
  vendorExtensions(w, 31, s);
  return w;
}

function stringList(field: number, values: unknown[]): ProtoWriter {
  const w = new ProtoWriter();
  strings(w, field, values);
  return w;
}

/**
 * A non-body parameter. Query and formData sub-schemas have `allow_empty_value` at 5, so their
 * later fields sit one number higher than those of path and header sub-schemas.
 */
function simpleParameter(p: Json, hasAllowEmpty: boolean): ProtoWriter {
  const w = new ProtoWriter();
  const shift = hasAllowEmpty ? 1 : 0;
  flag(w, 1, p.required);
  str(w, 2, p.in);
  str(w, 3, p.description);
  str(w, 4, p.name);
  if (hasAllowEmpty) flag(w, 5, p.allowEmptyValue);
  str(w, 5 + shift, p.type);
  str(w, 6 + shift, p.format);
  str(w, 8 + shift, p.collectionFormat);
  if (p.default !== undefined) w.message(9 + shift, anyValue(p.default));
  flag(w, 19 + shift, p.uniqueItems);
  if (Array.isArray(p.enum)) for (const value of p.enum) w.message(20 + shift, anyValue(value));
  vendorExtensions(w, 22 + shift, p);
  return w;
}

/** ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2 } }. */
function parametersItem(p: Json): ProtoWriter {
  if (typeof p.$ref === 'string') return new ProtoWriter().message(2, new ProtoWriter().string(1, p.$ref));
  const parameter = new ProtoWriter();
  if (p.in === 'body') {
    // BodyParameter { description = 1; name = 2; in = 3; required = 4; schema = 5; vendor_extension = 6 }
    const body = new ProtoWriter();
    str(body, 1, p.description);
    str(body, 2, p.name);
    str(body, 3, p.in);
    flag(body, 4, p.required);
    if (isObject(p.schema)) body.message(5, encodeSchema(p.schema));
    vendorExtensions(body, 6, p);
    parameter.message(1, body);
  } else {
    // NonBodyParameter { header = 1; form_data = 2; query = 3; path = 4 }
    const kinds: Record<string, [number, boolean]> = { header: [1, false], formData: [2, true], query: [3, true], path: [4, false] };
    const [field, hasAllowEmpty] = kinds[String(p.in)] ?? [3, true];
    parameter.message(2, new ProtoWriter().message(field, simpleParameter(p, hasAllowEmpty)));
  }
  return new ProtoWriter().message(1, parameter);
}

function parameterList(w: ProtoWriter, field: number, list: unknown): void {
  if (Array.isArray(list)) for (const p of list) if (isObject(p)) w.message(field, parametersItem(p));
}

/** Responses { repeated NamedResponseValue response_code = 1; vendor_extension = 2 }. */
function responses(map: Json): ProtoWriter {
  const w = new ProtoWriter();
  for (const [code, value] of Object.entries(map)) {
    if (code.startsWith('x-') || !isObject(value)) continue;
    // ResponseValue { Response response = 1 }; Response { description = 1; SchemaItem schema = 2 }
    const response = new ProtoWriter();
    str(response, 1, value.description);
    if (isObject(value.schema)) response.message(2, new ProtoWriter().message(1, encodeSchema(value.schema)));
    vendorExtensions(response, 5, value);
    w.message(1, new ProtoWriter().string(1, code).message(2, new ProtoWriter().message(1, response)));
  }
  vendorExtensions(w, 2, map);
  return w;
}

function operation(op: Json): ProtoWriter {
  const w = new ProtoWriter();
  strings(w, 1, op.tags);
  str(w, 2, op.summary);
  str(w, 3, op.description);
  str(w, 5, op.operationId);
  strings(w, 6, op.produces);
  strings(w, 7, op.consumes);
  parameterList(w, 8, op.parameters);
  if (isObject(op.responses)) w.message(9, responses(op.responses));
  strings(w, 10, op.schemes);
  flag(w, 11, op.deprecated);
  vendorExtensions(w, 13, op);
  return w;
}

const PATH_ITEM_OPERATIONS: [string, number][] = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

function pathItem(item: Json): ProtoWriter {
  const w = new ProtoWriter();
  str(w, 1, item.$ref);
  for (const [method, field] of PATH_ITEM_OPERATIONS) if (isObject(item[method])) w.message(field, operation(item[method]));
  parameterList(w, 9, item.parameters);
  vendorExtensions(w, 10, item);
  return w;
}

/** SecurityDefinitionsItem: only the apiKey form (field 2) is encoded; it is the one Kubernetes uses. */
function securityDefinition(def: Json): ProtoWriter {
  const apiKey = new ProtoWriter();
  str(apiKey, 1, def.type);
  str(apiKey, 2, def.name);
  str(apiKey, 3, def.in);
  str(apiKey, 4, def.description);
  vendorExtensions(apiKey, 5, def);
  return new ProtoWriter().message(2, apiKey);
}

/** SecurityRequirement { repeated NamedStringArray additional_properties = 1 }. */
function securityRequirement(requirement: Json): ProtoWriter {
  const w = new ProtoWriter();
  for (const [name, scopes] of Object.entries(requirement)) {
    w.message(1, new ProtoWriter().string(1, name).message(2, stringList(1, Array.isArray(scopes) ? scopes : [])));
  }
  return w;
}

/** The whole `openapi.v2.Document`. */
export function encodeSwaggerDocument(doc: Json): Uint8Array {
  const w = new ProtoWriter();
  str(w, 1, doc.swagger);
  if (isObject(doc.info)) {
    const info = new ProtoWriter();
    str(info, 1, doc.info.title);
    str(info, 2, doc.info.version);
    str(info, 3, doc.info.description);
    vendorExtensions(info, 7, doc.info);
    w.message(2, info);
  }
  str(w, 3, doc.host);
  str(w, 4, doc.basePath);
  strings(w, 5, doc.schemes);
  strings(w, 6, doc.consumes);
  strings(w, 7, doc.produces);
  if (isObject(doc.paths)) {
    // Paths { vendor_extension = 1; repeated NamedPathItem path = 2 }
    const paths = new ProtoWriter();
    vendorExtensions(paths, 1, doc.paths);
    namedPairs(paths, 2, Object.fromEntries(Object.entries(doc.paths).filter(([name]) => !name.startsWith('x-'))), pathItem);
    w.message(8, paths);
  }
  if (isObject(doc.definitions)) {
    const definitions = new ProtoWriter();
    namedPairs(definitions, 1, doc.definitions, encodeSchema);
    w.message(9, definitions);
  }
  if (Array.isArray(doc.security)) for (const requirement of doc.security) if (isObject(requirement)) w.message(12, securityRequirement(requirement));
  if (isObject(doc.securityDefinitions)) {
    const definitions = new ProtoWriter();
    namedPairs(definitions, 1, doc.securityDefinitions, securityDefinition);
    w.message(13, definitions);
  }
  vendorExtensions(w, 16, doc);
  return w.finish();
}
