// Port forwarding over one SPDY connection: for every request id the client opens an error stream
// and a data stream (headers streamtype, port, requestid). The data stream is spliced to a socket
// the backend connects inside the pod; a failure is written as text to the error stream.

import type { Duplex } from 'node:stream';
import type { Logger } from '../../client/log.js';
import type { SpdyConnection, SpdyStream } from './spdy/connection.js';

export type Connector = (port: number) => Promise<Duplex>;

interface ForwardPair {
  error?: SpdyStream;
  data?: SpdyStream;
  failure?: string;
  finished?: boolean;
}

/** Returns the onStream handler for a port-forward SPDY connection. */
export function portForwardStreamHandler(connect: Connector, describePod: string, log?: Logger): (stream: SpdyStream, connection: SpdyConnection) => void {
  const pairs = new Map<string, ForwardPair>();

  const finishError = (pair: ForwardPair) => {
    if (!pair.error || !pair.finished) return;
    if (pair.failure !== undefined) pair.error.end(pair.failure);
    else pair.error.end();
  };

  return (stream) => {
    const type = stream.headers.streamtype;
    const requestId = stream.headers.requestid ?? '';
    const port = Number(stream.headers.port);
    if (type !== 'error' && type !== 'data') {
      stream.destroy();
      return;
    }
    let pair = pairs.get(requestId);
    if (!pair) {
      pair = {};
      pairs.set(requestId, pair);
    }
    const current = pair;
    if (type === 'error') {
      current.error = stream;
      stream.resume(); // the client half-closes it at once; nothing to read
      stream.on('error', () => undefined);
      finishError(current);
      return;
    }
    current.data = stream;
    stream.on('error', () => undefined);
    const done = (failure?: string) => {
      if (current.finished) return;
      current.finished = true;
      current.failure = failure;
      pairs.delete(requestId);
      finishError(current);
    };
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      stream.end();
      done(`invalid port ${stream.headers.port ?? ''}`);
      return;
    }
    connect(port).then(
      (target) => {
        target.on('error', (err: Error) => {
          log?.debug('port-forward target error', { pod: describePod, port, error: err.message });
          target.destroy();
        });
        stream.pipe(target);
        target.pipe(stream);
        target.once('close', () => {
          if (!stream.writableEnded) stream.end();
          done();
        });
        stream.once('close', () => target.destroy());
      },
      (err: unknown) => {
        const message = `error forwarding port ${port} to pod ${describePod}: ${err instanceof Error ? err.message : String(err)}`;
        log?.debug('port-forward failed', { pod: describePod, port, error: message });
        stream.end();
        done(message);
      },
    );
  };
}
