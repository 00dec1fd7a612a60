// A pod's quality-of-service class, computed from its containers' cpu and memory requests and limits.

import { compareQuantities, isValidQuantity } from '../../../machinery/validation/quantity.js';

type Json = Record<string, unknown>;
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'];
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function nonZero(list: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!isObject(list)) return out;
  for (const name of COMPUTE) {
    const value = list[name];
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value);
      if (isValidQuantity(text) && compareQuantities(text, '0') !== 0) out.set(name, text);
    }
  }
  return out;
}

/** Guaranteed: every container limits cpu and memory with requests equal to limits; BestEffort: nothing requested or limited. */
export function computeQosClass(spec: Json): QosClass {
  const containers = [spec.containers, spec.initContainers].flatMap((l) => (Array.isArray(l) ? l.filter(isObject) : []));
  let anySet = false;
  let guaranteed = true;
  for (const ctr of containers) {
    const resources = isObject(ctr.resources) ? ctr.resources : {};
    const limits = nonZero(resources.limits);
    // A request left out defaults to the limit.
    const requests = new Map([...limits, ...nonZero(resources.requests)]);
    if (limits.size > 0 || requests.size > 0) anySet = true;
    if (limits.size < COMPUTE.length) guaranteed = false;
    for (const [name, request] of requests) {
      const limit = limits.get(name);
      if (limit === undefined || compareQuantities(request, limit) !== 0) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
