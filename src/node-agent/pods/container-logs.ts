// Reading conmon's CRI-format container logs ("<RFC3339Nano> stdout|stderr F|P <text>") the way
// kubectl logs expects: prefix stripped (or the timestamp kept), tail, since, byte limit, follow.

import { existsSync, watch, type FSWatcher } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';

export interface CriLine {
  time: string;
  stream: 'stdout' | 'stderr';
  /** False for a partial line (P): its text continues in the next entry. */
  full: boolean;
  text: string;
}

export function parseCriLine(line: string): CriLine | undefined {
  const first = line.indexOf(' ');
  const second = line.indexOf(' ', first + 1);
  const third = line.indexOf(' ', second + 1);
  if (first < 0 || second < 0) return undefined;
  const stream = line.slice(first + 1, second);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = third < 0 ? line.slice(second + 1) : line.slice(second + 1, third);
  return { time: line.slice(0, first), stream, full: !tag.startsWith('P'), text: third < 0 ? '' : line.slice(third + 1) };
}

export interface LogFormatOptions {
  timestamps: boolean;
  tailLines?: number;
  /** Only entries at or after this time (ms since epoch). */
  sinceMs?: number;
  limitBytes?: number;
}

/** Formats one entry as kubectl shows it. */
export function formatEntry(entry: CriLine, timestamps: boolean): string {
  const text = entry.full ? `${entry.text}\n` : entry.text;
  return timestamps ? `${entry.time} ${text}` : text;
}

/** The whole log text to send for a non-follow request (pure). */
export function renderLog(content: string, options: LogFormatOptions): string {
  let entries = content.split('\n').filter(Boolean).map(parseCriLine).filter((e): e is CriLine => e !== undefined);
  if (options.sinceMs !== undefined) entries = entries.filter((e) => Date.parse(e.time) >= options.sinceMs!);
  if (options.tailLines !== undefined && options.tailLines >= 0) {
    // Count whole lines: a partial entry belongs to the full one after it.
    let lines = 0;
    let start = entries.length;
    while (start > 0) {
      if (entries[start - 1]!.full) {
        if (lines === options.tailLines) break;
        lines++;
      }
      start--;
    }
    entries = entries.slice(start);
  }
  let out = entries.map((e) => formatEntry(e, options.timestamps)).join('');
  if (options.limitBytes !== undefined && options.limitBytes >= 0) out = Buffer.from(out).subarray(0, options.limitBytes).toString('utf8');
  return out;
}

/** Last `maxLines` lines / `maxBytes` bytes of a log, as the termination-message fallback uses. */
export async function logTail(path: string, maxLines = 80, maxBytes = 2048): Promise<string> {
  try {
    const text = renderLog(await readFile(path, 'utf8'), { timestamps: false, tailLines: maxLines });
    const bytes = Buffer.from(text);
    return bytes.length > maxBytes ? bytes.subarray(bytes.length - maxBytes).toString('utf8') : text;
  } catch {
    return '';
  }
}

/**
 * A stream of the log: the existing content per `options`, then (with `follow`) new entries as the
 * file grows until `isDone()` says the container has exited and everything has been read.
 */
export async function openLogStream(path: string, options: LogFormatOptions & { follow: boolean; isDone?: () => Promise<boolean> }): Promise<Readable> {
  const out = new PassThrough();
  const content = existsSync(path) ? await readFile(path, 'utf8') : '';
  // Only complete lines are rendered now; a trailing fragment is picked up by the follower.
  const complete = content.lastIndexOf('\n') + 1;
  let sent = 0;
  const first = renderLog(content.slice(0, complete), options);
  sent += Buffer.byteLength(first);
  if (first) out.write(first);
  const limit = options.limitBytes;
  if (!options.follow || (limit !== undefined && sent >= limit)) {
    out.end();
    return out;
  }
  let offset = Buffer.byteLength(content.slice(0, complete));
  let pending = '';
  let watcher: FSWatcher | undefined;
  let closed = false;
  let reading = false;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    watcher?.close();
    out.end();
  };
  const readMore = async (): Promise<void> => {
    if (reading || closed) return;
    reading = true;
    try {
      const info = await stat(path).catch(() => undefined);
      if (info && info.size < offset) offset = 0; // rotated or truncated
      if (info && info.size > offset) {
        const handle = await open(path, 'r');
        try {
          const buffer = Buffer.alloc(info.size - offset);
          await handle.read(buffer, 0, buffer.length, offset);
          offset = info.size;
          pending += buffer.toString('utf8');
        } finally {
          await handle.close();
        }
        const cut = pending.lastIndexOf('\n') + 1;
        let text = renderLog(pending.slice(0, cut), { timestamps: options.timestamps, sinceMs: options.sinceMs });
        pending = pending.slice(cut);
        if (limit !== undefined) text = Buffer.from(text).subarray(0, Math.max(0, limit - sent)).toString('utf8');
        sent += Buffer.byteLength(text);
        if (text) out.write(text);
        if (limit !== undefined && sent >= limit) return finish();
      } else if (options.isDone && (await options.isDone())) {
        return finish();
      }
    } catch {
      finish();
    } finally {
      reading = false;
    }
  };
  const timer = setInterval(() => void readMore(), 500);
  try {
    watcher = watch(path, () => void readMore());
    watcher.on('error', () => undefined);
  } catch {
    // no file yet: the interval still polls
  }
  out.on('close', finish);
  return out;
}
