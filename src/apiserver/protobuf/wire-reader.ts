// A minimal reader for the protobuf wire format: just what decoding Kubernetes request bodies needs.
// Kubernetes uses no zigzag (sint) fields; int32/int64 are plain varints, and a negative int32 is
// sign-extended to a 10-byte varint, so every integer is read as a 64-bit two's complement value.

export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
} as const;

/** Thrown on malformed input; the decoder turns it into a BadRequest. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

/** One field as it appears on the wire; `value` is a varint, the bytes of a fixed64, or a slice. */
export type WireField =
  | { number: number; wireType: 0; value: bigint }
  | { number: number; wireType: 1; value: Uint8Array }
  | { number: number; wireType: 2; value: Uint8Array }
  | { number: number; wireType: 5; value: Uint8Array };

const TWO_POW_63 = 1n << 63n;
const TWO_POW_64 = 1n << 64n;

/** Reads a varint as an unsigned 64-bit value; returns it and the offset after it. */
export function readVarint(bytes: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = offset; i < bytes.length && i < offset + 10; i++) {
    const byte = bytes[i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value: value & (TWO_POW_64 - 1n), next: i + 1 };
    shift += 7n;
  }
  throw new WireFormatError(offset + 10 <= bytes.length ? 'varint longer than 10 bytes' : 'truncated varint');
}

/** An unsigned 64-bit varint reinterpreted as a signed (two's complement) JavaScript number. */
export function varintToSigned(value: bigint): number {
  return Number(value >= TWO_POW_63 ? value - TWO_POW_64 : value);
}

/** Reads a little-endian IEEE 754 double from 8 fixed64 bytes. */
export function readDouble(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}

function take(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  if (offset + length > bytes.length) {
    throw new WireFormatError(`truncated field: needs ${length} bytes at offset ${offset}, only ${bytes.length - offset} left`);
  }
  return bytes.subarray(offset, offset + length);
}

/** Iterates over the fields of one message, in wire order. Groups (unused by Kubernetes) are rejected. */
export function* readFields(bytes: Uint8Array): Generator<WireField> {
  let offset = 0;
  while (offset < bytes.length) {
    const tag = readVarint(bytes, offset);
    offset = tag.next;
    if (tag.value > 0xffffffffn) throw new WireFormatError(`invalid field tag at offset ${offset}`);
    const number = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (number === 0) throw new WireFormatError('invalid field number 0');
    switch (wireType) {
      case WireType.varint: {
        const varint = readVarint(bytes, offset);
        offset = varint.next;
        yield { number, wireType, value: varint.value };
        break;
      }
      case WireType.fixed64:
        yield { number, wireType, value: take(bytes, offset, 8) };
        offset += 8;
        break;
      case WireType.lengthDelimited: {
        const length = readVarint(bytes, offset);
        offset = length.next;
        if (length.value > BigInt(bytes.length - offset)) {
          throw new WireFormatError(`truncated field ${number}: length ${length.value} exceeds the ${bytes.length - offset} bytes left`);
        }
        const size = Number(length.value);
        yield { number, wireType, value: take(bytes, offset, size) };
        offset += size;
        break;
      }
      case WireType.fixed32:
        yield { number, wireType, value: take(bytes, offset, 4) };
        offset += 4;
        break;
      default:
        throw new WireFormatError(`unsupported wire type ${wireType} for field ${number}`);
    }
  }
}

/** Reads the varints of a packed repeated field. */
export function readPackedVarints(bytes: Uint8Array): bigint[] {
  const values: bigint[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const varint = readVarint(bytes, offset);
    values.push(varint.value);
    offset = varint.next;
  }
  return values;
}
