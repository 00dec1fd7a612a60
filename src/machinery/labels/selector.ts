// Kubernetes label selectors: the string syntax of `?labelSelector=` and `kubectl -l`, and the
// structured metav1.LabelSelector (matchLabels + matchExpressions). Both become one list of
// requirements that are ANDed. Parsing follows apimachinery's lexer and parser so that error
// messages and the canonical string form (requirements sorted by key, set values sorted) match.

import { badRequest } from '../../api/errors.js';
import type { LabelSelector } from '../../api/meta.js';

export type LabelOperator =
  | 'In'
  | 'NotIn'
  | 'Equals'
  | 'DoubleEquals'
  | 'NotEquals'
  | 'Exists'
  | 'DoesNotExist'
  | 'GreaterThan'
  | 'LessThan';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and de-duplicated for In/NotIn; one value for the exact-match operators; empty for Exists/DoesNotExist. */
  values: string[];
}

/**
 * A parsed selector. `matchesNothing` is the selector made from a missing (nil) LabelSelector:
 * Kubernetes treats it as selecting nothing, while an empty one selects everything.
 */
export interface ParsedLabelSelector {
  requirements: LabelRequirement[];
  matchesNothing: boolean;
}

export interface LabelParseOptions {
  /**
   * Key/value syntax checks (qualified names, 63-character values) live with validation; a caller
   * may plug them in here. Return a message to reject the requirement.
   */
  checkRequirement?: (requirement: LabelRequirement) => string | undefined;
}

export const EVERYTHING: ParsedLabelSelector = Object.freeze({ requirements: [], matchesNothing: false }) as ParsedLabelSelector;
export const NOTHING: ParsedLabelSelector = Object.freeze({ requirements: [], matchesNothing: true }) as ParsedLabelSelector;

// ---- lexer ----

type TokenKind =
  | 'error'
  | 'end'
  | 'closePar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

interface Token {
  kind: TokenKind;
  literal: string;
}

const LITERAL_TOKENS: Record<string, TokenKind> = {
  ')': 'closePar',
  ',': 'comma',
  '!': 'doesNotExist',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  in: 'in',
  '<': 'lessThan',
  '!=': 'notEquals',
  notin: 'notIn',
  '(': 'openPar',
};

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean => '=!(),><'.includes(ch) && ch !== '';

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos]!)) pos++;
    if (pos >= input.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    const ch = input[pos]!;
    if (isSpecialSymbol(ch)) {
      // Longest run of symbols that still forms a known operator ("!=" rather than "!").
      let buffer = '';
      let last: Token | undefined;
      while (pos < input.length && isSpecialSymbol(input[pos]!)) {
        const candidate = buffer + input[pos];
        const kind = LITERAL_TOKENS[candidate];
        if (kind) {
          last = { kind, literal: candidate };
        } else if (last) {
          break;
        }
        buffer = candidate;
        pos++;
      }
      tokens.push(last ?? { kind: 'error', literal: `error expected: keyword found '${buffer}'` });
      continue;
    }
    let word = '';
    while (pos < input.length && !isSpecialSymbol(input[pos]!) && !isWhitespace(input[pos]!)) word += input[pos++];
    const keyword = LITERAL_TOKENS[word];
    tokens.push(keyword ? { kind: keyword, literal: word } : { kind: 'identifier', literal: word });
  }
}

// ---- parser ----

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  /** In value position the words `in` and `notin` are plain identifiers. */
  private asValue(token: Token): Token {
    return token.kind === 'in' || token.kind === 'notIn' ? { kind: 'identifier', literal: token.literal } : token;
  }

  lookahead(valueContext = true): Token {
    const token = this.tokens[this.position]!;
    return valueContext ? this.asValue(token) : token;
  }

  consume(valueContext = true): Token {
    const token = this.tokens[this.position]!;
    if (this.position < this.tokens.length - 1) this.position++;
    return valueContext ? this.asValue(token) : token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const next = this.lookahead();
      if (next.kind === 'end') return requirements;
      if (next.kind !== 'identifier' && next.kind !== 'doesNotExist') {
        throw new Error(`found '${next.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        throw new Error(`unable to parse requirement: ${(err as Error).message}`);
      }
      const after = this.consume();
      if (after.kind === 'end') return requirements;
      if (after.kind !== 'comma') throw new Error(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.lookahead();
      if (following.kind !== 'identifier' && following.kind !== 'doesNotExist') {
        throw new Error(`found '${following.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let negated = false;
    let token = this.consume();
    if (token.kind === 'doesNotExist') {
      negated = true;
      token = this.consume();
    }
    if (token.kind !== 'identifier') throw new Error(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    // `!key` stands alone: whatever follows it is reported by the caller as an unexpected token.
    if (negated) return newRequirement(key, 'DoesNotExist', []);
    const next = this.lookahead();
    if (next.kind === 'end' || next.kind === 'comma') return newRequirement(key, 'Exists', []);
    const operator = this.parseOperator();
    const values = operator === 'In' || operator === 'NotIn' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, values);
  }

  private parseOperator(): LabelOperator {
    const token = this.consume(false);
    switch (token.kind) {
      case 'in':
        return 'In';
      case 'notIn':
        return 'NotIn';
      case 'equals':
        return 'Equals';
      case 'doubleEquals':
        return 'DoubleEquals';
      case 'notEquals':
        return 'NotEquals';
      case 'greaterThan':
        return 'GreaterThan';
      case 'lessThan':
        return 'LessThan';
      default:
        throw new Error(`found '${token.literal}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume();
    if (open.kind !== 'openPar') throw new Error(`found '${open.literal}' expected: '('`);
    const first = this.lookahead();
    if (first.kind === 'closePar') {
      this.consume();
      return [''];
    }
    if (first.kind !== 'identifier' && first.kind !== 'comma') {
      throw new Error(`found '${first.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifierList();
    if (this.consume().kind !== 'closePar') throw new Error(`found '${first.literal}', expected: ')'`);
    return values;
  }

  /** A comma-separated list where empty entries stand for the empty value ("(a,,b)", "(,a)"). */
  private parseIdentifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const token = this.consume();
      if (token.kind === 'identifier') {
        values.add(token.literal);
        const next = this.lookahead();
        if (next.kind === 'comma') continue;
        if (next.kind === 'closePar') return [...values];
        throw new Error(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token.kind === 'comma') {
        if (values.size === 0) values.add('');
        const next = this.lookahead();
        if (next.kind === 'closePar' || next.kind === 'comma') {
          values.add('');
          if (next.kind === 'closePar') return [...values];
        }
        continue;
      }
      throw new Error(`found '${token.literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead();
    if (next.kind === 'end' || next.kind === 'comma') return [''];
    const token = this.consume();
    if (token.kind === 'identifier') return [token.literal];
    throw new Error(`found '${token.literal}', expected: identifier`);
  }
}

function goSliceLiteral(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** Builds a requirement with the operator/value-count rules of labels.NewRequirement. */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const problems: string[] = [];
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) problems.push(`values: Invalid value: ${goSliceLiteral(values)}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (values.length !== 1) problems.push(`values: Invalid value: ${goSliceLiteral(values)}: exact-match compatibility requires one single value`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) problems.push(`values: Invalid value: ${goSliceLiteral(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'GreaterThan':
    case 'LessThan':
      if (values.length !== 1) problems.push(`values: Invalid value: ${goSliceLiteral(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((value, i) => {
        if (!/^[+-]?\d+$/.test(value)) problems.push(`values[${i}]: Invalid value: ${JSON.stringify(value)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
  }
  if (problems.length > 0) throw new Error(problems.length === 1 ? problems[0] : `[${problems.join(', ')}]`);
  const sorted = operator === 'In' || operator === 'NotIn' ? [...new Set(values)].sort(compareStrings) : [...values];
  return { key, operator, values: sorted };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortByKey(requirements: LabelRequirement[]): LabelRequirement[] {
  return [...requirements].sort((a, b) => compareStrings(a.key, b.key));
}

function applyChecks(requirements: LabelRequirement[], options: LabelParseOptions | undefined): void {
  if (!options?.checkRequirement) return;
  for (const requirement of requirements) {
    const problem = options.checkRequirement(requirement);
    if (problem) throw badRequest(`unable to parse requirement: ${problem}`);
  }
}

/**
 * Parses the string form (`a=b,c!=d,e in (x,y),!f,g`). The empty string selects everything.
 * Throws ApiError BadRequest with Kubernetes' parser message.
 */
export function parseLabelSelector(selector: string, options?: LabelParseOptions): ParsedLabelSelector {
  let requirements: LabelRequirement[];
  try {
    requirements = new Parser(tokenize(selector)).parse();
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  applyChecks(requirements, options);
  return { requirements: sortByKey(requirements), matchesNothing: false };
}

function matchesRequirement(requirement: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = has ? labels[requirement.key]! : undefined;
  switch (requirement.operator) {
    case 'In':
    case 'Equals':
    case 'DoubleEquals':
      return value !== undefined && requirement.values.includes(value);
    case 'NotIn':
    case 'NotEquals':
      return value === undefined || !requirement.values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'GreaterThan':
    case 'LessThan': {
      if (value === undefined || !/^[+-]?\d+$/.test(value) || requirement.values.length !== 1) return false;
      const actual = BigInt(value);
      const bound = BigInt(requirement.values[0]!);
      return requirement.operator === 'GreaterThan' ? actual > bound : actual < bound;
    }
  }
}

/** True when every requirement holds for `labels` (a missing label map is an empty one). */
export function matches(selector: ParsedLabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (selector.matchesNothing) return false;
  const actual = labels ?? {};
  return selector.requirements.every((requirement) => matchesRequirement(requirement, actual));
}

/** True for the selector that selects every object (no requirements). */
export function isEverything(selector: ParsedLabelSelector): boolean {
  return !selector.matchesNothing && selector.requirements.length === 0;
}

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
};

/**
 * Converts a metav1.LabelSelector as LabelSelectorAsSelector does: a missing selector selects
 * nothing, an empty one everything. Bad operators or value counts throw ApiError BadRequest.
 */
export function fromLabelSelector(ls: LabelSelector | null | undefined, options?: LabelParseOptions): ParsedLabelSelector {
  if (ls === null || ls === undefined) return NOTHING;
  const matchLabels = ls.matchLabels ?? {};
  const expressions = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + expressions.length === 0) return EVERYTHING;
  const requirements: LabelRequirement[] = [];
  try {
    for (const [key, value] of Object.entries(matchLabels)) requirements.push(newRequirement(key, 'Equals', [value]));
    for (const expression of expressions) {
      const operator = EXPRESSION_OPERATORS[expression.operator as string];
      if (!operator) throw new Error(`${JSON.stringify(expression.operator)} is not a valid label selector operator`);
      requirements.push(newRequirement(expression.key, operator, [...(expression.values ?? [])]));
    }
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  applyChecks(requirements, options);
  return { requirements: sortByKey(requirements), matchesNothing: false };
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  In: ' in ',
  NotIn: ' notin ',
  Equals: '=',
  DoubleEquals: '==',
  NotEquals: '!=',
  Exists: '',
  DoesNotExist: '',
  GreaterThan: '>',
  LessThan: '<',
};

function requirementToString(requirement: LabelRequirement): string {
  const { key, operator } = requirement;
  if (operator === 'Exists') return key;
  if (operator === 'DoesNotExist') return `!${key}`;
  const values = [...requirement.values].sort(compareStrings).join(',');
  const body = operator === 'In' || operator === 'NotIn' ? `(${values})` : values;
  return `${key}${OPERATOR_TEXT[operator]}${body}`;
}

/** The canonical string of a parsed selector: requirements joined by commas (`a=b,tier in (x,y)`). */
export function formatLabelSelector(selector: ParsedLabelSelector): string {
  if (selector.matchesNothing) return '';
  return selector.requirements.map(requirementToString).join(',');
}

/** The string Kubernetes prints for a metav1.LabelSelector, e.g. Scale.status.selector `app=nginx`. */
export function selectorToString(ls: LabelSelector | null | undefined): string {
  return formatLabelSelector(fromLabelSelector(ls));
}
