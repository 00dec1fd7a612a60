// A small protobuf wire-format writer: enough to encode documents such as the gnostic OpenAPI v2
// message that kubectl downloads. Fields are written in call order; the caller decides which
// values to omit (proto3 drops zero values, but a present empty sub-message must still be written,
// because Go tells a nil message from an empty one).

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;

const TWO_POW_64 = 1n << 64n;
const textEncoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

export class ProtoWriter {
  // One growable buffer: nesting copies a finished sub-message once per level, which is far
  // cheaper than keeping thousands of small chunks.
  private buffer = EMPTY;
  private size = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.size;
  }

  /** An integer field (int32, int64, uint64, enum) as a varint; negatives take ten bytes, as in Go. */
  varint(fieldNumber: number, value: number | bigint): this {
    this.tag(fieldNumber, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  bool(fieldNumber: number, value: boolean): this {
    return this.varint(fieldNumber, value ? 1 : 0);
  }

  double(fieldNumber: number, value: number): this {
    this.tag(fieldNumber, WIRE_FIXED64);
    this.reserve(8);
    new DataView(this.buffer.buffer, this.buffer.byteOffset + this.size, 8).setFloat64(0, value, true);
    this.size += 8;
    return this;
  }

  string(fieldNumber: number, value: string): this {
    return this.bytes(fieldNumber, textEncoder.encode(value));
  }

  bytes(fieldNumber: number, value: Uint8Array): this {
    this.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
    this.rawVarint(value.length);
    this.append(value);
    return this;
  }

  /** A nested message; written even when empty. */
  message(fieldNumber: number, value: ProtoWriter): this {
    return this.bytes(fieldNumber, value.buffer.subarray(0, value.size));
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.size);
  }

  private tag(fieldNumber: number, wireType: number): void {
    if (!Number.isInteger(fieldNumber) || fieldNumber < 1 || fieldNumber > 0x1fffffff) throw new RangeError(`invalid field number ${fieldNumber}`);
    this.rawVarint(fieldNumber * 8 + wireType);
  }

  private rawVarint(input: number | bigint): void {
    this.reserve(10);
    if (typeof input === 'number' && Number.isInteger(input) && input >= 0 && input <= 0x7fffffff) {
      // Fast path for tags and lengths, the bulk of every message.
      let value = input;
      while (value >= 0x80) {
        this.buffer[this.size++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
      this.buffer[this.size++] = value;
      return;
    }
    let value = typeof input === 'bigint' ? input : BigInt(Math.trunc(input));
    if (value < 0n) value += TWO_POW_64;
    if (value < 0n || value >= TWO_POW_64) throw new RangeError(`varint out of range: ${input}`);
    while (value >= 0x80n) {
      this.buffer[this.size++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.buffer[this.size++] = Number(value);
  }

  private append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.size);
    this.size += bytes.length;
  }

  private reserve(extra: number): void {
    if (this.size + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.size + extra, 32));
    grown.set(this.buffer.subarray(0, this.size));
    this.buffer = grown;
  }
}
