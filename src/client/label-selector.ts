// Matching of meta/v1 LabelSelectors against label maps, for listers and controllers. The rules
// are machinery's (the same the API server applies to ?labelSelector=); this adds the conventions
// controllers want: a missing selector matches everything and a malformed one matches nothing.
import type { LabelSelector } from '../api/meta.js';
import { EVERYTHING, fromLabelSelector, matches, NOTHING, type ParsedLabelSelector } from '../machinery/labels/selector.js';

// Cached objects are deep-frozen, so their selectors can be parsed once; unfrozen ones may still change.
const parsedFrozen = new WeakMap<LabelSelector, ParsedLabelSelector>();

function parse(selector: LabelSelector | undefined): ParsedLabelSelector {
  if (!selector) return EVERYTHING;
  const cached = parsedFrozen.get(selector);
  if (cached) return cached;
  let parsed: ParsedLabelSelector;
  try {
    parsed = fromLabelSelector(selector);
  } catch {
    parsed = NOTHING;
  }
  if (Object.isFrozen(selector)) parsedFrozen.set(selector, parsed);
  return parsed;
}

export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  return matches(parse(selector), labels);
}

/** A predicate for many objects, parsing the selector once. */
export function labelSelectorPredicate(selector: LabelSelector | undefined): (labels: Record<string, string> | undefined) => boolean {
  const parsed = parse(selector);
  return (labels) => matches(parsed, labels);
}
