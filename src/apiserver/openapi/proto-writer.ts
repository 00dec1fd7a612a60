// A small protobuf wire-format writer: enough to encode documents such as the gnostic OpenAPI v2
// message that kubectl downloads. Fields are written in call order; the caller decides which
// values to omit (proto3 drops zero values, but a present empty sub-message must still be written,
// because Go tells a nil message from an empty one).

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;

const TWO_POW_64 = 1n << 64n;
const textEncoder = new TextEncoder();

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
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
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.push(bytes);
    return this;
  }

  string(fieldNumber: number, value: string): this {
    return this.bytes(fieldNumber, textEncoder.encode(value));
  }

  bytes(fieldNumber: number, value: Uint8Array): this {
    this.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
    this.rawVarint(value.length);
    this.push(value);
    return this;
  }

  /** A nested message; written even when empty. */
  message(fieldNumber: number, value: ProtoWriter): this {
    this.tag(fieldNumber, WIRE_LENGTH_DELIMITED);
    this.rawVarint(value.length);
    for (const chunk of value.chunks) this.push(chunk);
    return this;
  }

  /** The message as one contiguous buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(fieldNumber: number, wireType: number): void {
    if (!Number.isInteger(fieldNumber) || fieldNumber < 1 || fieldNumber > 0x1fffffff) throw new RangeError(`invalid field number ${fieldNumber}`);
    this.rawVarint(fieldNumber * 8 + wireType);
  }

  private rawVarint(input: number | bigint): void {
    let value = typeof input === 'bigint' ? input : BigInt(Math.trunc(input));
    if (value < 0n) value += TWO_POW_64;
    if (value < 0n || value >= TWO_POW_64) throw new RangeError(`varint out of range: ${input}`);
    const bytes: number[] = [];
    while (value >= 0x80n) {
      bytes.push(Number(value & 0x7fn) | 0x80);
      value >>= 7n;
    }
    bytes.push(Number(value));
    this.push(Uint8Array.from(bytes));
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
}
