// discovery.k8s.io/v1 EndpointSlice. It has no spec, so the strategy bumps generation itself
// whenever anything outside metadata changes, as Kubernetes does for slices.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';
import { isDNS1123Label, isDNS1123Subdomain, isIPv4, isIPv6, isValidPortName, isValidPortNum } from '../../../machinery/validation/names.js';
import { arr, deepEqual, immutableValue, isObject, obj, setDefault } from './group-helpers.js';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

export function defaultEndpointSlice(slice: KubeObject): void {
  for (const port of arr(slice.ports)) {
    if (!isObject(port)) continue;
    setDefault(port, 'name', '');
    setDefault(port, 'protocol', 'TCP');
  }
}

function validateAddress(address: unknown, addressType: unknown, path: string): FieldError[] {
  const text = String(address);
  switch (addressType) {
    case 'IPv4':
      return isIPv4(text) ? [] : [fieldErrors.invalid(path, address, 'must be a valid IPv4 address')];
    case 'IPv6':
      return isIPv6(text) ? [] : [fieldErrors.invalid(path, address, 'must be a valid IPv6 address')];
    case 'FQDN':
      return isDNS1123Subdomain(text).map((msg) => fieldErrors.invalid(path, address, msg));
    default:
      return [];
  }
}

export function validateEndpointSlice(slice: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = slice.addressType;
  if (addressType === undefined || addressType === '') errs.push(fieldErrors.required('addressType'));
  else if (!ADDRESS_TYPES.includes(String(addressType))) errs.push(fieldErrors.notSupported('addressType', addressType, ADDRESS_TYPES));

  const endpoints = arr(slice.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) errs.push(fieldErrors.tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((raw, i) => {
    const endpoint = obj(raw);
    const path = `endpoints[${i}]`;
    const addresses = arr(endpoint.addresses);
    if (addresses.length === 0) errs.push(fieldErrors.required(`${path}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(fieldErrors.tooMany(`${path}.addresses`, addresses.length, MAX_ADDRESSES));
    addresses.forEach((address, j) => errs.push(...validateAddress(address, addressType, `${path}.addresses[${j}]`)));
    if (typeof endpoint.nodeName === 'string') {
      for (const msg of isDNS1123Subdomain(endpoint.nodeName)) errs.push(fieldErrors.invalid(`${path}.nodeName`, endpoint.nodeName, msg));
    }
    if (typeof endpoint.hostname === 'string') {
      for (const msg of isDNS1123Label(endpoint.hostname)) errs.push(fieldErrors.invalid(`${path}.hostname`, endpoint.hostname, msg));
    }
  });

  const ports = arr(slice.ports);
  if (ports.length > MAX_PORTS) errs.push(fieldErrors.tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const port = obj(raw);
    const path = `ports[${i}]`;
    const name = typeof port.name === 'string' ? port.name : '';
    if (name !== '') for (const msg of isValidPortName(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
    names.add(name);
    if (typeof port.port === 'number') for (const msg of isValidPortNum(port.port)) errs.push(fieldErrors.invalid(`${path}.port`, port.port, msg));
    if (port.protocol === undefined || port.protocol === null) errs.push(fieldErrors.required(`${path}.protocol`));
    else if (!PROTOCOLS.includes(String(port.protocol))) errs.push(fieldErrors.notSupported(`${path}.protocol`, port.protocol, PROTOCOLS));
  });
  return errs;
}

function contentChanged(slice: KubeObject, old: KubeObject): boolean {
  const keys = new Set([...Object.keys(slice), ...Object.keys(old)]);
  for (const key of keys) {
    if (key === 'metadata' || key === 'apiVersion' || key === 'kind') continue;
    if (!deepEqual(slice[key], old[key])) return true;
  }
  return false;
}

export const endpointSliceStrategy: Strategy = {
  statusFields: [],
  tracksGeneration: false,
  defaults: defaultEndpointSlice,
  prepareForCreate: (slice) => {
    slice.metadata.generation = 1;
  },
  prepareForUpdate: (slice, old) => {
    const previous = old.metadata.generation ?? 0;
    slice.metadata.generation = contentChanged(slice, old) ? previous + 1 : previous;
  },
  validate: validateEndpointSlice,
  validateUpdate: (slice, old) => [...validateEndpointSlice(slice), ...immutableValue('addressType', slice.addressType, old.addressType)],
};
