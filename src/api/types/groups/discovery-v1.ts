// discovery.k8s.io/v1: EndpointSlice.
// Field names, protobuf numbers and list/patch semantics follow Kubernetes 1.32; descriptions are ours.
import { atomicList, bool, field, int32, obj, objectType, ref, scalar, str, stringMap, type ObjectType } from '../../schema/dsl.js';
import { TYPE_META } from './type-meta.js';

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const DISCOVERY_V1 = 'io.k8s.api.discovery.v1.';

export const DISCOVERY_V1_TYPES: ObjectType[] = [
  objectType(`${DISCOVERY_V1}EndpointSlice`, 'A slice of the network endpoints behind a Service, with their ports and readiness.', {
    ...TYPE_META,
    metadata: obj(`${META}ObjectMeta`, 1, 'Standard object metadata: name, namespace, labels, annotations and server-managed fields.'),
    addressType: str(4, 'Kind of address in this slice: "IPv4", "IPv6" or "FQDN". Immutable.', { required: true }),
    endpoints: field(atomicList(ref(`${DISCOVERY_V1}Endpoint`)), 2, 'The endpoints of this slice; at most 1000.', { required: true }),
    ports: field(atomicList(ref(`${DISCOVERY_V1}EndpointPort`)), 3, 'Ports every endpoint of this slice exposes; at most 100. Empty means no ports are defined; a port with an empty name stands for all ports.'),
  }, { gvk: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' } }),
  objectType(`${DISCOVERY_V1}Endpoint`, 'One backend of a Service.', {
    addresses: field({ type: 'list', items: scalar('string'), list: { listType: 'set' } }, 1, 'Addresses of this endpoint, of the slice\'s addressType. Consumers use only the first one; 1 to 100 entries.', { required: true }),
    conditions: obj(`${DISCOVERY_V1}EndpointConditions`, 2, 'Current readiness of this endpoint.'),
    hostname: str(3, 'Hostname of this endpoint, used for DNS records of headless Services.', { pointer: true }),
    targetRef: obj(`${CORE}ObjectReference`, 4, 'The object (usually a Pod) behind this endpoint.', { pointer: true }),
    deprecatedTopology: stringMap(5, 'Topology labels of the endpoint, kept for old clients; superseded by nodeName and zone.'),
    nodeName: str(6, 'Name of the node that hosts this endpoint.', { pointer: true }),
    zone: str(7, 'Zone this endpoint is in.', { pointer: true }),
    hints: obj(`${DISCOVERY_V1}EndpointHints`, 8, 'Routing hints for topology-aware routing.', { pointer: true }),
  }),
  objectType(`${DISCOVERY_V1}EndpointConditions`, 'Readiness of an endpoint.', {
    ready: bool(1, 'Whether the endpoint should receive new traffic. Unset means ready; a terminating endpoint is never ready.', { pointer: true }),
    serving: bool(2, 'Like ready, but also reported while the endpoint is terminating. Unset means serving.', { pointer: true }),
    terminating: bool(3, 'Whether the endpoint is shutting down. Unset means not terminating.', { pointer: true }),
  }),
  objectType(`${DISCOVERY_V1}EndpointHints`, 'Hints that help a proxy pick endpoints close to the client.', {
    forZones: field(atomicList(ref(`${DISCOVERY_V1}ForZone`)), 1, 'Zones whose clients should use this endpoint.'),
  }),
  objectType(`${DISCOVERY_V1}ForZone`, 'A zone an endpoint should serve.', {
    name: str(1, 'Name of the zone.', { required: true }),
  }),
  objectType(`${DISCOVERY_V1}EndpointPort`, 'A port the endpoints of a slice expose.', {
    name: str(1, 'Port name, matching the Service port\'s name; may be empty when there is one port. A DNS label.', { pointer: true }),
    protocol: field(scalar('string', ['TCP', 'UDP', 'SCTP']), 2, 'IP protocol of the port: "TCP" (default), "UDP" or "SCTP".', { pointer: true }),
    port: int32(3, 'Port number; unset means every port.', { pointer: true }),
    appProtocol: str(4, 'Application protocol of the port, such as "http" or "kubernetes.io/h2c"; an IANA name or a domain-prefixed name.', { pointer: true }),
  }, { atomic: true }),
  objectType(`${DISCOVERY_V1}EndpointSliceList`, 'A list of EndpointSlice objects.', {
    ...TYPE_META,
    metadata: obj(`${META}ListMeta`, 1, 'Standard list metadata: the resourceVersion the list was read at and the continue token.'),
    items: field(atomicList(ref(`${DISCOVERY_V1}EndpointSlice`)), 2, 'The EndpointSlice objects.', { required: true }),
  }, { gvk: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSliceList' } }),
];
