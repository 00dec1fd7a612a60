// Picking the resources a controller walks (the GC and the namespace cleaner): one descriptor per
// group-resource, in its first listed version.
import type { ResourceDescriptor } from '../../api/resources.js';

/** True when the resource serves every verb in `verbs`; a descriptor without a verb list serves all. */
export function servesVerbs(desc: ResourceDescriptor, verbs: readonly string[]): boolean {
  return desc.verbs === undefined || verbs.every((v) => desc.verbs!.includes(v));
}

/**
 * The first descriptor `keep` accepts for each group-resource, in table order. events.k8s.io Events
 * are skipped: they are the core Events under another name, so walking both would do the work twice.
 */
export function distinctGroupResources(resources: readonly ResourceDescriptor[], keep: (desc: ResourceDescriptor) => boolean): ResourceDescriptor[] {
  const seen = new Set<string>();
  const out: ResourceDescriptor[] = [];
  for (const desc of resources) {
    if (!keep(desc)) continue;
    if (desc.group === 'events.k8s.io' && desc.resource === 'events') continue;
    const key = `${desc.group}/${desc.resource}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(desc);
  }
  return out;
}
