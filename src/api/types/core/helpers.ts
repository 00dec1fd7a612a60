// Small helpers shared by the meta/v1 and core/v1 type descriptions.
import type { Schema } from '../../schema/dsl.js';

const CORE_PREFIX = 'io.k8s.api.core.v1.';
const META_PREFIX = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/** OpenAPI definition name of a core/v1 type, e.g. `coreType('Pod')`. */
export const coreType = (kind: string): string => CORE_PREFIX + kind;
/** OpenAPI definition name of a meta/v1 type, e.g. `metaType('ObjectMeta')`. */
export const metaType = (kind: string): string => META_PREFIX + kind;

/**
 * A list that server-side apply replaces whole but that strategic merge patch still merges by key
 * (Kubernetes declares a few such lists, e.g. PodStatus.hostIPs).
 */
export const atomicMergeList = (items: Schema, mergeKey: string): Schema => ({ type: 'list', items, list: { listType: 'atomic', mergeKey } });

/** A set of scalars for server-side apply that strategic merge patch replaces whole (no patchStrategy). */
export const unmergedSet = (items: Schema): Schema => ({ type: 'list', items, list: { listType: 'set' } });
