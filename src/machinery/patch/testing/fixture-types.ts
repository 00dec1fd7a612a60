// Small type registries for patch tests, independent of the real API type modules:
//  - a Pod/Deployment/Node subset with the list semantics of the real types;
//  - `mergeItem`, the shape apimachinery's own strategic merge tests use (mergingList by name,
//    mergingIntList as a merged primitive list, non-merging lists, retainKeysMap).

import {
  TypeRegistry,
  atomicList,
  bool,
  field,
  int32,
  mapList,
  mapOf,
  obj,
  objectType,
  ref,
  scalar,
  setList,
  str,
  stringMap,
} from '../../../api/schema/dsl.js';

const strings = scalar('string');

export function podLikeTypes(): TypeRegistry {
  const types = new TypeRegistry();
  types.add(
    objectType('test.ObjectMeta', 'metadata', {
      name: str(undefined, 'name'),
      namespace: str(undefined, 'namespace'),
      resourceVersion: str(undefined, 'resource version'),
      labels: stringMap(undefined, 'labels'),
      annotations: stringMap(undefined, 'annotations'),
      finalizers: field(setList(strings), undefined, 'finalizers'),
      ownerReferences: field(mapList(ref('test.OwnerReference'), ['uid']), undefined, 'owners'),
    }),
    objectType('test.OwnerReference', 'owner', { uid: str(undefined, 'uid'), name: str(undefined, 'name'), kind: str(undefined, 'kind') }),
    objectType(
      'test.Deployment',
      'deployment',
      { apiVersion: str(undefined, 'v'), kind: str(undefined, 'k'), metadata: obj('test.ObjectMeta', undefined, 'meta'), spec: obj('test.DeploymentSpec', undefined, 'spec') },
      { gvk: { group: 'apps', version: 'v1', kind: 'Deployment' } },
    ),
    objectType('test.DeploymentSpec', 'spec', {
      replicas: int32(undefined, 'replicas', { pointer: true }),
      paused: bool(undefined, 'paused'),
      selector: obj('test.LabelSelector', undefined, 'selector'),
      template: obj('test.PodTemplateSpec', undefined, 'template'),
      strategy: obj('test.DeploymentStrategy', undefined, 'strategy', { retainKeys: true }),
    }),
    objectType('test.DeploymentStrategy', 'strategy', { type: str(undefined, 'type'), rollingUpdate: obj('test.RollingUpdateDeployment', undefined, 'ru') }),
    objectType('test.RollingUpdateDeployment', 'ru', {
      maxSurge: field(scalar('intOrString'), undefined, 'surge'),
      maxUnavailable: field(scalar('intOrString'), undefined, 'unavailable'),
    }),
    objectType('test.LabelSelector', 'selector', {
      matchLabels: stringMap(undefined, 'labels'),
      matchExpressions: field(atomicList(ref('test.LabelSelectorRequirement')), undefined, 'exprs'),
    }),
    objectType('test.LabelSelectorRequirement', 'req', { key: str(undefined, 'k'), operator: str(undefined, 'op'), values: field(atomicList(strings), undefined, 'v') }),
    objectType('test.PodTemplateSpec', 'template', { metadata: obj('test.ObjectMeta', undefined, 'meta'), spec: obj('test.PodSpec', undefined, 'spec') }),
    objectType(
      'test.Pod',
      'pod',
      { metadata: obj('test.ObjectMeta', undefined, 'meta'), spec: obj('test.PodSpec', undefined, 'spec') },
      { gvk: { group: '', version: 'v1', kind: 'Pod' } },
    ),
    objectType('test.PodSpec', 'pod spec', {
      containers: field(mapList(ref('test.Container'), ['name']), undefined, 'containers'),
      initContainers: field(mapList(ref('test.Container'), ['name']), undefined, 'init'),
      ephemeralContainers: field(mapList(ref('test.Container'), ['name']), undefined, 'ephemeral'),
      volumes: field(mapList(ref('test.Volume'), ['name']), undefined, 'volumes'),
      tolerations: field(atomicList(ref('test.Toleration')), undefined, 'tolerations'),
      nodeSelector: stringMap(undefined, 'node selector'),
      nodeName: str(undefined, 'node'),
    }),
    objectType('test.Container', 'container', {
      name: str(undefined, 'name'),
      image: str(undefined, 'image'),
      command: field(atomicList(strings), undefined, 'command'),
      args: field(atomicList(strings), undefined, 'args'),
      env: field(mapList(ref('test.EnvVar'), ['name']), undefined, 'env'),
      ports: field(mapList(ref('test.ContainerPort'), ['containerPort', 'protocol']), undefined, 'ports'),
      volumeMounts: field(mapList(ref('test.VolumeMount'), ['mountPath']), undefined, 'mounts'),
      resources: obj('test.ResourceRequirements', undefined, 'resources'),
      stdin: bool(undefined, 'stdin'),
      targetContainerName: str(undefined, 'target'),
      terminationMessagePolicy: str(undefined, 'tmp'),
    }),
    objectType('test.ResourceRequirements', 'resources', {
      limits: field(mapOf(scalar('quantity')), undefined, 'limits'),
      requests: field(mapOf(scalar('quantity')), undefined, 'requests'),
    }),
    objectType('test.EnvVar', 'env', { name: str(undefined, 'n'), value: str(undefined, 'v'), valueFrom: field(scalar('any'), undefined, 'free-form') }),
    objectType('test.ContainerPort', 'port', { containerPort: int32(undefined, 'p'), protocol: str(undefined, 'proto'), name: str(undefined, 'n') }),
    objectType('test.VolumeMount', 'mount', { name: str(undefined, 'n'), mountPath: str(undefined, 'p'), readOnly: bool(undefined, 'ro') }),
    objectType('test.Toleration', 'toleration', { key: str(undefined, 'k'), operator: str(undefined, 'o'), value: str(undefined, 'v'), effect: str(undefined, 'e') }),
    objectType('test.Volume', 'volume', { name: str(undefined, 'n'), emptyDir: field(mapOf(strings), undefined, 'e'), configMap: field(scalar('any'), undefined, 'c') }),
    objectType(
      'test.Node',
      'node',
      { metadata: obj('test.ObjectMeta', undefined, 'meta'), spec: obj('test.NodeSpec', undefined, 'spec') },
      { gvk: { group: '', version: 'v1', kind: 'Node' } },
    ),
    objectType('test.NodeSpec', 'node spec', { unschedulable: bool(undefined, 'u'), podCIDR: str(undefined, 'cidr') }),
  );
  return types;
}

/** apimachinery's test type: `mergingList` merges by name, `mergingIntList` is a merged primitive list. */
export function mergeItemTypes(): TypeRegistry {
  const types = new TypeRegistry();
  types.add(
    objectType('mergeItem', 'test item', {
      name: str(undefined, 'name'),
      value: str(undefined, 'value'),
      other: str(undefined, 'other'),
      mergingList: field(mapList(ref('mergeItem'), ['name']), undefined, 'merging list'),
      nonMergingList: field(atomicList(ref('mergeItem')), undefined, 'non-merging list'),
      mergingIntList: field(setList(scalar('int64')), undefined, 'merging int list'),
      nonMergingIntList: field(atomicList(scalar('int64')), undefined, 'non-merging int list'),
      mergeItemPtr: obj('mergeItem', undefined, 'pointer'),
      simpleMap: stringMap(undefined, 'simple map'),
      retainKeysMap: obj('retainKeysMergeItem', undefined, 'retain keys', { retainKeys: true }),
      listOfLists: field(atomicList(atomicList(strings)), undefined, 'lists of lists'),
    }),
    objectType('retainKeysMergeItem', 'retain keys item', {
      name: str(undefined, 'name'),
      value: str(undefined, 'value'),
      other: str(undefined, 'other'),
      simpleMap: stringMap(undefined, 'simple map'),
      mergingList: field(mapList(ref('mergeItem'), ['name']), undefined, 'merging list'),
      nonMergingList: field(atomicList(ref('mergeItem')), undefined, 'non-merging list'),
      mergingIntList: field(setList(scalar('int64')), undefined, 'merging int list'),
    }),
  );
  return types;
}
