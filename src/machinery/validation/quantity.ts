// Kubernetes resource quantities ("100m", "1Gi", "2", "1e3", "1.5"). Values are kept exactly as
// BigInt counts of nano-units so that comparisons and canonical formatting do not drift; the
// number-returning helpers are for callers that only need arithmetic (the scheduler, quotas).

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export const QUANTITY_REGEX_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const QUANTITY_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWERS: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const NANO = 1_000_000_000n;

export interface ParsedQuantity {
  /** The value in nano-units of the base unit (cores, bytes), rounded up as Kubernetes rounds. */
  nanos: bigint;
  format: QuantityFormat;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a > 0n) === (b > 0n) ? q + 1n : q;
}

/**
 * Parsed quantities by text. The same few strings ("100m", "128Mi") come back for every pod (the
 * API server validates them and computes the QoS class, the scheduler sums requests), and parsing
 * with BigInt is a few microseconds each time. Bounded: emptied when full.
 */
const parsedByText = new Map<string, Readonly<ParsedQuantity> | null>();
const PARSED_CACHE_ENTRIES = 4096;

/** Parses a quantity, or returns undefined when it is malformed. The result is shared: read only. */
export function parseQuantityExact(text: string): Readonly<ParsedQuantity> | undefined {
  const cached = parsedByText.get(text);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseUncached(text);
  if (parsedByText.size >= PARSED_CACHE_ENTRIES) parsedByText.clear();
  parsedByText.set(text, parsed ? Object.freeze(parsed) : null);
  return parsed;
}

function parseUncached(text: string): ParsedQuantity | undefined {
  const m = QUANTITY_RE.exec(text.trim() === text ? text : '');
  if (!m) return undefined;
  const [, sign, number, suffix = ''] = m;
  const [whole, fraction = ''] = number.split('.');
  // mantissa * 10^-fraction.length is the written number.
  let mantissa = BigInt((whole || '0') + fraction);
  let scale = fraction.length;
  let numerator: bigint;
  let format: QuantityFormat;
  if (suffix in BINARY_POWERS) {
    format = 'BinarySI';
    numerator = mantissa * (1n << BigInt(BINARY_POWERS[suffix])) * NANO;
  } else {
    let exponent: number;
    if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
      format = 'DecimalExponent';
      exponent = Number(suffix.slice(1));
      if (Math.abs(exponent) > 100) return undefined;
    } else {
      format = 'DecimalSI';
      exponent = DECIMAL_EXPONENTS[suffix];
    }
    // Nano-units: shift the decimal point by exponent + 9.
    const shift = exponent + 9;
    if (shift >= 0) numerator = mantissa * 10n ** BigInt(shift);
    else {
      numerator = mantissa;
      scale -= shift;
    }
  }
  mantissa = ceilDiv(numerator, 10n ** BigInt(scale));
  return { nanos: sign === '-' ? -mantissa : mantissa, format };
}

export function isValidQuantity(text: string): boolean {
  return parseQuantityExact(text) !== undefined;
}

/** The value in base units (cores, bytes). Throws on a malformed quantity. */
export function parseQuantity(text: string): number {
  const parsed = parseQuantityExact(text);
  if (!parsed) throw new Error(QUANTITY_REGEX_MESSAGE);
  // Whole and fractional parts separately, so large values (1E) stay exact.
  return Number(parsed.nanos / NANO) + Number(parsed.nanos % NANO) / 1e9;
}

/** Thousandths of the base unit, rounded up: millicores for cpu. */
export function quantityMilliValue(text: string): number {
  const parsed = parseQuantityExact(text);
  if (!parsed) throw new Error(QUANTITY_REGEX_MESSAGE);
  return Number(ceilDiv(parsed.nanos, 1_000_000n));
}

/** Whole base units, rounded up: bytes for memory. */
export function quantityValue(text: string): number {
  const parsed = parseQuantityExact(text);
  if (!parsed) throw new Error(QUANTITY_REGEX_MESSAGE);
  return Number(ceilDiv(parsed.nanos, NANO));
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. Both must be valid. */
export function compareQuantities(a: string, b: string): number {
  const x = parseQuantityExact(a);
  const y = parseQuantityExact(b);
  if (!x || !y) throw new Error(QUANTITY_REGEX_MESSAGE);
  return x.nanos < y.nanos ? -1 : x.nanos > y.nanos ? 1 : 0;
}

const DECIMAL_SUFFIXES: Array<[number, string]> = [
  [18, 'E'], [15, 'P'], [12, 'T'], [9, 'G'], [6, 'M'], [3, 'k'], [0, ''], [-3, 'm'], [-6, 'u'], [-9, 'n'],
];
const BINARY_SUFFIXES: Array<[bigint, string]> = [
  [1n << 60n, 'Ei'], [1n << 50n, 'Pi'], [1n << 40n, 'Ti'], [1n << 30n, 'Gi'], [1n << 20n, 'Mi'], [1n << 10n, 'Ki'],
];

function formatNanos(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return '0';
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  if (format === 'BinarySI' && abs % NANO === 0n) {
    const units = abs / NANO;
    // Values below 1024 print as plain integers in binary format.
    for (const [size, suffix] of BINARY_SUFFIXES) {
      if (units >= size && units % size === 0n) return `${sign}${units / size}${suffix}`;
    }
    return `${sign}${units}`;
  }
  // Decimal: the largest power-of-1000 exponent that keeps the mantissa whole.
  for (const [exp, suffix] of DECIMAL_SUFFIXES) {
    const divisor = 10n ** BigInt(exp + 9);
    if (abs % divisor === 0n) {
      const mantissa = abs / divisor;
      if (format === 'DecimalExponent') return exp === 0 ? `${sign}${mantissa}` : `${sign}${mantissa}e${exp}`;
      return `${sign}${mantissa}${suffix}`;
    }
  }
  return `${sign}${abs}n`;
}

/** Canonical text for a value in base units, as the API server re-serialises quantities. */
export function formatQuantity(value: number, format: QuantityFormat = 'DecimalSI'): string {
  const scaled = value * 1e9;
  // Floating-point noise (0.1 * 1e9 = 100000000.00000001) must not round a value up.
  const nearest = Math.round(scaled);
  return formatNanos(BigInt(Math.abs(scaled - nearest) < 1e-3 ? nearest : Math.ceil(scaled)), format);
}

/** The canonical form of a quantity string ("1000m" -> "1", "1024Mi" -> "1Gi"); undefined when malformed. */
export function canonicalQuantity(text: string): string | undefined {
  const parsed = parseQuantityExact(text);
  return parsed ? formatNanos(parsed.nanos, parsed.format) : undefined;
}
