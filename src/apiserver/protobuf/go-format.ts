// The JSON text forms Go gives to metav1.Time, metav1.MicroTime and metav1.Duration.

/** metav1.Time: RFC 3339 in UTC, whole seconds (`2024-05-01T12:00:00Z`). */
export function formatTime(seconds: bigint): string {
  return isoSeconds(seconds) + 'Z';
}

/** metav1.MicroTime: RFC 3339 in UTC with exactly six fraction digits (`2024-05-01T12:00:00.123456Z`). */
export function formatMicroTime(seconds: bigint, nanos: number): string {
  const micros = Math.floor(nanos / 1000);
  return `${isoSeconds(seconds)}.${String(micros).padStart(6, '0')}Z`;
}

function isoSeconds(seconds: bigint): string {
  // toISOString gives `YYYY-MM-DDTHH:MM:SS.mmmZ`; keep up to the seconds
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
}

const NANOS_PER_MICRO = 1_000n;
const NANOS_PER_MILLI = 1_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MINUTE = 60n * NANOS_PER_SECOND;

/** time.Duration.String(): `1h0m0s`, `1m30s`, `30s`, `1.5s`, `500ms`, `2µs`, `0s`. */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const negative = nanos < 0n;
  const magnitude = negative ? -nanos : nanos;
  let text: string;
  if (magnitude < NANOS_PER_MICRO) text = `${magnitude}ns`;
  else if (magnitude < NANOS_PER_MILLI) text = `${withFraction(magnitude, NANOS_PER_MICRO)}µs`;
  else if (magnitude < NANOS_PER_SECOND) text = `${withFraction(magnitude, NANOS_PER_MILLI)}ms`;
  else {
    const minutes = magnitude / NANOS_PER_MINUTE;
    text = `${withFraction(magnitude % NANOS_PER_MINUTE, NANOS_PER_SECOND)}s`;
    // Go prints minutes (even 0) once there are hours, and hours only when there are some
    if (minutes > 0n) text = `${minutes % 60n}m${text}`;
    if (minutes >= 60n) text = `${minutes / 60n}h${text}`;
  }
  return negative ? `-${text}` : text;
}

/** `value / unit` as a decimal with trailing zeros of the fraction removed. */
function withFraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const remainder = value % unit;
  if (remainder === 0n) return `${whole}`;
  const digits = (unit - 1n).toString().length;
  return `${whole}.${remainder.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
