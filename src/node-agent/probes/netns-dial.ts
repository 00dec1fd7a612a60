// Connections made from inside another network namespace: `nsenter --net=NS busybox nc` carries
// the bytes on its stdin and stdout. Port-forward uses it to reach a pod's localhost; with
// --node-netns, probes and httpGet hooks use it too, because the pods' network then lives in a
// namespace the agent is not in, whose pod IPs the agent's own routes do not reach (its default
// route would carry the packets off the machine).

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';

export interface Dialer {
  /** A stream to host:port, connecting while the first bytes are written; fails with an errno-coded error. */
  stream(host: string, port: number, timeoutMs: number): Duplex;
  /** Resolves once a TCP connection to host:port was made (and closed again). */
  check(host: string, port: number, timeoutMs: number): Promise<void>;
}

export interface NetnsDialerOptions {
  nsenterPath?: string;
  busyboxPath?: string;
}

/** nc's stderr as the errno a socket would have failed with (the probe handlers word them as the kubelet). */
export function dialError(stderr: string): NodeJS.ErrnoException {
  const text = stderr.trim().replace(/^nc: /, '') || 'connection failed';
  const code = /refused/i.test(text) ? 'ECONNREFUSED' : /no route/i.test(text) ? 'EHOSTUNREACH' : /unreachable/i.test(text) ? 'ENETUNREACH' : /timed out/i.test(text) ? 'ETIMEDOUT' : undefined;
  return Object.assign(new Error(text), code ? { code } : {});
}

/** Connections made by `busybox nc` inside network namespace `netnsPath` (in the agent's own when undefined). */
export function netnsDialer(netnsPath: string | undefined, options: NetnsDialerOptions = {}): Dialer {
  const busybox = options.busyboxPath ?? '/bin/busybox';
  const nc = (host: string, port: number, timeoutMs: number, extra: string[]): ChildProcessWithoutNullStreams => {
    const argv = [busybox, 'nc', '-w', String(Math.max(1, Math.ceil(timeoutMs / 1000))), host, String(port), ...extra];
    const command = netnsPath ? [options.nsenterPath ?? '/usr/bin/nsenter', `--net=${netnsPath}`, ...argv] : argv;
    return spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  };

  return {
    stream(host, port, timeoutMs) {
      const child = nc(host, port, timeoutMs, []);
      let stderr = '';
      let answered = false;
      const stop = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      };
      // Writes that fail because nc gave up are not the error to report: its status says why.
      const stream = new Duplex({
        write: (chunk: Buffer, _encoding, done) => void child.stdin.write(chunk, () => done()),
        final: (done) => {
          child.stdin.end();
          done();
        },
        read: () => undefined,
        destroy: (err, done) => {
          stop();
          done(err);
        },
      });
      child.stdin.on('error', () => undefined);
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.stdout.on('data', (d: Buffer) => {
        answered = true;
        stream.push(d);
      });
      // The reply ends only once nc's status is known: a connection that never came up ends nc
      // with an error before any byte arrived, and the reader must see that error, not a plain end.
      child.once('close', (code) => {
        if (code !== 0 && !answered) stream.destroy(dialError(stderr));
        else stream.push(null);
      });
      child.once('error', (err) => stream.destroy(err));
      return stream;
    },

    check(host, port, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        // -e runs a program on the connected socket: `true` closes it at once, and nc's status says whether it connected.
        const child = nc(host, port, timeoutMs, ['-e', '/bin/true']);
        let stderr = '';
        child.stdin.end();
        child.stdout.resume();
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
        }, timeoutMs);
        timer.unref?.();
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        // 'close', not 'exit': only then has all of nc's stderr been read.
        child.once('close', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(dialError(stderr));
        });
      });
    },
  };
}
