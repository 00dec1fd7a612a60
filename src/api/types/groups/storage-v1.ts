// storage.k8s.io/v1: StorageClass.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, bool, field, obj, objectType, ref, scalar, str, stringMap, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const STORAGE_V1 = 'io.k8s.api.storage.v1.';

export const STORAGE_V1_TYPES: ObjectType[] = [
  objectType(`${STORAGE_V1}StorageClass`, 'A class of storage that PersistentVolumeClaims ask for, saying how its volumes are provisioned dynamically.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    provisioner: str(2, 'Name of the volume plugin or CSI driver that provisions volumes of this class. Immutable.', { required: true }),
    parameters: stringMap(3, 'Provisioner-specific settings for new volumes (at most 512, 256 KiB in total). Immutable.'),
    reclaimPolicy: field(scalar('string', ['Recycle', 'Delete', 'Retain']), 4, 'What happens to a provisioned volume when its claim is deleted: "Delete" (default) or "Retain".', { pointer: true }),
    mountOptions: field(atomicList(scalar('string')), 5, 'Mount options for volumes of this class, e.g. "ro"; not checked, a wrong option fails the mount.'),
    allowVolumeExpansion: bool(6, 'Whether claims of this class may be resized by raising their storage request.', { pointer: true }),
    volumeBindingMode: field(scalar('string', ['Immediate', 'WaitForFirstConsumer']), 7, '"Immediate" (default) provisions and binds when the claim is created; "WaitForFirstConsumer" waits until a pod using the claim is scheduled.', { pointer: true }),
    allowedTopologies: field(atomicList(ref(`${CORE}TopologySelectorTerm`)), 8, 'Where volumes may be provisioned, as node label terms; empty means anywhere.'),
  }, { gvk: { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' } }),
  objectType(`${STORAGE_V1}StorageClassList`, 'A list of StorageClass objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${STORAGE_V1}StorageClass`)), 2, 'The StorageClass objects.', { required: true }),
  }, { gvk: { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClassList' } }),
];
