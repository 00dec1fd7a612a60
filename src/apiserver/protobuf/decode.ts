// Decodes the Kubernetes protobuf request bodies that kubectl's typed clients send (a `k8s\0` magic,
// then a runtime.Unknown envelope whose `raw` holds the object) into the JSON object the same
// command would have sent as JSON. The message layout comes from the field numbers (`pb`) of the
// API type descriptions; zero values that protobuf always carries are dropped as Go's omitempty does.
import { badRequest } from '../../api/errors.js';
import type { FieldDef, ObjectType, ScalarKind, Schema, TypeRegistry } from '../../api/schema/dsl.js';
import { CORE_V1_INLINE_EMBEDDINGS, type InlineEmbedding } from '../../api/types/core-v1.js';
import { API_TYPES } from '../../api/types/index.js';
import { formatGoDuration, formatMicroTime, formatTime } from './go-format.js';
import { readDouble, readFields, readPackedVarints, varintToSigned, WireFormatError, WireType, type WireField } from './wire-reader.js';

/** The four bytes every Kubernetes protobuf body starts with. */
export const KUBERNETES_PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export const KUBERNETES_PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

export function isKubernetesProtobuf(body: Uint8Array): boolean {
  return body.length >= 4 && KUBERNETES_PROTOBUF_MAGIC.every((byte, i) => body[i] === byte);
}

/** runtime.Unknown: the envelope around every protobuf-encoded object. */
export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeString(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new WireFormatError('string field is not valid UTF-8');
  }
}

/** Splits a body into its envelope fields; throws BadRequest when it is not Kubernetes protobuf. */
export function decodeProtobufEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (!isKubernetesProtobuf(body)) {
    throw badRequest('unable to decode protobuf body: missing the "k8s\\x00" prefix of Kubernetes protobuf');
  }
  const envelope: ProtobufEnvelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  try {
    for (const field of readFields(body.subarray(4))) {
      if (field.wireType !== WireType.lengthDelimited) continue;
      if (field.number === 1) {
        for (const typeMetaField of readFields(field.value)) {
          if (typeMetaField.wireType !== WireType.lengthDelimited) continue;
          if (typeMetaField.number === 1) envelope.apiVersion = decodeString(typeMetaField.value);
          if (typeMetaField.number === 2) envelope.kind = decodeString(typeMetaField.value);
        }
      } else if (field.number === 2) envelope.raw = field.value;
      else if (field.number === 3) envelope.contentEncoding = decodeString(field.value);
      else if (field.number === 4) envelope.contentType = decodeString(field.value);
    }
  } catch (err) {
    if (err instanceof WireFormatError) throw badRequest(`unable to decode protobuf body: ${err.message}`);
    throw err;
  }
  return envelope;
}

/** Go's GroupVersionKind.String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Secret`. */
function describeGvk(group: string, version: string, kind: string): string {
  return `${group}/${version}, Kind=${kind}`;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * Decodes a Kubernetes protobuf body into the JSON form of the object, with apiVersion and kind set
 * from the envelope. Throws BadRequest for malformed bodies and kinds without a type description.
 */
export function decodeProtobufObject(
  body: Uint8Array,
  types: TypeRegistry = API_TYPES,
  embeddings: readonly InlineEmbedding[] = CORE_V1_INLINE_EMBEDDINGS,
): Record<string, unknown> {
  const envelope = decodeProtobufEnvelope(body);
  const { group, version } = splitApiVersion(envelope.apiVersion);
  const gvk = describeGvk(group, version, envelope.kind);
  if (!envelope.kind || !version) throw badRequest('unable to decode protobuf body: the envelope names no apiVersion and kind');
  if (envelope.contentEncoding) {
    throw badRequest(`unable to decode protobuf body for ${gvk}: unsupported content encoding "${envelope.contentEncoding}"`);
  }
  const type = types.forKind(group, version, envelope.kind);
  if (!type) throw badRequest(`unable to decode protobuf body for ${gvk}: no such kind`);
  try {
    const object = decoderFor(types, embeddings).decode(envelope.raw, type);
    return { apiVersion: envelope.apiVersion, kind: envelope.kind, ...object };
  } catch (err) {
    if (err instanceof WireFormatError) throw badRequest(`unable to decode protobuf body for ${gvk}: ${err.message}`);
    throw err;
  }
}

const decoders = new WeakMap<TypeRegistry, WeakMap<readonly InlineEmbedding[], MessageDecoder>>();

/** One decoder per registry, so each type's field-number index is built once per process. */
function decoderFor(types: TypeRegistry, embeddings: readonly InlineEmbedding[]): MessageDecoder {
  let byEmbeddings = decoders.get(types);
  if (!byEmbeddings) decoders.set(types, (byEmbeddings = new WeakMap()));
  let decoder = byEmbeddings.get(embeddings);
  if (!decoder) byEmbeddings.set(embeddings, (decoder = new MessageDecoder(types, embeddings)));
  return decoder;
}

interface FieldSlot {
  name: string;
  def: FieldDef;
}

/** Where a protobuf field number of one message lands: a named field or an inline-embedded struct. */
type Slot = { kind: 'field'; slot: FieldSlot } | { kind: 'embedded'; type: ObjectType };

/** Decodes messages of one registry; caches the field-number index of each type. */
export class MessageDecoder {
  private readonly indexes = new Map<string, Map<number, Slot>>();

  constructor(
    private readonly types: TypeRegistry,
    private readonly embeddings: readonly InlineEmbedding[] = CORE_V1_INLINE_EMBEDDINGS,
  ) {}

  /** Decodes one message into its JSON form, omitting zero values of non-pointer fields. */
  decode(bytes: Uint8Array, type: ObjectType): Record<string, unknown> {
    const index = this.indexOf(type);
    const object: Record<string, unknown> = {};
    for (const wire of readFields(bytes)) {
      const slot = index.get(wire.number);
      if (!slot) continue;
      if (slot.kind === 'embedded') {
        Object.assign(object, this.decode(expectBytes(wire, slot.type.name), slot.type));
        continue;
      }
      const { name, def } = slot.slot;
      const schema = def.schema;
      const where = `${type.name}.${name}`;
      if (schema.type === 'list') this.appendListItems(object, name, schema.items, wire, where);
      else if (schema.type === 'map') this.addMapEntry(object, name, schema.values, wire, where);
      else if (schema.type === 'ref') {
        const decoded = this.decode(expectBytes(wire, where), this.typeNamed(schema.name));
        // a repeated occurrence of a message field merges into the first, as protobuf specifies
        object[name] = isPlainObject(object[name]) ? { ...(object[name] as object), ...decoded } : decoded;
      } else object[name] = this.decodeScalar(schema.scalar, wire, where);
    }
    for (const [name, value] of Object.entries(object)) {
      const def = type.fields[name];
      if (value === undefined || (def && !keepsZero(def) && isOmittedZero(def.schema, value))) delete object[name];
    }
    return object;
  }

  /** A referenced type the registry lacks is a gap in our descriptions; say which, as a 400. */
  private typeNamed(name: string): ObjectType {
    const type = this.types.get(name);
    if (!type) throw new WireFormatError(`no description of the message type ${name}`);
    return type;
  }

  private indexOf(type: ObjectType): Map<number, Slot> {
    let index = this.indexes.get(type.name);
    if (index) return index;
    index = new Map();
    for (const [name, def] of Object.entries(type.fields)) {
      if (def.pb !== undefined) index.set(def.pb, { kind: 'field', slot: { name, def } });
    }
    for (const embedding of this.embeddings) {
      if (embedding.parent === type.name) index.set(embedding.pb, { kind: 'embedded', type: this.typeNamed(embedding.embedded) });
    }
    this.indexes.set(type.name, index);
    return index;
  }

  private appendListItems(object: Record<string, unknown>, name: string, items: Schema, wire: WireField, where: string): void {
    const list = (Array.isArray(object[name]) ? object[name] : (object[name] = [])) as unknown[];
    // numbers and booleans may arrive packed (several varints in one length-delimited field)
    if (items.type === 'scalar' && wire.wireType === WireType.lengthDelimited && isVarintScalar(items.scalar)) {
      for (const value of readPackedVarints(wire.value)) list.push(varintScalar(items.scalar, value));
      return;
    }
    list.push(this.decodeValue(items, wire, `${where}[]`));
  }

  private addMapEntry(object: Record<string, unknown>, name: string, values: Schema, wire: WireField, where: string): void {
    const map = (isPlainObject(object[name]) ? object[name] : (object[name] = {})) as Record<string, unknown>;
    let key = '';
    let valueWire: WireField | undefined;
    for (const entryField of readFields(expectBytes(wire, where))) {
      if (entryField.number === 1) key = decodeString(expectBytes(entryField, `${where} key`));
      else if (entryField.number === 2) valueWire = entryField;
    }
    map[key] = valueWire ? this.decodeValue(values, valueWire, `${where}[${key}]`) : zeroValue(values);
  }

  /** A list item or map value: kept even when zero, as Go keeps them in JSON. */
  private decodeValue(schema: Schema, wire: WireField, where: string): unknown {
    switch (schema.type) {
      case 'ref':
        return this.decode(expectBytes(wire, where), this.typeNamed(schema.name));
      case 'scalar': {
        const value = this.decodeScalar(schema.scalar, wire, where);
        return value === undefined ? null : value;
      }
      default:
        // Kubernetes has no nested lists/maps as list items or map values on the wire
        throw new WireFormatError(`${where}: nested ${schema.type} values are not supported`);
    }
  }

  /** Decodes a scalar; returns undefined for values whose JSON form is absent (zero Time, empty raw). */
  private decodeScalar(kind: ScalarKind, wire: WireField, where: string): unknown {
    switch (kind) {
      case 'string':
        return decodeString(expectBytes(wire, where));
      case 'int32':
      case 'int64':
      case 'boolean':
        if (wire.wireType !== WireType.varint) throw wrongWireType(where, wire);
        return varintScalar(kind, wire.value);
      case 'double':
        if (wire.wireType !== WireType.fixed64) throw wrongWireType(where, wire);
        return readDouble(wire.value);
      case 'bytes':
        return Buffer.from(expectBytes(wire, where)).toString('base64');
      case 'quantity':
        return decodeQuantity(expectBytes(wire, where));
      case 'intOrString':
        return decodeIntOrString(expectBytes(wire, where));
      case 'time':
      case 'microTime': {
        const { seconds, nanos } = decodeTimestamp(expectBytes(wire, where));
        // Kubernetes encodes the zero Time as an empty message and reads seconds=0,nanos=0 as zero
        if (seconds === 0n && nanos === 0) return undefined;
        return kind === 'time' ? formatTime(seconds) : formatMicroTime(seconds, nanos);
      }
      case 'duration':
        return formatGoDuration(decodeDurationNanos(expectBytes(wire, where)));
      case 'rawExtension':
      case 'any':
        return decodeRawJson(expectBytes(wire, where), where);
    }
  }
}

function expectBytes(wire: WireField, where: string): Uint8Array {
  if (wire.wireType !== WireType.lengthDelimited) throw wrongWireType(where, wire);
  return wire.value;
}

function wrongWireType(where: string, wire: WireField): WireFormatError {
  return new WireFormatError(`field ${wire.number} (${where}) has unexpected wire type ${wire.wireType}`);
}

function isVarintScalar(kind: ScalarKind): kind is 'int32' | 'int64' | 'boolean' {
  return kind === 'int32' || kind === 'int64' || kind === 'boolean';
}

function varintScalar(kind: 'int32' | 'int64' | 'boolean', value: bigint): number | boolean {
  return kind === 'boolean' ? value !== 0n : varintToSigned(value);
}

function decodeQuantity(bytes: Uint8Array): string {
  let text = '';
  for (const field of readFields(bytes)) {
    if (field.number === 1 && field.wireType === WireType.lengthDelimited) text = decodeString(field.value);
  }
  return text;
}

function decodeIntOrString(bytes: Uint8Array): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  for (const field of readFields(bytes)) {
    if (field.number === 1 && field.wireType === WireType.varint) type = varintToSigned(field.value);
    else if (field.number === 2 && field.wireType === WireType.varint) intVal = varintToSigned(field.value);
    else if (field.number === 3 && field.wireType === WireType.lengthDelimited) strVal = decodeString(field.value);
  }
  return type === 1 ? strVal : intVal;
}

function decodeTimestamp(bytes: Uint8Array): { seconds: bigint; nanos: number } {
  let seconds = 0n;
  let nanos = 0;
  for (const field of readFields(bytes)) {
    if (field.wireType !== WireType.varint) continue;
    if (field.number === 1) seconds = BigInt(varintToSigned(field.value));
    else if (field.number === 2) nanos = varintToSigned(field.value);
  }
  return { seconds, nanos };
}

function decodeDurationNanos(bytes: Uint8Array): bigint {
  let nanos = 0n;
  for (const field of readFields(bytes)) {
    if (field.number === 1 && field.wireType === WireType.varint) nanos = BigInt.asIntN(64, field.value);
  }
  return nanos;
}

/** runtime.RawExtension and metav1.FieldsV1: {1: raw bytes} holding a JSON document. */
function decodeRawJson(bytes: Uint8Array, where: string): unknown {
  let raw: Uint8Array | undefined;
  for (const field of readFields(bytes)) {
    if (field.number === 1 && field.wireType === WireType.lengthDelimited) raw = field.value;
  }
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(decodeString(raw));
  } catch {
    throw new WireFormatError(`${where}: embedded object is not JSON`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Zero values survive for pointers (nil and zero differ) and for required scalars: OpenAPI marks a
 * field required exactly when its Go JSON tag lacks omitempty, so Go prints it even when zero
 * (`allowed: false`, `currentReplicas: 0`).
 */
function keepsZero(def: FieldDef): boolean {
  return def.pointer === true || (def.required === true && def.schema.type === 'scalar');
}

/**
 * Go omitempty: "", 0, false, empty maps and lists disappear. Structs are never empty to Go, so a
 * nested message present on the wire stays (as `{}` when all its fields are zero), matching the
 * JSON kubectl sends. Special scalars follow their Go zero values (Quantity "", IntOrString 0, ...).
 */
function isOmittedZero(schema: Schema, value: unknown): boolean {
  switch (schema.type) {
    case 'ref':
      return false;
    case 'list':
      return Array.isArray(value) && value.length === 0;
    case 'map':
      return isPlainObject(value) && Object.keys(value).length === 0;
    case 'scalar':
      if (schema.scalar === 'duration') return value === '0s';
      return value === '' || value === 0 || value === false;
  }
}

/** The JSON form of a map value whose entry carried no value field. */
function zeroValue(schema: Schema): unknown {
  if (schema.type === 'ref') return {};
  if (schema.type === 'list') return [];
  if (schema.type === 'map') return {};
  switch (schema.scalar) {
    case 'int32':
    case 'int64':
    case 'double':
    case 'intOrString':
      return 0;
    case 'boolean':
      return false;
    case 'quantity':
      return '0';
    case 'duration':
      return '0s';
    case 'time':
    case 'microTime':
    case 'rawExtension':
    case 'any':
      return null;
    default:
      return '';
  }
}
