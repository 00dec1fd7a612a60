// Per-resource scoring functions of NodeResourcesFit's strategies. Pure arithmetic.
import { MAX_NODE_SCORE } from '../../framework/interfaces.js';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

export interface ResourceWeight {
  name: string;
  weight: number;
}

export interface ShapePoint {
  /** 0..100 */
  utilization: number;
  /** 0..10 */
  score: number;
}

export interface ScoringStrategy {
  type: ScoringStrategyType;
  resources: ResourceWeight[];
  requestedToCapacityRatio?: { shape: ShapePoint[] };
}

export const DEFAULT_RESOURCES: readonly ResourceWeight[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

const MAX_CUSTOM_SCORE = 10;

export function leastAllocatedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostAllocatedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // Pods without requests count default amounts, which can overshoot the capacity.
  const r = Math.min(requested, capacity);
  return Math.trunc((r * MAX_NODE_SCORE) / capacity);
}

/** A piecewise-linear function through the shape points, scaled to 0..MAX_NODE_SCORE. */
export function shapeFunction(shape: readonly ShapePoint[]): (utilization: number) => number {
  const points = [...shape]
    .sort((a, b) => a.utilization - b.utilization)
    .map((p) => ({ x: p.utilization, y: (p.score * MAX_NODE_SCORE) / MAX_CUSTOM_SCORE }));
  return (u) => {
    if (points.length === 0) return 0;
    if (u <= points[0]!.x) return points[0]!.y;
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1]!;
      const b = points[i]!;
      if (u <= b.x) return a.y + ((b.y - a.y) * (u - a.x)) / (b.x - a.x);
    }
    return points[points.length - 1]!.y;
  };
}

export function requestedToCapacityRatioScorer(shape: readonly ShapePoint[]): (requested: number, capacity: number) => number {
  const fn = shapeFunction(shape);
  return (requested, capacity) => {
    if (capacity === 0 || requested > capacity) return fn(100);
    return fn(Math.trunc((requested * 100) / capacity));
  };
}

/** Weighted average of per-resource scores; resources the node does not have are left out. */
export function weightedScore(
  resources: readonly ResourceWeight[],
  requestedOf: (name: string) => number,
  capacityOf: (name: string) => number,
  scorer: (requested: number, capacity: number) => number,
  round: (n: number) => number = Math.trunc,
): number {
  let total = 0;
  let weights = 0;
  for (const { name, weight } of resources) {
    const capacity = capacityOf(name);
    if (capacity === 0) continue;
    total += scorer(requestedOf(name), capacity) * weight;
    weights += weight;
  }
  return weights === 0 ? 0 : round(total / weights);
}
