// Cron schedules: five fields (minute hour day-of-month month day-of-week) with lists, ranges,
// steps and names, the @hourly family and an optional CRON_TZ=/TZ= prefix; next-run times in any IANA zone.

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Day fields written as "*" combine with AND; otherwise with OR, as in Vixie cron. */
  daysStar: boolean;
  weekdaysStar: boolean;
  timeZone?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseValue(text: string, names: string[] | undefined, offset: number): number {
  const lower = text.toLowerCase();
  if (names) {
    const i = names.indexOf(lower);
    if (i >= 0) return i + offset;
  }
  if (!/^\d+$/.test(text)) throw new Error(`failed to parse int from ${text}`);
  return Number(text);
}

function parseField(text: string, min: number, max: number, names?: string[], nameOffset = 0): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [rangeText, stepText] = part.split('/');
    let from: number;
    let to: number;
    if (rangeText === '*' || rangeText === '?') {
      from = min;
      to = max;
    } else {
      const [a, b] = (rangeText ?? '').split('-');
      from = parseValue(a ?? '', names, nameOffset);
      to = b === undefined ? (stepText === undefined ? from : max) : parseValue(b, names, nameOffset);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`invalid step in ${part}`);
    if (from < min || to > max || from > to) throw new Error(`end of range (${to}) above maximum (${max}) or beginning of range (${from}) below minimum (${min}): ${part}`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export function parseSchedule(text: string, timeZone?: string): CronSchedule {
  let spec = text.trim();
  let zone = timeZone;
  const tz = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(spec);
  if (tz) {
    zone = tz[1];
    spec = tz[2]!.trim();
  }
  if (spec.startsWith('@')) {
    const macro = MACROS[spec.toLowerCase()];
    if (!macro) throw new Error(`unrecognized descriptor: ${spec}`);
    spec = macro;
  }
  const fields = spec.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${spec}`);
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const weekdays = parseField(dow, 0, 7, WEEKDAYS);
  if (weekdays.has(7)) {
    weekdays.delete(7);
    weekdays.add(0);
  }
  if (zone) zoneOffsetMinutes(zone, new Date(0));
  return {
    minutes: parseField(min, 0, 59),
    hours: parseField(hour, 0, 23),
    days: parseField(dom, 1, 31),
    months: parseField(month, 1, 12, MONTHS, 1),
    weekdays,
    daysStar: dom === '*' || dom === '?',
    weekdaysStar: dow === '*' || dow === '?',
    timeZone: zone,
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `zone` from UTC at `at`, in minutes (east positive). Throws for unknown zones. */
export function zoneOffsetMinutes(zone: string, at: Date): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  let fmt = formatters.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, fmt);
  }
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

function matchesDay(s: CronSchedule, day: number, weekday: number): boolean {
  const domOk = s.days.has(day);
  const dowOk = s.weekdays.has(weekday);
  if (s.daysStar || s.weekdaysStar) return domOk && dowOk;
  return domOk || dowOk;
}

/** Whether the wall-clock minute of `at` in the schedule's zone matches. */
function matchesMinute(s: CronSchedule, at: Date): boolean {
  const offset = s.timeZone ? zoneOffsetMinutes(s.timeZone, at) : 0;
  const local = new Date(at.getTime() + offset * 60_000);
  return (
    s.minutes.has(local.getUTCMinutes()) &&
    s.hours.has(local.getUTCHours()) &&
    s.months.has(local.getUTCMonth() + 1) &&
    matchesDay(s, local.getUTCDate(), local.getUTCDay())
  );
}

/** The first scheduled time strictly after `after` (searching up to five years), or undefined. */
export function nextTime(s: CronSchedule, after: Date): Date | undefined {
  let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  const limit = t + 5 * 366 * 24 * 60 * 60_000;
  while (t < limit) {
    const at = new Date(t);
    const offset = s.timeZone ? zoneOffsetMinutes(s.timeZone, at) : 0;
    const local = new Date(t + offset * 60_000);
    // Skip whole days or hours that cannot match, so a yearly schedule takes few steps.
    if (!s.months.has(local.getUTCMonth() + 1) || !matchesDay(s, local.getUTCDate(), local.getUTCDay())) {
      // Aim an hour short of local midnight: a DST day may be 23 or 25 hours long.
      t += Math.max(60, 23 * 60 - (local.getUTCHours() * 60 + local.getUTCMinutes())) * 60_000;
      continue;
    }
    if (!s.hours.has(local.getUTCHours())) {
      t += (60 - local.getUTCMinutes()) * 60_000;
      continue;
    }
    if (matchesMinute(s, at)) return at;
    t += 60_000;
  }
  return undefined;
}

/**
 * The most recent scheduled time in (since, now], and how many were missed in that window
 * (capped at `cap`, as Kubernetes stops counting at 100 and warns).
 */
export function mostRecentTime(s: CronSchedule, since: Date, now: Date, cap = 101): { time?: Date; missed: number } {
  let missed = 0;
  let last: Date | undefined;
  for (let t = nextTime(s, since); t && t.getTime() <= now.getTime(); t = nextTime(s, t)) {
    last = t;
    if (++missed >= cap) {
      // Too many to walk one by one: jump to the last one before now.
      const recent = new Date(now.getTime() - 366 * 24 * 3600_000);
      let tail = nextTime(s, recent.getTime() > t.getTime() ? recent : t);
      while (tail && tail.getTime() <= now.getTime()) {
        last = tail;
        tail = nextTime(s, tail);
      }
      break;
    }
  }
  return { time: last, missed };
}
