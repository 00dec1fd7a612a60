// core/v1 types (Pod, Service, ConfigMap, ...), described in the files under ./core/ by concern.
import type { ObjectType } from '../schema/dsl.js';
import { CORE_CLUSTER_TYPES } from './core/cluster.js';
import { CORE_CONTAINER_TYPES } from './core/container.js';
import { coreType } from './core/helpers.js';
import { CORE_NODE_TYPES } from './core/node.js';
import { CORE_POD_TYPES } from './core/pod.js';
import { CORE_REFERENCE_TYPES } from './core/references.js';
import { CORE_SERVICE_TYPES } from './core/service.js';
import { CORE_STORAGE_TYPES } from './core/storage.js';
import { CORE_VOLUME_SOURCE_TYPES } from './core/volume-sources.js';

export const CORE_V1_TYPES: ObjectType[] = [
  ...CORE_POD_TYPES,
  ...CORE_CONTAINER_TYPES,
  ...CORE_VOLUME_SOURCE_TYPES,
  ...CORE_REFERENCE_TYPES,
  ...CORE_SERVICE_TYPES,
  ...CORE_NODE_TYPES,
  ...CORE_STORAGE_TYPES,
  ...CORE_CLUSTER_TYPES,
];

/**
 * Go structs embedded without a JSON name: in JSON their fields sit directly in the parent (and the
 * parent type above lists them, without protobuf numbers), but in protobuf the embedded struct is
 * one nested message under `pb`. A protobuf decoder must decode that message with `embedded`'s
 * fields and merge the result into the parent object.
 */
export interface InlineEmbedding {
  parent: string;
  pb: number;
  embedded: string;
}

const embedding = (parent: string, pb: number, embedded: string): InlineEmbedding => ({
  parent: coreType(parent),
  pb,
  embedded: coreType(embedded),
});

export const CORE_V1_INLINE_EMBEDDINGS: readonly InlineEmbedding[] = [
  embedding('Volume', 2, 'VolumeSource'),
  embedding('PersistentVolumeSpec', 2, 'PersistentVolumeSource'),
  embedding('EphemeralContainer', 1, 'EphemeralContainerCommon'),
  embedding('Probe', 1, 'ProbeHandler'),
  embedding('ConfigMapVolumeSource', 1, 'LocalObjectReference'),
  embedding('ConfigMapProjection', 1, 'LocalObjectReference'),
  embedding('SecretProjection', 1, 'LocalObjectReference'),
  embedding('ConfigMapEnvSource', 1, 'LocalObjectReference'),
  embedding('SecretEnvSource', 1, 'LocalObjectReference'),
  embedding('ConfigMapKeySelector', 1, 'LocalObjectReference'),
  embedding('SecretKeySelector', 1, 'LocalObjectReference'),
];
