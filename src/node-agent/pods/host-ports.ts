// hostPort mappings a pod asks for (pure): every container port with a hostPort becomes a DNAT
// from the node's address to the pod IP.

import type { HostPortMapping, HostPortProtocol } from '../network/hostport.js';

type Json = Record<string, unknown>;

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

export function hostPortMappings(podSpec: Json): Omit<HostPortMapping, 'podIp'>[] {
  const out: Omit<HostPortMapping, 'podIp'>[] = [];
  for (const container of [...list(podSpec.initContainers), ...list(podSpec.containers)]) {
    for (const port of list(container.ports)) {
      const hostPort = typeof port.hostPort === 'number' ? port.hostPort : 0;
      const containerPort = typeof port.containerPort === 'number' ? port.containerPort : 0;
      if (hostPort <= 0 || containerPort <= 0) continue;
      const protocol = (typeof port.protocol === 'string' ? port.protocol : 'TCP') as HostPortProtocol;
      const hostIp = typeof port.hostIP === 'string' && port.hostIP !== '' ? port.hostIP : undefined;
      out.push({ protocol, hostPort, containerPort, ...(hostIp ? { hostIp } : {}) });
    }
  }
  return out;
}
