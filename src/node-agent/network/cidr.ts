// IPv4 CIDR arithmetic (pure).

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  network: number;
  prefix: number;
}

export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`invalid IPv4 address "${text}"`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new Error(`invalid IPv4 address "${text}"`);
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "10.42.0.0/24"; host bits must be zero. */
export function parseCidr(text: string): Ipv4Cidr {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!match) throw new Error(`invalid CIDR "${text}"`);
  const prefix = Number(match[2]);
  if (prefix > 32) throw new Error(`invalid CIDR "${text}": prefix longer than 32`);
  const address = parseIpv4(match[1]!);
  const network = (address & maskOf(prefix)) >>> 0;
  if (network !== address) throw new Error(`invalid CIDR "${text}": host bits set (did you mean ${formatIpv4(network)}/${prefix}?)`);
  return { network, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Ipv4Cidr, address: number): boolean {
  return ((address & maskOf(cidr.prefix)) >>> 0) === cidr.network;
}

export function cidrSize(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** The gateway (bridge) address of a pod CIDR: the first host address. */
export function gatewayOf(cidr: Ipv4Cidr): number {
  return cidr.network + 1;
}

/** First and last address handed to pods: after the gateway, before the broadcast address. */
export function podRange(cidr: Ipv4Cidr): { first: number; last: number } {
  if (cidr.prefix > 30) throw new Error(`pod CIDR ${formatCidr(cidr)} is too small (need at least a /30)`);
  return { first: cidr.network + 2, last: cidr.network + cidrSize(cidr) - 2 };
}
