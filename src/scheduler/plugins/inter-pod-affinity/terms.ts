// Affinity terms of a pod, resolved once per pod object.
import { resolveAffinityTerm, type AffinityTerm } from '../../framework/matchers.js';
import type { Pod } from '../../framework/types.js';

export interface PodAffinityTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
}

const cache = new WeakMap<Pod, PodAffinityTerms>();

export function affinityTermsOf(pod: Pod): PodAffinityTerms {
  let terms = cache.get(pod);
  if (terms) return terms;
  const a = pod.spec?.affinity;
  terms = {
    requiredAffinity: (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => resolveAffinityTerm(pod, t)),
    requiredAntiAffinity: (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => resolveAffinityTerm(pod, t)),
    preferredAffinity: (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => resolveAffinityTerm(pod, w.podAffinityTerm, w.weight)),
    preferredAntiAffinity: (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => resolveAffinityTerm(pod, w.podAffinityTerm, w.weight)),
  };
  cache.set(pod, terms);
  return terms;
}

/** Counts keyed by `topologyKey\0value`. */
export type TopologyCounts = Map<string, number>;

export function topologyPair(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

export function bump(counts: TopologyCounts, key: string, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n === 0) counts.delete(key);
  else counts.set(key, n);
}
