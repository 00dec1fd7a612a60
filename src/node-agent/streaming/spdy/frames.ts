// SPDY/3.1 framing (pure): splitting a byte stream into frames and building the frames a server
// sends. Header blocks stay compressed here; header-codec.ts turns them into name/value pairs.

export const FLAG_FIN = 0x01;

export const ControlType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;
type ControlTypeCode = (typeof ControlType)[keyof typeof ControlType];

/** RST_STREAM status codes used here. */
export const RST_PROTOCOL_ERROR = 1;
export const RST_INVALID_STREAM = 2;
export const RST_CANCEL = 5;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'synStream'; streamId: number; associatedId: number; flags: number; headerBlock: Buffer }
  | { kind: 'synReply'; streamId: number; flags: number; headerBlock: Buffer }
  | { kind: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { kind: 'rstStream'; streamId: number; status: number }
  | { kind: 'ping'; id: number }
  | { kind: 'goAway'; lastStreamId: number; status: number }
  | { kind: 'windowUpdate'; streamId: number; delta: number }
  | { kind: 'other'; type: number; flags: number; payload: Buffer };

const HEADER_SIZE = 8;
const MAX_FRAME_LENGTH = 0xffffff;

/** Accumulates bytes and yields complete frames; input need not be frame-aligned. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffer.length >= HEADER_SIZE) {
      const length = this.buffer.readUIntBE(5, 3);
      if (this.buffer.length < HEADER_SIZE + length) break;
      const frame = this.buffer.subarray(0, HEADER_SIZE + length);
      this.buffer = this.buffer.subarray(HEADER_SIZE + length);
      frames.push(parseFrame(frame));
    }
    return frames;
  }
}

/** Parses one complete frame (header plus payload). Throws on a malformed control frame. */
export function parseFrame(frame: Buffer): Frame {
  const flags = frame[4];
  const payload = frame.subarray(HEADER_SIZE);
  if ((frame[0] & 0x80) === 0) {
    return { kind: 'data', streamId: frame.readUInt32BE(0) & 0x7fffffff, flags, data: payload };
  }
  const version = frame.readUInt16BE(0) & 0x7fff;
  if (version !== 3) throw new Error(`unsupported SPDY version ${version}`);
  const type = frame.readUInt16BE(2);
  const need = (n: number) => {
    if (payload.length < n) throw new Error(`short SPDY control frame of type ${type}`);
  };
  switch (type) {
    case ControlType.SynStream:
      need(10);
      return { kind: 'synStream', streamId: payload.readUInt32BE(0) & 0x7fffffff, associatedId: payload.readUInt32BE(4) & 0x7fffffff, flags, headerBlock: payload.subarray(10) };
    case ControlType.SynReply:
      need(4);
      return { kind: 'synReply', streamId: payload.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: payload.subarray(4) };
    case ControlType.Headers:
      need(4);
      return { kind: 'headers', streamId: payload.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: payload.subarray(4) };
    case ControlType.RstStream:
      need(8);
      return { kind: 'rstStream', streamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.readUInt32BE(4) };
    case ControlType.Ping:
      need(4);
      return { kind: 'ping', id: payload.readUInt32BE(0) };
    case ControlType.GoAway:
      need(4);
      return { kind: 'goAway', lastStreamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.length >= 8 ? payload.readUInt32BE(4) : 0 };
    case ControlType.WindowUpdate:
      need(8);
      return { kind: 'windowUpdate', streamId: payload.readUInt32BE(0) & 0x7fffffff, delta: payload.readUInt32BE(4) & 0x7fffffff };
    default:
      return { kind: 'other', type, flags, payload };
  }
}

function controlFrame(type: ControlTypeCode, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_LENGTH) throw new Error('SPDY control frame too large');
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt16BE(0x8003, 0);
  header.writeUInt16BE(type, 2);
  header[4] = flags;
  header.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([header, payload]);
}

function u32s(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, i * 4));
  return out;
}

/** DATA frames for `data`, split at the 24-bit length limit; FIN goes on the last one. */
export function dataFrames(streamId: number, data: Buffer, fin: boolean): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  do {
    const chunk = data.subarray(offset, offset + MAX_FRAME_LENGTH);
    offset += chunk.length;
    const last = offset >= data.length;
    const header = Buffer.alloc(HEADER_SIZE);
    header.writeUInt32BE(streamId & 0x7fffffff, 0);
    header[4] = last && fin ? FLAG_FIN : 0;
    header.writeUIntBE(chunk.length, 5, 3);
    frames.push(Buffer.concat([header, chunk]));
  } while (offset < data.length);
  return frames;
}

export function synReplyFrame(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  return controlFrame(ControlType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([u32s(streamId), headerBlock]));
}

export function synStreamFrame(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId, 0);
  return controlFrame(ControlType.SynStream, fin ? FLAG_FIN : 0, Buffer.concat([fixed, headerBlock]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  return controlFrame(ControlType.RstStream, 0, u32s(streamId, status));
}

export function pingFrame(id: number): Buffer {
  return controlFrame(ControlType.Ping, 0, u32s(id));
}

export function goAwayFrame(lastStreamId: number, status = 0): Buffer {
  return controlFrame(ControlType.GoAway, 0, u32s(lastStreamId, status));
}

export function windowUpdateFrame(streamId: number, delta: number): Buffer {
  return controlFrame(ControlType.WindowUpdate, 0, u32s(streamId, delta));
}
