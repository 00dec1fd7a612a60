// Label and field selectors of a list or watch, checked against objects of one resource.

import { badRequest } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDescriptor } from '../../api/resources.js';
import { parseFieldSelector, matchesFields, requirementsFor } from '../../machinery/fields/selector.js';
import { parseLabelSelector, matches } from '../../machinery/labels/selector.js';
import type { Strategy } from './strategy.js';

export interface Selection {
  /** True when neither selector constrains anything. */
  empty: boolean;
  matches(obj: KubeObject): boolean;
}

export function fieldAttributes(desc: ResourceDescriptor, strategy: Strategy, obj: KubeObject): Record<string, string> {
  const attrs: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (desc.namespaced) attrs['metadata.namespace'] = obj.metadata.namespace ?? '';
  if (strategy.fieldAttributes) Object.assign(attrs, strategy.fieldAttributes(obj));
  return attrs;
}

export function buildSelection(desc: ResourceDescriptor, strategy: Strategy, labelSelector?: string, fieldSelector?: string): Selection {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  if (fields) {
    // Reject fields this kind cannot be selected by, with Kubernetes' message.
    const probe: KubeObject = { metadata: {} };
    const known = new Set(Object.keys(fieldAttributes(desc, strategy, probe)));
    if (!desc.namespaced) known.add('metadata.namespace');
    for (const requirement of requirementsFor(fields)) {
      if (!known.has(requirement.field)) throw badRequest(`field label not supported: ${requirement.field}`);
    }
  }
  if (!labels && !fields) return { empty: true, matches: () => true };
  return {
    empty: false,
    matches(obj) {
      if (labels && !matches(labels, obj.metadata.labels ?? {})) return false;
      if (fields && !matchesFields(fields, fieldAttributes(desc, strategy, obj))) return false;
      return true;
    },
  };
}
