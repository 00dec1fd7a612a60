// Rolling-update arithmetic, as Kubernetes' deployment utilities: surge and unavailability limits
// from int-or-percent values, how far the new ReplicaSet may grow, and how far the old ones may shrink.

export type IntOrString = number | string;

/** A count, or a percentage of `total` rounded up or down. */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value.trim());
  if (!match) {
    const n = Number(value);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: ${JSON.stringify(value)}`);
  }
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** maxSurge rounds up, maxUnavailable down; both zero would stall, so unavailability becomes 1. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export interface ScaledSet {
  name: string;
  replicas: number;
  available: number;
  /** Creation time in ms, for oldest-first scale-down. */
  created: number;
}

/** The size the new ReplicaSet may grow to in this step. */
export function newReplicaSetSize(desired: number, surge: number, newReplicas: number, allReplicas: number): number {
  const maxTotal = desired + surge;
  if (allReplicas >= maxTotal) return newReplicas;
  const scaleUp = Math.min(maxTotal - allReplicas, desired - newReplicas);
  return newReplicas + Math.max(0, scaleUp);
}

/**
 * New sizes for old ReplicaSets: first shed their unhealthy pods, then healthy ones while the
 * available count stays at or above desired - maxUnavailable. Returns only sizes that change.
 */
export function oldReplicaSetSizes(input: { desired: number; unavailable: number; newSet: ScaledSet | undefined; oldSets: ScaledSet[] }): Map<string, number> {
  const sizes = new Map<string, number>();
  const old = [...input.oldSets].sort((a, b) => a.created - b.created || a.name.localeCompare(b.name));
  const size = (s: ScaledSet): number => sizes.get(s.name) ?? s.replicas;
  const oldCount = old.reduce((n, s) => n + s.replicas, 0);
  if (oldCount === 0) return sizes;
  const newReplicas = input.newSet?.replicas ?? 0;
  const allCount = oldCount + newReplicas;
  const minAvailable = input.desired - input.unavailable;
  const newUnavailable = newReplicas - (input.newSet?.available ?? 0);
  const maxScaledDown = allCount - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return sizes;

  let cleaned = 0;
  for (const s of old) {
    if (cleaned >= maxScaledDown) break;
    if (s.replicas === 0) continue;
    const unhealthy = s.replicas - s.available;
    if (unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(s.name, s.replicas - down);
    cleaned += down;
  }

  const available = old.reduce((n, s) => n + s.available, 0) + (input.newSet?.available ?? 0);
  if (available <= minAvailable) return sizes;
  const total = available - minAvailable;
  let scaled = 0;
  for (const s of old) {
    if (scaled >= total) break;
    const current = size(s);
    if (current === 0) continue;
    const down = Math.min(current, total - scaled);
    sizes.set(s.name, current - down);
    scaled += down;
  }
  return sizes;
}

/** One rolling step for tests and the reconciler: the new set's next size, then the old sets'. */
export function rollingStep(input: { desired: number; maxSurge: IntOrString; maxUnavailable: IntOrString; newSet: ScaledSet; oldSets: ScaledSet[] }): { newSize: number; oldSizes: Map<string, number> } {
  const { surge, unavailable } = resolveFenceposts(input.maxSurge, input.maxUnavailable, input.desired);
  const all = input.newSet.replicas + input.oldSets.reduce((n, s) => n + s.replicas, 0);
  let newSize = input.newSet.replicas;
  if (newSize > input.desired) newSize = input.desired;
  else if (newSize < input.desired) newSize = newReplicaSetSize(input.desired, surge, newSize, all);
  if (newSize !== input.newSet.replicas) return { newSize, oldSizes: new Map() };
  return { newSize, oldSizes: oldReplicaSetSizes({ desired: input.desired, unavailable: Math.min(unavailable, input.desired), newSet: input.newSet, oldSets: input.oldSets }) };
}
