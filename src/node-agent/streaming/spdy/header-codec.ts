// SPDY/3 header blocks: the name/value encoding (pure) and the per-connection zlib contexts.
// Incoming blocks share one inflate stream preset with the SPDY dictionary. Outgoing blocks are
// written as uncompressed deflate "stored" blocks, each ended by the sync-flush marker so that the
// peer's reader stops exactly at the end of the frame (Go's spdystream needs this).

import { constants, createInflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';

export type SpdyHeaders = Record<string, string>;

const ZLIB_HEADER_NO_DICT = Buffer.from([0x78, 0x01]);
const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
const MAX_STORED_BLOCK = 0xffff;

/** Serialises headers as SPDY/3 name/value pairs (names lower-cased). */
export function encodeHeaderPairs(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, value] of entries) {
    for (const text of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(text, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Parses SPDY/3 name/value pairs; repeated values (NUL-separated) are kept joined by NUL. */
export function decodeHeaderPairs(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let offset = 0;
  const take = (): string => {
    if (offset + 4 > block.length) throw new Error('truncated SPDY header block');
    const len = block.readUInt32BE(offset);
    offset += 4;
    if (offset + len > block.length) throw new Error('truncated SPDY header block');
    const text = block.toString('utf8', offset, offset + len);
    offset += len;
    return text;
  };
  if (block.length < 4) throw new Error('truncated SPDY header block');
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = take().toLowerCase();
    headers[name] = take();
  }
  return headers;
}

/** Compresses outgoing header blocks for one connection (stored blocks, no real compression). */
export class HeaderEncoder {
  private started = false;

  encode(headers: SpdyHeaders): Buffer {
    const raw = encodeHeaderPairs(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      parts.push(ZLIB_HEADER_NO_DICT);
      this.started = true;
    }
    for (let offset = 0; offset < raw.length; offset += MAX_STORED_BLOCK) {
      const chunk = raw.subarray(offset, offset + MAX_STORED_BLOCK);
      const head = Buffer.alloc(5);
      head[0] = 0x00; // BFINAL=0, BTYPE=00 (stored); the stream is byte-aligned here
      head.writeUInt16LE(chunk.length, 1);
      head.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(head, chunk);
    }
    parts.push(SYNC_FLUSH_MARKER);
    return Buffer.concat(parts);
  }
}

/** Decompresses incoming header blocks for one connection, in order. */
export class HeaderDecoder {
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private output: Buffer[] = [];
  private failure?: Error;

  constructor() {
    this.inflate.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.inflate.on('error', (err: Error) => (this.failure = err));
  }

  /** Inflates one compressed block; callers must await each call before the next. */
  decode(block: Buffer): Promise<SpdyHeaders> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.inflate.write(block);
      this.inflate.flush(constants.Z_SYNC_FLUSH, () => {
        if (this.failure) return reject(this.failure);
        const raw = Buffer.concat(this.output);
        this.output = [];
        try {
          resolve(decodeHeaderPairs(raw));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }

  close(): void {
    this.inflate.destroy();
  }
}
