// Services: defaults (type, affinity, policies, ports), validation, and the update rules that keep
// allocated values (cluster IPs, node ports) stable. IP and port allocation belong to the registry.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateLabels } from '../../../machinery/validation/labels.js';
import { isDNS1123Subdomain, isValidIP, isValidPortNum, nameIsDNS1035Label } from '../../../machinery/validation/names.js';
import type { Strategy } from '../strategy.js';
import { isObject, objects, str, validateDNS1123LabelField, validatePortNumOrName, validateProtocol } from './pod-container-validation.js';

type Json = Record<string, unknown>;

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];

const specOf = (obj: KubeObject): Json => (isObject(obj.spec) ? obj.spec : {});
const externallyAccessible = (type: string): boolean => type === 'NodePort' || type === 'LoadBalancer';
const isHeadless = (spec: Json): boolean => spec.clusterIP === 'None';

export function defaultService(obj: KubeObject): void {
  if (!isObject(obj.spec)) obj.spec = {};
  const spec = obj.spec as Json;
  if (!spec.type) spec.type = 'ClusterIP';
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const config = isObject(spec.sessionAffinityConfig) ? spec.sessionAffinityConfig : {};
    const clientIP = isObject(config.clientIP) ? config.clientIP : {};
    if (clientIP.timeoutSeconds === undefined) clientIP.timeoutSeconds = 10800;
    spec.sessionAffinityConfig = { ...config, clientIP };
  }
  for (const port of objects(spec.ports)) {
    if (!port.protocol) port.protocol = 'TCP';
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  const type = str(spec.type);
  if (externallyAccessible(type) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (type !== 'ExternalName' && !spec.internalTrafficPolicy) spec.internalTrafficPolicy = 'Cluster';
  if (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  if (type !== 'ExternalName') {
    // A single-stack IPv4 cluster: every Service gets one IPv4 family.
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
  if (typeof spec.clusterIP === 'string' && spec.clusterIP && !Array.isArray(spec.clusterIPs)) spec.clusterIPs = [spec.clusterIP];
}

function validatePorts(spec: Json, type: string): FieldError[] {
  const errs: FieldError[] = [];
  const ports = objects(spec.ports);
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(fieldErrors.required('spec.ports'));
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const p = `spec.ports[${i}]`;
    const name = str(port.name);
    if (ports.length > 1 && !name) errs.push(fieldErrors.required(`${p}.name`));
    else if (name) {
      errs.push(...validateDNS1123LabelField(name, `${p}.name`));
      if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
      names.add(name);
    }
    errs.push(...isValidPortNum(Number(port.port)).map((m) => fieldErrors.invalid(`${p}.port`, port.port ?? 0, m)));
    errs.push(...validateProtocol(port.protocol, `${p}.protocol`));
    if (port.targetPort !== undefined) errs.push(...validatePortNumOrName(port.targetPort, `${p}.targetPort`));
    const key = `${port.port}/${str(port.protocol)}`;
    if (keys.has(key)) errs.push(fieldErrors.duplicate(p, { port: port.port, protocol: port.protocol }));
    keys.add(key);
    if (port.nodePort !== undefined && port.nodePort !== null && port.nodePort !== 0) {
      if (type === 'ClusterIP') errs.push(fieldErrors.forbidden(`${p}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else errs.push(...isValidPortNum(Number(port.nodePort)).map((m) => fieldErrors.invalid(`${p}.nodePort`, port.nodePort, m)));
      const nodeKey = `${port.nodePort}/${str(port.protocol)}`;
      if (nodePorts.has(nodeKey)) errs.push(fieldErrors.duplicate(`${p}.nodePort`, port.nodePort));
      nodePorts.add(nodeKey);
    }
  });
  return errs;
}

export function validateService(obj: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const errs: FieldError[] = [];
  const type = str(spec.type);
  if (!type) errs.push(fieldErrors.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errs.push(fieldErrors.notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ExternalName') {
    const external = str(spec.externalName).replace(/\.$/, '');
    if (!external) errs.push(fieldErrors.required('spec.externalName'));
    else errs.push(...isDNS1123Subdomain(external).map((m) => fieldErrors.invalid('spec.externalName', external, m)));
    if (str(spec.clusterIP) && spec.clusterIP !== 'None') errs.push(fieldErrors.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  }
  const clusterIP = str(spec.clusterIP);
  if (clusterIP && clusterIP !== 'None' && isValidIP(clusterIP).length > 0) {
    errs.push(fieldErrors.invalid('spec.clusterIPs[0]', clusterIP, "must be empty, 'None', or a valid IP address"));
  }
  errs.push(...validatePorts(spec, type));
  errs.push(...validateLabels(spec.selector as Record<string, string> | undefined, 'spec.selector'));
  const affinity = str(spec.sessionAffinity);
  if (!affinity) errs.push(fieldErrors.required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(affinity)) errs.push(fieldErrors.notSupported('spec.sessionAffinity', affinity, AFFINITIES));
  const etp = str(spec.externalTrafficPolicy);
  if (etp) {
    if (!externallyAccessible(type)) errs.push(fieldErrors.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
    else if (!TRAFFIC_POLICIES.includes(etp)) errs.push(fieldErrors.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  } else if (externallyAccessible(type)) {
    errs.push(fieldErrors.required('spec.externalTrafficPolicy'));
  }
  const itp = str(spec.internalTrafficPolicy);
  if (itp && !TRAFFIC_POLICIES.includes(itp)) errs.push(fieldErrors.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  const familyPolicy = str(spec.ipFamilyPolicy);
  if (familyPolicy && !IP_FAMILY_POLICIES.includes(familyPolicy)) errs.push(fieldErrors.notSupported('spec.ipFamilyPolicy', familyPolicy, IP_FAMILY_POLICIES));
  (Array.isArray(spec.externalIPs) ? spec.externalIPs : []).forEach((ip, i) => {
    errs.push(...isValidIP(str(ip)).map((m) => fieldErrors.invalid(`spec.externalIPs[${i}]`, ip, m)));
  });
  return errs;
}

/** Carries allocated values forward when an update leaves them out, as kubectl apply does. */
function keepAllocatedValues(obj: KubeObject, old: KubeObject): void {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  if (str(spec.type) === 'ExternalName' || str(oldSpec.type) === 'ExternalName') return;
  if (!spec.clusterIP && oldSpec.clusterIP) {
    spec.clusterIP = oldSpec.clusterIP;
    spec.clusterIPs = oldSpec.clusterIPs;
  }
  if (!Array.isArray(spec.clusterIPs) && Array.isArray(oldSpec.clusterIPs)) spec.clusterIPs = oldSpec.clusterIPs;
  if (externallyAccessible(str(spec.type))) {
    const oldPorts = objects(oldSpec.ports);
    for (const port of objects(spec.ports)) {
      if (port.nodePort) continue;
      const match = oldPorts.find((o) => o.port === port.port && str(o.protocol) === str(port.protocol) && o.nodePort);
      if (match) port.nodePort = match.nodePort;
    }
    if (!spec.healthCheckNodePort && oldSpec.healthCheckNodePort) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

export function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const errs: FieldError[] = [];
  const changingFromOrToExternalName = str(spec.type) === 'ExternalName' || str(oldSpec.type) === 'ExternalName';
  const oldIP = str(oldSpec.clusterIP);
  if (!changingFromOrToExternalName && oldIP && str(spec.clusterIP) !== oldIP) {
    errs.push(fieldErrors.invalid('spec.clusterIPs[0]', str(spec.clusterIP), 'may not change once set'));
  }
  errs.push(...validateService(obj));
  return errs;
}

export const serviceStrategy: Strategy = {
  defaults: defaultService,
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  prepareForUpdate: keepAllocatedValues,
  nameValidator: nameIsDNS1035Label,
  validate: (obj) => validateService(obj),
  validateUpdate: validateServiceUpdate,
  tracksGeneration: false,
};

/** Service names are DNS-1035 labels (they become DNS names and environment variable prefixes). */
export const serviceNameValidator = nameIsDNS1035Label;
