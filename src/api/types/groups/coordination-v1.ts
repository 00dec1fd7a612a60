// coordination.k8s.io/v1: Lease.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, field, int32, obj, objectType, ref, scalar, str, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const COORDINATION_V1 = 'io.k8s.api.coordination.v1.';

export const COORDINATION_V1_TYPES: ObjectType[] = [
  objectType(`${COORDINATION_V1}Lease`, 'A lightweight record of who holds a lock, used for leader election and node heartbeats.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    spec: obj(`${COORDINATION_V1}LeaseSpec`, 2, 'Holder and timing of the lease.'),
  }, { gvk: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' } }),
  objectType(`${COORDINATION_V1}LeaseSpec`, 'Holder and timing of a lease.', {
    holderIdentity: str(1, 'Identity of the current holder.', { pointer: true }),
    leaseDurationSeconds: int32(2, 'Seconds others must wait after renewTime before they may take the lease.', { pointer: true }),
    acquireTime: field(scalar('microTime'), 3, 'When the current holder acquired the lease.', { pointer: true }),
    renewTime: field(scalar('microTime'), 4, 'When the holder last renewed the lease.', { pointer: true }),
    leaseTransitions: int32(5, 'How many times the lease has changed holder.', { pointer: true }),
    strategy: str(6, 'How a coordinated leader election picks the holder; only used with the CoordinatedLeaderElection feature. Known values: "OldestEmulationVersion".', { pointer: true }),
    preferredHolder: str(7, 'Candidate the holder should hand over to; only used with the CoordinatedLeaderElection feature.', { pointer: true }),
  }),
  objectType(`${COORDINATION_V1}LeaseList`, 'A list of Lease objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${COORDINATION_V1}Lease`)), 2, 'The Lease objects.', { required: true }),
  }, { gvk: { group: 'coordination.k8s.io', version: 'v1', kind: 'LeaseList' } }),
];
