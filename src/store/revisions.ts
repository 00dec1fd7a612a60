// Checks shared by the backends for reads at a given revision, the errors every backend words the
// same way, and the key range of a prefix.

import { StoreError, type KeyValue } from './store.js';

/**
 * Resolves the revision a read should use (0/absent = current) and rejects revisions that are gone
 * (at or below the compaction point) or not yet written.
 */
export function resolveReadRevision(requested: number | undefined, current: number, compactRevision: number): number {
  if (requested === undefined || requested === 0) return current;
  if (!Number.isSafeInteger(requested) || requested < 0) {
    throw new StoreError('FutureRevision', `invalid revision ${requested}`);
  }
  if (requested > current) {
    throw new StoreError('FutureRevision', `revision ${requested} is newer than the current revision ${current}`);
  }
  if (requested <= compactRevision) throw compactedError(requested, compactRevision);
  return requested;
}

export function compactedError(requested: number, compactRevision: number): StoreError {
  return new StoreError('Compacted', `revision ${requested} has been compacted (compaction point ${compactRevision})`, { compactRevision });
}

export function keyExistsError(key: string, current: KeyValue): StoreError {
  return new StoreError('KeyExists', `key ${key} already exists`, { current });
}

export function keyNotFoundError(key: string): StoreError {
  return new StoreError('NotFound', `key ${key} not found`);
}

/** A compare-and-swap that lost: `current` is what the key holds now. */
export function revisionConflictError(key: string, expectedRevision: number, current: KeyValue): StoreError {
  return new StoreError('Conflict', `key ${key} is at revision ${current.modRevision}, not ${expectedRevision}`, { current });
}

export function futureCompactionError(revision: number, current: number): StoreError {
  return new StoreError('FutureRevision', `cannot compact at ${revision}: the current revision is ${current}`);
}

export function storeClosedError(): StoreError {
  return new StoreError('Unavailable', 'store is closed');
}

/**
 * The smallest string greater than every string starting with prefix, or undefined when there is
 * none ('' or only U+10FFFF). Incrementing the last code point works for both JS and SQLite's
 * byte-wise UTF-8 ordering, since UTF-8 preserves code point order.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last === 0xd7ff ? 0xe000 : last + 1; // skip the surrogate range
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}
