// Services, Endpoints and EndpointSlices.

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { age, ageColumn, arr, column, formatLabels, int, listWithMore, nameColumn, nameOf, obj, spec, status, str, type Json } from './columns.js';

const LOAD_BALANCER_WIDTH = 16;

function loadBalancerAddresses(service: KubeObject): string {
  const ingress = arr(obj(status(service).loadBalancer).ingress).map(obj);
  const unique = new Set<string>();
  for (const entry of ingress) {
    const address = str(entry.ip) || str(entry.hostname);
    if (address) unique.add(address);
  }
  return [...unique].sort().join(',');
}

/** The External-IP cell; the server prints wide output, so load-balancer lists are not clipped. */
export function serviceExternalIP(service: KubeObject, wide = true): string {
  const svcSpec = spec(service);
  const externalIPs = arr(svcSpec.externalIPs).map(String);
  switch (str(svcSpec.type) || 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      let lb = loadBalancerAddresses(service);
      if (!wide && lb.length > LOAD_BALANCER_WIDTH) lb = `${lb.slice(0, LOAD_BALANCER_WIDTH - 3)}...`;
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(svcSpec.externalName);
    default:
      return '<unknown>';
  }
}

/** `80/TCP,443:30443/TCP`: the node port appears when one is allocated. */
export function servicePorts(ports: unknown): string {
  const pieces = arr(ports).map(obj).map((port) => {
    const protocol = str(port.protocol) || 'TCP';
    const nodePort = int(port.nodePort);
    return nodePort > 0 ? `${int(port.port)}:${nodePort}/${protocol}` : `${int(port.port)}/${protocol}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

export const servicePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'string', 'The virtual IP address assigned inside the cluster.'),
    column('External-IP', 'string', 'Addresses through which the service is reachable from outside the cluster.'),
    column('Port(s)', 'string', 'The ports the service exposes, with node ports where allocated.'),
    ageColumn(),
    column('Selector', 'string', 'The labels of the pods that receive the service\'s traffic.', 1),
  ],
  cells(svc: KubeObject, now: Date): unknown[] {
    const svcSpec = spec(svc);
    const clusterIPs = arr(svcSpec.clusterIPs).map(String);
    const clusterIP = clusterIPs[0] ?? (str(svcSpec.clusterIP) || '<none>');
    return [nameOf(svc), str(svcSpec.type), clusterIP, serviceExternalIP(svc), servicePorts(svcSpec.ports), age(svc, now), formatLabels(svcSpec.selector)];
  },
};

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Up to three `ip:port` entries then `+ N more...`; `<none>` with no subsets. */
export function formatEndpoints(endpoints: KubeObject): string {
  const subsets = arr(endpoints.subsets).map(obj);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (text: string): void => {
    if (list.length === max) more = true;
    else list.push(text);
  };
  for (const subset of subsets) {
    const addresses = arr(subset.addresses).map(obj);
    const ports = arr(subset.ports).map(obj);
    if (ports.length === 0) {
      count += addresses.length;
      for (const address of addresses) add(str(address.ip));
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const address of addresses) add(hostPort(str(address.ip), int(port.port)));
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter: TablePrinter = {
  columns: [nameColumn(), column('Endpoints', 'string', 'Addresses and ports of the ready backends.'), ageColumn()],
  cells(ep: KubeObject, now: Date): unknown[] {
    return [nameOf(ep), formatEndpoints(ep), age(ep, now)];
  },
};

function slicePorts(ports: unknown): string {
  const list = arr(ports).map(obj).map((port: Json) => {
    if (typeof port.port === 'number') return String(port.port);
    if (typeof port.name === 'string') return port.name;
    return '*';
  });
  return listWithMore(list, list.length, 3);
}

function sliceEndpoints(endpoints: unknown): string {
  const addresses = arr(endpoints).flatMap((e) => arr(obj(e).addresses).map(String));
  return listWithMore(addresses, addresses.length, 3);
}

export const endpointSlicePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('AddressType', 'string', 'The kind of addresses in the slice: IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'Port numbers exposed by the endpoints.'),
    column('Endpoints', 'string', 'Addresses of the endpoints in the slice.'),
    ageColumn(),
  ],
  cells(slice: KubeObject, now: Date): unknown[] {
    return [nameOf(slice), str(slice.addressType), slicePorts(slice.ports), sliceEndpoints(slice.endpoints), age(slice, now)];
  },
};
