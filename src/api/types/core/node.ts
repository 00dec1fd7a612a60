// core/v1: Nodes: spec, status, taints, addresses and system info.
import { field, scalar, ref, mapOf, atomicList, setList, mapList, str, int32, int64, bool, obj, objectType } from '../../schema/dsl.js';
import type { ObjectType } from '../../schema/dsl.js';
import { coreType, metaType, unmergedSet } from './helpers.js';

export const CORE_NODE_TYPES: ObjectType[] = [
  objectType(coreType('Node'), 'A worker machine that runs pods.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ObjectMeta'), 1, 'Standard object metadata.'),
    spec: obj(coreType('NodeSpec'), 2, 'Desired state, written by the user.'),
    status: obj(coreType('NodeStatus'), 3, 'Observed state, written by the system; read-only for users.'),
  }, { gvk: { group: '', version: 'v1', kind: 'Node' } }),
  objectType(coreType('NodeList'), 'A list of nodes.', {
    apiVersion: str(undefined, 'Schema version of this object; the API server converts to its own.'),
    kind: str(undefined, 'The kind of object this is, in CamelCase.'),
    metadata: obj(metaType('ListMeta'), 1, 'Standard object metadata.'),
    items: field(atomicList(ref(coreType('Node'))), 2, 'The objects in this list.', { required: true }),
  }, { gvk: { group: '', version: 'v1', kind: 'NodeList' } }),
  objectType(coreType('NodeSpec'), 'Desired state of a node.', {
    podCIDR: str(1, 'Pod IP range assigned to the node.'),
    podCIDRs: field(setList(scalar('string')), 7, 'Pod IP ranges assigned to the node, at most one per family.'),
    providerID: str(3, 'ID of the node at the cloud provider.'),
    unschedulable: bool(4, 'Keep new pods off the node.'),
    taints: field(atomicList(ref(coreType('Taint'))), 5, 'Taints of the node.'),
    configSource: obj(coreType('NodeConfigSource'), 6, 'Deprecated dynamic configuration source.', { pointer: true }),
    externalID: str(2, 'Deprecated.'),
    podPreemptionPolicy: obj(coreType('NodePodPreemptionPolicy'), 8, 'How pods on the node may be preempted.', { pointer: true }),
  }),
  objectType(coreType('NodeStatus'), 'Observed state of a node, reported by its agent.', {
    capacity: field(mapOf(scalar('quantity')), 1, 'Total resources of the node.'),
    allocatable: field(mapOf(scalar('quantity')), 2, 'Resources available to pods.'),
    phase: field(scalar('string', ['Pending', 'Running', 'Terminated']), 3, 'Deprecated node phase.'),
    conditions: field(mapList(ref(coreType('NodeCondition')), ['type']), 4, 'Current conditions of the node.'),
    addresses: field(mapList(ref(coreType('NodeAddress')), ['type']), 5, 'Addresses of the node.'),
    daemonEndpoints: obj(coreType('NodeDaemonEndpoints'), 6, 'Ports of daemons on the node.'),
    nodeInfo: obj(coreType('NodeSystemInfo'), 7, 'Identity and versions of the node.'),
    images: field(atomicList(ref(coreType('ContainerImage'))), 8, 'Images present on the node.'),
    volumesInUse: field(atomicList(scalar('string')), 9, 'Volumes attached and mounted on the node.'),
    volumesAttached: field(atomicList(ref(coreType('AttachedVolume'))), 10, 'Volumes attached to the node.'),
    config: obj(coreType('NodeConfigStatus'), 11, 'Status of the node\'s dynamic configuration.', { pointer: true }),
    runtimeHandlers: field(atomicList(ref(coreType('NodeRuntimeHandler'))), 12, 'Runtime handlers available on the node.'),
    features: obj(coreType('NodeFeatures'), 13, 'Features the node supports.', { pointer: true }),
    declaredFeatures: field(atomicList(scalar('string')), 14, 'Features the node declares.'),
  }),
  objectType(coreType('Taint'), 'Marks a node so that pods without a matching toleration are kept off it.', {
    key: str(1, 'Taint key.', { required: true }),
    value: str(2, 'Taint value.'),
    effect: field(scalar('string', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']), 3, 'Effect on pods that do not tolerate the taint.', { required: true }),
    timeAdded: field(scalar('time'), 4, 'When a NoExecute taint was added.', { pointer: true }),
  }),
  objectType(coreType('NodeConfigSource'), 'Where a node\'s dynamic configuration comes from (deprecated).', {
    configMap: obj(coreType('ConfigMapNodeConfigSource'), 2, 'Config map holding the configuration.', { pointer: true }),
  }),
  objectType(coreType('NodePodPreemptionPolicy'), 'How pods on a node may be preempted.', {
    disableResizePreemption: field(unmergedSet(scalar('string')), 1, 'Sources for which resize preemption is disabled.'),
  }),
  objectType(coreType('NodeCondition'), 'One observed condition of a node.', {
    type: str(1, 'Type of the node condition, e.g. Ready or MemoryPressure.', { required: true }),
    status: str(2, 'Status of the condition: True, False or Unknown.', { required: true }),
    lastHeartbeatTime: field(scalar('time'), 3, 'When the condition was last reported.'),
    lastTransitionTime: field(scalar('time'), 4, 'When the condition last changed status.'),
    reason: str(5, 'Short CamelCase reason for the current state, for machines.'),
    message: str(6, 'Human-readable explanation of the current state.'),
  }),
  objectType(coreType('NodeAddress'), 'One address of a node.', {
    type: str(1, 'Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.', { required: true }),
    address: str(2, 'The address.', { required: true }),
  }),
  objectType(coreType('NodeDaemonEndpoints'), 'Ports of the daemons running on a node.', {
    kubeletEndpoint: obj(coreType('DaemonEndpoint'), 1, 'Port of the node agent.'),
  }),
  objectType(coreType('NodeSystemInfo'), 'Identity and software versions of a node.', {
    machineID: str(1, 'Machine ID of the node.', { required: true }),
    systemUUID: str(2, 'System UUID of the node.', { required: true }),
    bootID: str(3, 'ID of the node\'s current boot.', { required: true }),
    kernelVersion: str(4, 'Kernel version.', { required: true }),
    osImage: str(5, 'Operating system image.', { required: true }),
    containerRuntimeVersion: str(6, 'Container runtime and version.', { required: true }),
    kubeletVersion: str(7, 'Node agent version.', { required: true }),
    kubeProxyVersion: str(8, 'Deprecated proxy version.', { required: true }),
    operatingSystem: str(9, 'Operating system, e.g. linux.', { required: true }),
    architecture: str(10, 'CPU architecture, e.g. amd64.', { required: true }),
    swap: obj(coreType('NodeSwapStatus'), 11, 'Swap memory of the node.', { pointer: true }),
  }),
  objectType(coreType('ContainerImage'), 'A container image present on a node.', {
    names: field(atomicList(scalar('string')), 1, 'Names of the image.'),
    sizeBytes: int64(2, 'Size of the image in bytes.'),
  }),
  objectType(coreType('AttachedVolume'), 'A volume attached to a node.', {
    name: str(1, 'Name of the attached volume.', { required: true }),
    devicePath: str(2, 'Device path where the volume is available.', { required: true }),
  }),
  objectType(coreType('NodeConfigStatus'), 'Status of a node\'s dynamic configuration (deprecated).', {
    assigned: obj(coreType('NodeConfigSource'), 1, 'Configuration assigned to the node.', { pointer: true }),
    active: obj(coreType('NodeConfigSource'), 2, 'Configuration the node uses.', { pointer: true }),
    lastKnownGood: obj(coreType('NodeConfigSource'), 3, 'Configuration the node falls back to.', { pointer: true }),
    error: str(4, 'Configuration error, if any.'),
  }),
  objectType(coreType('NodeRuntimeHandler'), 'A runtime handler a node\'s container runtime offers.', {
    name: str(1, 'Name of the runtime handler.'),
    features: obj(coreType('NodeRuntimeHandlerFeatures'), 2, 'Features of the runtime handler.', { pointer: true }),
  }),
  objectType(coreType('NodeFeatures'), 'Features a node supports.', {
    supplementalGroupsPolicy: bool(1, 'Supports the supplementalGroupsPolicy setting.', { pointer: true }),
  }),
  objectType(coreType('ConfigMapNodeConfigSource'), 'A config map holding a node\'s configuration (deprecated).', {
    namespace: str(1, 'Namespace of the referenced object.', { required: true }),
    name: str(2, 'Name of the referenced object, unique within its scope.', { required: true }),
    uid: str(3, 'Unique identifier of the object.'),
    resourceVersion: str(4, 'Resource version of the referenced object.'),
    kubeletConfigKey: str(5, 'Key of the configuration in the config map.', { required: true }),
  }),
  objectType(coreType('DaemonEndpoint'), 'One port of a daemon on a node.', {
    Port: int32(1, 'Port number.', { required: true }),
  }),
  objectType(coreType('NodeSwapStatus'), 'Swap memory of a node.', {
    capacity: int64(1, 'Total swap memory in bytes.', { pointer: true }),
  }),
  objectType(coreType('NodeRuntimeHandlerFeatures'), 'Features a runtime handler supports.', {
    recursiveReadOnlyMounts: bool(1, 'Supports recursive read-only mounts.', { pointer: true }),
    userNamespaces: bool(2, 'Supports user namespaces.', { pointer: true }),
  }),
];
