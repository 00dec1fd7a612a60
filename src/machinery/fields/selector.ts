// Kubernetes field selectors (`?fieldSelector=spec.nodeName=n1,status.phase!=Failed`): a list of
// ANDed equality terms. Values may be empty and escape `\`, `,` and `=` with a backslash; field
// names are taken literally up to the first operator. Parsing follows apimachinery's fields package.

import { badRequest } from '../../api/errors.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  /** The unescaped value. */
  value: string;
}

export interface ParsedFieldSelector {
  requirements: FieldRequirement[];
}

/** Operators in match order: `!=` and `==` before `=` so no `=` is left on the value. */
const TERM_OPERATORS: readonly FieldOperator[] = ['!=', '==', '='];

/** Splits on commas that are not escaped with a backslash. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = true;
    else if (ch === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

function splitTerm(term: string): { field: string; operator: FieldOperator; rawValue: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const operator of TERM_OPERATORS) {
      if (term.startsWith(operator, i)) return { field: term.slice(0, i), operator, rawValue: term.slice(i + operator.length) };
    }
  }
  return undefined;
}

function unescapeValue(raw: string): string {
  if (!/[\\,=]/.test(raw)) return raw;
  let out = '';
  let escaped = false;
  for (const ch of raw) {
    if (escaped) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${ch}`);
      out += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',' || ch === '=') {
      // Go prints the rune as its code point number.
      throw badRequest(`invalid field selector: unescaped character in value: ${ch.codePointAt(0)}`);
    } else {
      out += ch;
    }
  }
  if (escaped) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Escapes a value so that it survives a round trip through parseFieldSelector. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}

/**
 * Parses a field selector. Terms are sorted (as Kubernetes does, for a deterministic form);
 * empty terms are skipped; the empty string selects everything. Throws ApiError BadRequest.
 */
export function parseFieldSelector(selector: string): ParsedFieldSelector {
  const terms = splitTerms(selector).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    requirements.push({ field: parts.field, operator: parts.operator, value: unescapeValue(parts.rawValue) });
  }
  return { requirements };
}

/** True when every term holds; a field missing from `attrs` has the empty value, as in Kubernetes. */
export function matchesFields(selector: ParsedFieldSelector, attrs: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((requirement) => {
    const actual = Object.prototype.hasOwnProperty.call(attrs, requirement.field) ? attrs[requirement.field]! : '';
    return requirement.operator === '!=' ? actual !== requirement.value : actual === requirement.value;
  });
}

/** The requirements, for callers that check field names or look for exact matches (e.g. metadata.name). */
export function requirementsFor(selector: ParsedFieldSelector): readonly FieldRequirement[] {
  return selector.requirements;
}

/** The value an `=`/`==` term demands for `field`, if any (lets a list use an index, e.g. spec.nodeName). */
export function requiresExactMatch(selector: ParsedFieldSelector, field: string): string | undefined {
  return selector.requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
}

/**
 * Rejects terms on fields the resource does not index, with Kubernetes' wording:
 * 400 `field label not supported: <name>`.
 */
export function assertSupportedFields(selector: ParsedFieldSelector, supported: Iterable<string> | ((field: string) => boolean)): void {
  const isSupported = typeof supported === 'function' ? supported : ((set) => (field: string) => set.has(field))(new Set(supported));
  for (const requirement of selector.requirements) {
    if (!isSupported(requirement.field)) throw badRequest(`field label not supported: ${requirement.field}`);
  }
}

/** The canonical string form (`a=b,c!=d`), values escaped. */
export function formatFieldSelector(selector: ParsedFieldSelector): string {
  return selector.requirements
    .map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`)
    .join(',');
}
