// A launch done by the agent's own process (child_process.spawn): the fallback when the launcher
// cannot start, and the baseline the launcher is measured against. Same answers as the launcher.

import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { DEFAULT_MAX_OUTPUT, LaunchError, type LaunchRequest, type LaunchResult, type OutputTarget } from './launch-types.js';

const SYNC_MESSAGE = /\{[^{}]*\}/;

export function directLaunch(request: LaunchRequest): Promise<LaunchResult> {
  const opened: number[] = [];
  const target = (output: OutputTarget | undefined): 'pipe' | 'ignore' | number => {
    if (output === undefined || output === 'pipe') return 'pipe';
    if (output === 'null') return 'ignore';
    const fd = openSync(output.file, 'a');
    opened.push(fd);
    return fd;
  };
  let stdio: StdioOptions;
  try {
    stdio = [request.stdin !== undefined ? 'pipe' : 'ignore', target(request.stdout), target(request.stderr)];
    if (request.syncPipe) stdio.push('pipe');
  } catch (err) {
    for (const fd of opened) closeSync(fd);
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return Promise.reject(new LaunchError(code, `open: ${(err as Error).message}`));
  }
  const max = request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve, reject) => {
    // No setns between fork and exec here: nsenter enters the namespace instead.
    const argv = request.netns ? ['/usr/bin/nsenter', `--net=${request.netns}`, ...request.argv] : request.argv;
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio,
      cwd: request.cwd,
      env: request.env ? { ...process.env, ...request.env } : process.env,
      detached: request.detached === true,
    });
    for (const fd of opened) closeSync(fd);
    if (request.detached) child.unref();
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[], sync: [] as Buffer[] };
    const sizes = { stdout: 0, stderr: 0, sync: 0 };
    let truncated = false;
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let openStreams = 0;
    let settled = false;
    const timer = request.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, request.timeoutMs)
      : undefined;
    const done = (): void => {
      if (settled || !exit || openStreams > 0) return;
      settled = true;
      clearTimeout(timer);
      const text = (name: keyof typeof chunks): string => Buffer.concat(chunks[name]).toString('utf8');
      resolve({
        pid: child.pid!,
        exitCode: exit.code,
        signal: exit.signal,
        stdout: text('stdout'),
        stderr: text('stderr'),
        ...(request.syncPipe ? { sync: text('sync') } : {}),
        timedOut,
        truncated,
      });
    };
    const collect = (name: keyof typeof chunks, stream: Readable | null | undefined): void => {
      if (!stream) return;
      openStreams++;
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        openStreams--;
        done();
      };
      stream.on('data', (chunk: Buffer) => {
        const room = max - sizes[name];
        if (chunk.length > room) {
          truncated = true;
          chunk = chunk.subarray(0, Math.max(0, room));
        }
        sizes[name] += chunk.length;
        chunks[name].push(chunk);
        if (name === 'sync' && SYNC_MESSAGE.test(Buffer.concat(chunks.sync).toString('utf8'))) {
          stream.destroy();
          close();
        }
      });
      stream.on('error', () => undefined);
      stream.on('close', close);
    };
    collect('stdout', child.stdout);
    collect('stderr', child.stderr);
    if (request.syncPipe) collect('sync', child.stdio[3] as Readable);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new LaunchError(err.code ?? 'EIO', `exec ${request.argv[0]}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      done();
    });
    if (request.stdin !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(request.stdin);
    }
  });
}
