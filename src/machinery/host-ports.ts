// The host ports a pod asks for (containers' hostPort with its IP and protocol) and when two uses
// clash: the same protocol and port on the same address, where 0.0.0.0 is every address. The
// scheduler's NodePorts filter and the node agent's admission apply the same rule.

export const ANY_IP = '0.0.0.0';

export interface HostPortUse {
  ip: string;
  protocol: string;
  port: number;
}

interface PodWithPorts {
  spec?: { containers?: Array<{ ports?: Array<{ hostPort?: number; hostIP?: string; protocol?: string }> }> };
}

export function podHostPorts(pod: PodWithPorts): HostPortUse[] {
  const out: HostPortUse[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || ANY_IP, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function hostPortsClash(a: HostPortUse, b: HostPortUse): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === ANY_IP || b.ip === ANY_IP);
}
