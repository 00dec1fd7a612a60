// The environment variables the kubelet gives every container about Services (service links):
// FOO_SERVICE_HOST/PORT and the Docker-link style FOO_PORT_80_TCP..., for the Services of the
// pod's namespace (when spec.enableServiceLinks is not false) and always for the API server's own
// "kubernetes" Service in "default", so in-cluster clients find the API. Pure.

export interface ServiceLike {
  metadata: { name?: string; namespace?: string };
  spec?: { clusterIP?: string; ports?: { name?: string; port?: number; protocol?: string }[] };
}

/** The namespace and name of the Service in-cluster clients use to reach the API server. */
export const API_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;

function envName(text: string): string {
  return text.toUpperCase().replace(/-/g, '_');
}

/** The variables of one Service, in the kubelet's order. Headless and IP-less Services give none. */
export function serviceVariables(service: ServiceLike): [string, string][] {
  const ip = service.spec?.clusterIP;
  const ports = service.spec?.ports ?? [];
  if (!ip || ip === 'None' || ports.length === 0) return [];
  const prefix = envName(service.metadata.name ?? '');
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip], [`${prefix}_SERVICE_PORT`, String(ports[0]!.port ?? '')]];
  for (const port of ports) if (port.name) out.push([`${prefix}_SERVICE_PORT_${envName(port.name)}`, String(port.port ?? '')]);
  const first = ports[0]!;
  out.push([`${prefix}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port ?? ''}`]);
  for (const port of ports) {
    const protocol = port.protocol ?? 'TCP';
    const base = `${prefix}_PORT_${port.port ?? ''}_${protocol.toUpperCase()}`;
    out.push([base, `${protocol.toLowerCase()}://${ip}:${port.port ?? ''}`], [`${base}_PROTO`, protocol.toLowerCase()], [`${base}_PORT`, String(port.port ?? '')], [`${base}_ADDR`, ip]);
  }
  return out;
}

/**
 * NAME=value entries for a pod in `namespace`. `services`: every Service the agent knows (of any
 * namespace; only the pod's and the API server's count). A later Service of the same variable
 * name wins, as in the kubelet's map.
 */
export function serviceEnvironment(services: readonly ServiceLike[], namespace: string, enableServiceLinks: boolean): string[] {
  const vars = new Map<string, string>();
  const relevant = services
    .filter((s) => (enableServiceLinks && s.metadata.namespace === namespace) || (s.metadata.namespace === API_SERVICE.namespace && s.metadata.name === API_SERVICE.name))
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const service of relevant) for (const [name, value] of serviceVariables(service)) vars.set(name, value);
  return [...vars].map(([name, value]) => `${name}=${value}`);
}
