// Objects shared between readers (the API server's decoded objects, informer caches) must not be
// changed by any of them. Under test they are deep-frozen, so a change throws where it happens
// (scripts/run-tests.mjs sets KIJABI_FREEZE_SHARED_OBJECTS=1); in production freezing every
// object of every watch event cost measurable CPU (a walk of each object), so it is skipped.

export const FREEZE_SHARED_OBJECTS = process.env.KIJABI_FREEZE_SHARED_OBJECTS === '1';

export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  return Object.freeze(value);
}

/** `value`, deep-frozen when shared objects are frozen (under test). */
export function freezeShared<T>(value: T): T {
  return FREEZE_SHARED_OBJECTS ? deepFreeze(value) : value;
}
