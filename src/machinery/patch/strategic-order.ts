// Element ordering for strategic merge patch lists. Kubernetes keeps three orders, in priority:
// `$setElementOrder`, then the order of items in the patch, then the order of the live list.
// Patch items are sorted by the patch order, server-only items by the live order, and the two
// runs are interleaved using the live order where both items are found in it. An item that the
// live list does not know (a new one) is placed before the server-only item being compared, which
// is why new items land at the front when no `$setElementOrder` says otherwise.

import { isJsonObject } from './json-value.js';
import { SmpError } from './strategic-errors.js';

/** Identity of a list item: its merge-key value for lists of maps, the value itself otherwise. */
export function itemIdentity(item: unknown, mergeKey: string, isMapList: boolean): unknown {
  if (!isMapList) return item;
  return isJsonObject(item) ? item[mergeKey] : undefined;
}

/** Position of `item` in `list` by identity, or -1. */
export function indexByIdentity(list: readonly unknown[], item: unknown, mergeKey: string, isMapList: boolean): number {
  const wanted = itemIdentity(item, mergeKey, isMapList);
  return list.findIndex((candidate) => itemIdentity(candidate, mergeKey, isMapList) === wanted);
}

export function requireMergeKey(item: unknown, mergeKey: string): void {
  if (!isJsonObject(item)) throw SmpError.badArgType('map[string]interface {}', item);
  if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw SmpError.noMergeKey(item, mergeKey);
}

/** Sorts `items` by their position in `order` (stable); `$patch: delete` entries go last. */
function sortByOrder(items: readonly unknown[], order: readonly unknown[], mergeKey: string, isMapList: boolean): unknown[] {
  let kept = [...items];
  let deletions: unknown[] = [];
  if (isMapList) {
    for (const item of items) requireMergeKey(item, mergeKey);
    for (const item of order) requireMergeKey(item, mergeKey);
    kept = items.filter((item) => (item as Record<string, unknown>)['$patch'] !== 'delete');
    deletions = items.filter((item) => (item as Record<string, unknown>)['$patch'] === 'delete');
  }
  const position = (item: unknown): number => {
    const index = indexByIdentity(order, item, mergeKey, isMapList);
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  };
  const sorted = kept
    .map((item, i) => ({ item, i, at: position(item) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((entry) => entry.item);
  return [...sorted, ...deletions];
}

/** Interleaves server-only items into the (already ordered) patch items using the live order. */
function interleave(serverOnly: unknown[], patchItems: unknown[], serverOrder: readonly unknown[], mergeKey: string, isMapList: boolean): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (i >= serverOnly.length) out.push(patchItems[j++]);
    else if (j >= patchItems.length) out.push(serverOnly[i++]);
    else {
      const left = indexByIdentity(serverOrder, serverOnly[i], mergeKey, isMapList);
      const right = indexByIdentity(serverOrder, patchItems[j], mergeKey, isMapList);
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}

export interface OrderInput {
  patchItems: unknown[];
  serverOnly: unknown[];
  patchOrder: readonly unknown[];
  serverOrder: readonly unknown[];
  mergeKey: string;
  isMapList: boolean;
}

export function normalizeElementOrder(input: OrderInput): unknown[] {
  const patchItems = sortByOrder(input.patchItems, input.patchOrder, input.mergeKey, input.isMapList);
  const serverOnly = sortByOrder(input.serverOnly, input.serverOrder, input.mergeKey, input.isMapList);
  return interleave(serverOnly, patchItems, input.serverOrder, input.mergeKey, input.isMapList);
}

/** Splits `merged` into items whose identity appears in `by` and the rest, keeping order. */
export function partitionByPresence(merged: readonly unknown[], by: readonly unknown[], mergeKey: string, isMapList: boolean): { inList: unknown[]; rest: unknown[] } {
  const inList: unknown[] = [];
  const rest: unknown[] = [];
  for (const item of merged) {
    if (isMapList) requireMergeKey(item, mergeKey);
    (indexByIdentity(by, item, mergeKey, isMapList) >= 0 ? inList : rest).push(item);
  }
  return { inList, rest };
}

/**
 * Checks that the non-deleted patch items appear in `$setElementOrder` in the same relative order
 * (the list may name more items than the patch carries).
 */
export function validateSetElementOrder(patchList: readonly unknown[], orderList: readonly unknown[], mergeKey: string): void {
  if (orderList.length === 0 || patchList.length === 0) return;
  const isMapList = mergeKey !== '';
  const candidates = isMapList ? patchList.filter((item) => !(isJsonObject(item) && item['$patch'] === 'delete')) : [...patchList];
  let p = 0;
  let o = 0;
  while (p < candidates.length && o < orderList.length) {
    const item = candidates[p];
    if (isJsonObject(item) && Object.prototype.hasOwnProperty.call(item, '$patch')) {
      p++;
      continue;
    }
    if (isMapList) {
      requireMergeKey(item, mergeKey);
      requireMergeKey(orderList[o], mergeKey);
    }
    if (itemIdentity(item, mergeKey, isMapList) === itemIdentity(orderList[o], mergeKey, isMapList)) p++;
    o++;
  }
  if (p < candidates.length) {
    throw SmpError.generic(`The order in patch list:\n${SmpError.goFormat(patchList)}\n doesn't match $setElementOrder list:\n${SmpError.goFormat(orderList)}\n`);
  }
}
