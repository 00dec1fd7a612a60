// A tiny structured logger: one JSON object per line on stderr, filtered by KIJABI_LOG_LEVEL.
// Fields follow the house convention {component, object: "ns/name", ...}.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to process.stderr. */
  write?: (line: string) => void;
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function parseLogLevel(text: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  const lower = text?.trim().toLowerCase();
  return lower && lower in RANK ? (lower as LogLevel) : fallback;
}

/** Errors do not survive JSON.stringify; keep their message (and stack for bugs). */
function serialiseValue(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { message: value.message, name: value.name };
    const withReason = value as Error & { reason?: unknown; code?: unknown };
    if (withReason.reason !== undefined) out.reason = withReason.reason;
    if (withReason.code !== undefined) out.code = withReason.code;
    if (value.name !== 'ApiError' && value.stack) out.stack = value.stack;
    return out;
  }
  return value;
}

export function createLogger(component: string, options: LoggerOptions = {}, baseFields: LogFields = {}): Logger {
  const level = options.level ?? parseLogLevel(process.env.KIJABI_LOG_LEVEL);
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] < RANK[level]) return;
    const record: LogFields = { time: now().toISOString(), level: lvl, component, msg };
    for (const [k, v] of Object.entries(baseFields)) record[k] = serialiseValue(v);
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = serialiseValue(v);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ time: record.time, level: lvl, component, msg, note: 'fields not serialisable' });
    }
    write(line + '\n');
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    with: (fields) => createLogger(component, { level, write, now }, { ...baseFields, ...fields }),
  };
}
