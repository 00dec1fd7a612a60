// Keeps metadata.managedFields current on every non-apply write, so that a later server-side
// apply sees who owns what (and conflicts with it).

import type { KubeObject } from '../../api/meta.js';
import { rfc3339 } from '../../api/meta.js';
import { managerFromUserAgent, updateManagedFields } from '../../machinery/apply/apply.js';
import type { RequestContext } from './context.js';
import type { ResourceRegistry } from './registry.js';

export function recordManagedFields(registry: ResourceRegistry, old: KubeObject | undefined, updated: KubeObject, ctx: RequestContext, subresource?: string): void {
  if (!registry.type || ctx.skipManagedFields) return;
  const manager = ctx.fieldManager ?? managerFromUserAgent(ctx.userAgent ?? '');
  const result = updateManagedFields(old, updated, {
    manager,
    operation: 'Update',
    subresource,
    typeName: registry.type.name,
    types: registry.deps.types,
    apiVersion: registry.apiVersion,
    now: rfc3339(registry.deps.now()),
  });
  updated.metadata.managedFields = result.metadata.managedFields;
}
