// Attaching to a container's main process through conmon's attach socket (<bundle>/attach, reached
// through the <socket-dir>/<id> symlink conmon makes). The socket is SOCK_SEQPACKET, which Node's
// net module cannot open, so a tiny Perl bridge (perl-base is on every Debian system) connects it:
// bytes on its stdin go to the container's stdin; every packet conmon sends (first byte 2 = stdout,
// 3 = stderr) comes out on its stdout prefixed with a 4-byte big-endian length.

import { spawn } from 'node:child_process';
import { openSync, writeSync, closeSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ExecProcess } from './exec.js';

const BRIDGE = `
use strict; use Socket;
my ($dir, $withStdin) = @ARGV;
chdir $dir or die "cannot enter the attach socket dir: $!\\n";
socket(my $s, AF_UNIX, SOCK_SEQPACKET, 0) or die "socket: $!\\n";
connect($s, pack_sockaddr_un("attach")) or die "cannot connect to the attach socket: $!\\n";
binmode STDIN; binmode STDOUT;
my $in = $withStdin eq "1";
while (1) {
  my $rin = ""; vec($rin, fileno($s), 1) = 1; vec($rin, fileno(STDIN), 1) = 1 if $in;
  my $n = select(my $rout = $rin, undef, undef, undef);
  next if $n < 0 && $!{EINTR};
  last if $n < 0;
  if (vec($rout, fileno($s), 1)) {
    my $got = sysread($s, my $buf, 65536);
    last if !$got;
    my $out = pack("N", length $buf) . $buf;
    while (length $out) { my $w = syswrite(STDOUT, $out); exit 0 if !defined $w; substr($out, 0, $w) = ""; }
  }
  if ($in && vec($rout, fileno(STDIN), 1)) {
    my $got = sysread(STDIN, my $buf, 8192);
    if (!$got) { $in = 0; shutdown($s, 1); } else { syswrite($s, $buf); }
  }
}
`;

/** Splits the bridge's length-prefixed packets into stdout/stderr chunks (pure, incremental). */
export class AttachFrameParser {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: 'stdout' | 'stderr'; data: Buffer }[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: { stream: 'stdout' | 'stderr'; data: Buffer }[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (this.pending.length < 4 + length) break;
      const packet = this.pending.subarray(4, 4 + length);
      this.pending = this.pending.subarray(4 + length);
      if (packet.length < 2) continue;
      out.push({ stream: packet[0] === 3 ? 'stderr' : 'stdout', data: Buffer.from(packet.subarray(1)) });
    }
    return out;
  }
}

export interface AttachOptions {
  /** <socket-dir>/<container id>: conmon's symlink to the bundle holding `attach` and `ctl`. */
  socketDir: string;
  stdin: boolean;
  perlPath?: string;
  /** Resolves with the container's exit code once the attach stream ends. */
  exitCode: () => Promise<number>;
}

export function attachContainer(options: AttachOptions): ExecProcess & { release(): void } {
  const child = spawn(options.perlPath ?? '/usr/bin/perl', ['-e', BRIDGE, options.socketDir, options.stdin ? '1' : '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const parser = new AttachFrameParser();
  child.stdout.on('data', (chunk: Buffer) => {
    for (const frame of parser.push(chunk)) (frame.stream === 'stderr' ? stderr : stdout).write(frame.data);
  });
  let bridgeError = '';
  child.stderr.on('data', (d: Buffer) => (bridgeError += d.toString('utf8')));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => {
    child.once('close', (code) => {
      if (code !== 0 && bridgeError) stderr.write(bridgeError);
      stdout.end();
      stderr.end();
      if (code !== 0) return resolve(code ?? 1);
      options.exitCode().then(resolve, () => resolve(0));
    });
    child.once('error', (err) => {
      stderr.end(`attach: ${err.message}\n`);
      stdout.end();
      resolve(1);
    });
  });
  if (!options.stdin) child.stdin.end();
  return {
    stdin: options.stdin ? child.stdin : undefined,
    stdout,
    stderr,
    resize(width: number, height: number) {
      // conmon's control FIFO: "<type> <height> <width>\n", type 1 = resize the terminal.
      try {
        const fd = openSync(join(options.socketDir, 'ctl'), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
        try {
          writeSync(fd, `1 ${height} ${width}\n`);
        } finally {
          closeSync(fd);
        }
      } catch {
        // no terminal or conmon gone: nothing to resize
      }
    },
    exited,
    release() {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
    },
  };
}
