// Endpoints: address IPs, port names, numbers and protocols.

import { fieldErrors, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { isDNS1123Subdomain, isValidIP, isValidPortNum } from '../../../machinery/validation/names.js';
import type { Strategy } from '../strategy.js';
import { objects, str, validateDNS1123LabelField, validateProtocol } from './pod-container-validation.js';

type Json = Record<string, unknown>;

function validateAddress(address: Json, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ip = str(address.ip);
  if (!ip) errs.push(fieldErrors.required(`${path}.ip`));
  else errs.push(...isValidIP(ip).map((m) => fieldErrors.invalid(`${path}.ip`, ip, m)));
  const hostname = str(address.hostname);
  if (hostname) errs.push(...validateDNS1123LabelField(hostname, `${path}.hostname`));
  const nodeName = str(address.nodeName);
  if (nodeName) errs.push(...isDNS1123Subdomain(nodeName).map((m) => fieldErrors.invalid(`${path}.nodeName`, nodeName, m)));
  return errs;
}

export function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  objects(obj.subsets).forEach((subset, i) => {
    const p = `subsets[${i}]`;
    const addresses = objects(subset.addresses);
    const notReady = objects(subset.notReadyAddresses);
    addresses.forEach((a, j) => errs.push(...validateAddress(a, `${p}.addresses[${j}]`)));
    notReady.forEach((a, j) => errs.push(...validateAddress(a, `${p}.notReadyAddresses[${j}]`)));
    const ports = objects(subset.ports);
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      const name = str(port.name);
      if (ports.length > 1 && !name) errs.push(fieldErrors.required(`${pp}.name`));
      else if (name) errs.push(...validateDNS1123LabelField(name, `${pp}.name`));
      errs.push(...isValidPortNum(Number(port.port)).map((m) => fieldErrors.invalid(`${pp}.port`, port.port ?? 0, m)));
      errs.push(...validateProtocol(port.protocol, `${pp}.protocol`));
    });
  });
  return errs;
}

export const endpointsStrategy: Strategy = {
  defaults(obj) {
    for (const subset of objects(obj.subsets)) for (const port of objects(subset.ports)) if (!port.protocol) port.protocol = 'TCP';
  },
  validate: validateEndpoints,
  validateUpdate: validateEndpoints,
  statusFields: [],
  tracksGeneration: false,
};
