// core/v1: Services and Endpoints.
import { field, scalar, ref, atomicList, mapList, str, int32, bool, obj, stringMap, objectType } from '../../schema/dsl.js';
import type { ObjectType } from '../../schema/dsl.js';
import { coreType, metaType } from './helpers.js';

export const CORE_SERVICE_TYPES: ObjectType[] = [
  objectType(coreType('Service'), 'A stable name and virtual address for a set of pods, with a load balancing policy.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    spec: obj(coreType('ServiceSpec'), 2, 'Desired state, written by the user.'),
    status: obj(coreType('ServiceStatus'), 3, 'Observed state, written by the system; read-only for users.'),
  }, { gvk: { group: '', version: 'v1', kind: 'Service' } }),
  objectType(coreType('ServiceList'), 'A list of services.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('Service'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'ServiceList' } }),
  objectType(coreType('Endpoints'), 'The addresses that implement a service (superseded by discovery.k8s.io EndpointSlices).', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    subsets: field(atomicList(ref(coreType('EndpointSubset'))), 2, 'Sets of addresses and ports that implement the service.'),
  }, { gvk: { group: '', version: 'v1', kind: 'Endpoints' } }),
  objectType(coreType('EndpointsList'), 'A list of Endpoints objects.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('Endpoints'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'EndpointsList' } }),
  objectType(coreType('ServiceSpec'), 'Desired state of a service: its ports, selector and type.', {
    ports: field(mapList(ref(coreType('ServicePort')), ['port', 'protocol']), 1, 'Ports the service exposes.'),
    selector: stringMap(2, 'Labels of the pods that back the service.'),
    clusterIP: str(3, 'Virtual IP of the service; None for a headless service.'),
    clusterIPs: field(atomicList(scalar('string')), 18, 'Virtual IPs of the service, at most one per family.'),
    type: field(scalar('string', ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']), 4, 'ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    externalIPs: field(atomicList(scalar('string')), 5, 'Extra IPs on which nodes accept traffic for the service.'),
    sessionAffinity: field(scalar('string', ['ClientIP', 'None']), 7, 'ClientIP or None.'),
    loadBalancerIP: str(8, 'Deprecated: requested load balancer IP.'),
    loadBalancerSourceRanges: field(atomicList(scalar('string')), 9, 'Client CIDRs allowed through the load balancer.'),
    externalName: str(10, 'DNS name an ExternalName service points to.'),
    externalTrafficPolicy: field(scalar('string', ['Cluster', 'Local']), 11, 'Cluster or Local routing of external traffic.'),
    healthCheckNodePort: int32(12, 'Node port for load balancer health checks with Local traffic policy.'),
    publishNotReadyAddresses: bool(13, 'Publish addresses of pods that are not ready.'),
    sessionAffinityConfig: obj(coreType('SessionAffinityConfig'), 14, 'Session affinity settings.', { pointer: true }),
    ipFamilies: field(atomicList(scalar('string', ['IPv4', 'IPv6', ''])), 19, 'IP families of the service, in order.'),
    ipFamilyPolicy: field(scalar('string', ['SingleStack', 'PreferDualStack', 'RequireDualStack']), 17, 'SingleStack, PreferDualStack or RequireDualStack.', { pointer: true }),
    allocateLoadBalancerNodePorts: bool(20, 'Allocate node ports for LoadBalancer services.', { pointer: true }),
    loadBalancerClass: str(21, 'Load balancer implementation to use.', { pointer: true }),
    internalTrafficPolicy: field(scalar('string', ['Cluster', 'Local']), 22, 'Cluster or Local routing of in-cluster traffic.', { pointer: true }),
    trafficDistribution: str(23, 'Preference for routing traffic, e.g. PreferClose.', { pointer: true }),
  }),
  objectType(coreType('ServiceStatus'), 'Observed state of a service.', {
    loadBalancer: obj(coreType('LoadBalancerStatus'), 1, 'Status of the load balancer.'),
    conditions: field(mapList(ref(metaType('Condition')), ['type']), 2, 'Current conditions of the service.'),
  }),
  objectType(coreType('EndpointSubset'), 'A group of addresses that share the same ports.', {
    addresses: field(atomicList(ref(coreType('EndpointAddress'))), 1, 'Addresses that are ready.'),
    notReadyAddresses: field(atomicList(ref(coreType('EndpointAddress'))), 2, 'Addresses that are not ready yet.'),
    ports: field(atomicList(ref(coreType('EndpointPort'))), 3, 'Ports available on all the addresses.'),
  }),
  objectType(coreType('ServicePort'), 'One port a service exposes and where traffic for it goes.', {
    name: str(1, 'Name of the port, unique within the service.'),
    protocol: field(scalar('string', ['TCP', 'UDP', 'SCTP']), 2, 'Network protocol: TCP, UDP or SCTP.', { default: 'TCP' }),
    appProtocol: str(6, 'Application protocol of the port, e.g. http or kubernetes.io/h2c.', { pointer: true }),
    port: int32(3, 'Port the service exposes.', { required: true }),
    targetPort: field(scalar('intOrString'), 4, 'Port on the pods, by number or container port name; defaults to port.'),
    nodePort: int32(5, 'Port opened on every node for NodePort and LoadBalancer services.'),
  }),
  objectType(coreType('SessionAffinityConfig'), 'Settings of session affinity.', {
    clientIP: obj(coreType('ClientIPConfig'), 1, 'Client-IP affinity settings.', { pointer: true }),
  }),
  objectType(coreType('LoadBalancerStatus'), 'Status of the load balancer of a service.', {
    ingress: field(atomicList(ref(coreType('LoadBalancerIngress'))), 1, 'Ingress points of the load balancer.'),
  }),
  objectType(coreType('EndpointAddress'), 'One endpoint address.', {
    ip: str(1, 'IP of the endpoint.', { required: true }),
    hostname: str(3, 'Host name of the endpoint.'),
    nodeName: str(4, 'Node that hosts the endpoint.', { pointer: true }),
    targetRef: obj(coreType('ObjectReference'), 2, 'Object (usually a pod) that provides the endpoint.', { pointer: true }),
  }, { atomic: true }),
  objectType(coreType('EndpointPort'), 'One port of an endpoint.', {
    name: str(1, 'Name of the port, matching a service port name.'),
    port: int32(2, 'Port number.', { required: true }),
    protocol: field(scalar('string', ['TCP', 'UDP', 'SCTP']), 3, 'Network protocol: TCP, UDP or SCTP.'),
    appProtocol: str(4, 'Application protocol of the port, e.g. http or kubernetes.io/h2c.', { pointer: true }),
  }, { atomic: true }),
  objectType(coreType('ClientIPConfig'), 'Settings of client-IP based session affinity.', {
    timeoutSeconds: int32(1, 'Seconds a client sticks to one endpoint.', { pointer: true }),
  }),
  objectType(coreType('LoadBalancerIngress'), 'One ingress point of a load balancer.', {
    ip: str(1, 'IP of the ingress point.'),
    hostname: str(2, 'Host name of the ingress point.'),
    ipMode: str(3, 'How traffic reaches the load balancer IP: VIP or Proxy.', { pointer: true }),
    ports: field(atomicList(ref(coreType('PortStatus'))), 4, 'Status of the service ports.'),
  }),
  objectType(coreType('PortStatus'), 'Status of one service port on a load balancer.', {
    port: int32(1, 'Port number.', { required: true }),
    protocol: field(scalar('string', ['TCP', 'UDP', 'SCTP']), 2, 'Network protocol: TCP, UDP or SCTP.', { required: true }),
    error: str(3, 'Problem with the port, if any.', { pointer: true }),
  }),
];
