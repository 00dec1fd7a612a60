// The server end of a SPDY/3.1 connection over any byte stream (a raw upgraded socket, or the
// WebSocket tunnel kubectl port-forward uses). Peer-opened streams are answered with SYN_REPLY and
// handed out as Duplex streams; PINGs are echoed; GOAWAY and socket end tear everything down.

import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import type { Logger } from '../../../client/log.js';
import { dataFrames, FLAG_FIN, FrameReader, goAwayFrame, pingFrame, rstStreamFrame, RST_INVALID_STREAM, RST_PROTOCOL_ERROR, synReplyFrame, type Frame } from './frames.js';
import { HeaderDecoder, HeaderEncoder, type SpdyHeaders } from './header-codec.js';

/** One SPDY stream: readable side = the peer's DATA, writable side = our DATA (end() sends FIN). */
export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: SpdyHeaders;
  private readonly connection: SpdyConnection;
  remoteClosed = false;
  localClosed = false;

  constructor(connection: SpdyConnection, id: number, headers: SpdyHeaders) {
    super({ allowHalfOpen: true });
    this.connection = connection;
    this.id = id;
    this.headers = headers;
  }

  override _read(): void {
    // Data is pushed as frames arrive; flow control is left to the transport.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.localClosed) return callback(new Error('write after stream reset'));
    this.connection.sendFrames(dataFrames(this.id, chunk, false), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.localClosed) return callback();
    this.localClosed = true;
    this.connection.sendFrames(dataFrames(this.id, Buffer.alloc(0), true), callback);
    this.connection.maybeForget(this);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.localClosed || !this.remoteClosed) {
      this.localClosed = true;
      this.remoteClosed = true;
      this.connection.reset(this);
    }
    callback(error);
  }

  /** Called by the connection for the peer's DATA frames. */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length) this.push(data);
    if (fin) {
      this.remoteClosed = true;
      this.push(null);
      this.connection.maybeForget(this);
    }
  }

  /** The peer reset the stream or the connection went away. */
  abort(): void {
    const wasOpen = !this.remoteClosed;
    this.remoteClosed = true;
    this.localClosed = true;
    if (wasOpen) this.push(null);
    this.destroy();
  }
}

export interface SpdyConnectionOptions {
  /** A new peer-opened stream; it has already been answered with SYN_REPLY. */
  onStream: (stream: SpdyStream) => void;
  log?: Logger;
}

export class SpdyConnection extends EventEmitter {
  private readonly socket: Duplex;
  private readonly options: SpdyConnectionOptions;
  private readonly reader = new FrameReader();
  private readonly decoder = new HeaderDecoder();
  private readonly encoder = new HeaderEncoder();
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(socket: Duplex, options: SpdyConnectionOptions) {
    super();
    this.socket = socket;
    this.options = options;
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => this.close());
    socket.on('close', () => this.close());
    socket.on('error', (err: Error) => {
      options.log?.debug('spdy transport error', { error: err.message });
      this.close();
    });
  }

  /** Writes frames in order; `done` runs once the transport accepted them. */
  sendFrames(frames: Buffer[], done?: (error?: Error | null) => void): void {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) {
      done?.(new Error('SPDY connection closed'));
      return;
    }
    let flushed = true;
    for (const frame of frames) flushed = this.socket.write(frame);
    if (!done) return;
    if (flushed) done();
    else this.socket.once('drain', () => done());
  }

  reset(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    this.sendFrames([rstStreamFrame(stream.id, 5 /* CANCEL */)]);
  }

  maybeForget(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) this.streams.delete(stream.id);
  }

  /** Sends GOAWAY and ends the transport; all streams are aborted. */
  close(): void {
    if (this.closed) return;
    if (!this.socket.destroyed && !this.socket.writableEnded) {
      this.socket.write(goAwayFrame(this.lastStreamId));
      this.socket.end();
    }
    this.closed = true;
    for (const stream of this.streams.values()) stream.abort();
    this.streams.clear();
    this.decoder.close();
    this.emit('close');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onBytes(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.options.log?.debug('bad spdy frame', { error: (err as Error).message });
      this.close();
      return;
    }
    for (const frame of frames) {
      // Header blocks inflate asynchronously, so frames are handled strictly one after another.
      this.chain = this.chain.then(() => this.handleFrame(frame)).catch((err: unknown) => {
        this.options.log?.debug('spdy protocol error', { error: err instanceof Error ? err.message : String(err) });
        this.close();
      });
    }
  }

  private async handleFrame(frame: Frame): Promise<void> {
    if (this.closed) return;
    switch (frame.kind) {
      case 'synStream': {
        const headers = await this.decoder.decode(frame.headerBlock);
        if (frame.streamId % 2 === 0 || frame.streamId <= this.lastStreamId) {
          this.sendFrames([rstStreamFrame(frame.streamId, RST_PROTOCOL_ERROR)]);
          return;
        }
        this.lastStreamId = frame.streamId;
        const stream = new SpdyStream(this, frame.streamId, headers);
        this.streams.set(frame.streamId, stream);
        this.sendFrames([synReplyFrame(frame.streamId, this.encoder.encode({}))]);
        this.options.onStream(stream);
        if (frame.flags & FLAG_FIN) stream.receive(Buffer.alloc(0), true);
        return;
      }
      case 'headers':
      case 'synReply':
        await this.decoder.decode(frame.headerBlock);
        return;
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        if (!stream) {
          if (frame.streamId > this.lastStreamId) this.sendFrames([rstStreamFrame(frame.streamId, RST_INVALID_STREAM)]);
          return;
        }
        stream.receive(frame.data, (frame.flags & FLAG_FIN) !== 0);
        return;
      }
      case 'rstStream': {
        const stream = this.streams.get(frame.streamId);
        this.streams.delete(frame.streamId);
        stream?.abort();
        return;
      }
      case 'ping':
        // Odd ids are the peer's pings (we never send our own), so echo them.
        this.sendFrames([pingFrame(frame.id)]);
        return;
      case 'goAway':
        this.close();
        return;
      case 'windowUpdate':
      case 'other':
        return;
    }
  }
}
