// Address bookkeeping for Services: cluster IPs from an IPv4 CIDR and node ports from a range.
// Allocation is random among free values, as Kubernetes does, so freed values are not reused at once.

function ipToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return Number.NaN;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function numberToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  const base = ipToNumber(ip);
  if (Number.isNaN(base) || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid IPv4 CIDR ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), size };
}

class RandomSetAllocator {
  private readonly used = new Set<number>();
  constructor(private readonly first: number, private readonly count: number) {}

  contains(value: number): boolean {
    return value >= this.first && value < this.first + this.count;
  }

  markUsed(value: number): void {
    if (this.contains(value)) this.used.add(value);
  }

  allocate(value: number): boolean {
    if (!this.contains(value) || this.used.has(value)) return false;
    this.used.add(value);
    return true;
  }

  next(take: boolean): number | undefined {
    if (this.used.size >= this.count) return undefined;
    const start = Math.floor(Math.random() * this.count);
    for (let i = 0; i < this.count; i++) {
      const candidate = this.first + ((start + i) % this.count);
      if (!this.used.has(candidate)) {
        if (take) this.used.add(candidate);
        return candidate;
      }
    }
    return undefined;
  }

  release(value: number): void {
    this.used.delete(value);
  }
}

export class ServiceIpAllocator {
  private readonly pool: RandomSetAllocator;
  /** The first usable address, kept for the `kubernetes` Service. */
  readonly firstAddress: string;

  constructor(cidr: string) {
    const { base, size } = parseCidr(cidr);
    // Skip the network address; the first host address belongs to the API server's own Service.
    this.pool = new RandomSetAllocator(base + 1, size - 2);
    this.firstAddress = numberToIp(base + 1);
  }

  contains(ip: string): boolean {
    return this.pool.contains(ipToNumber(ip));
  }

  markUsed(ip: string): void {
    this.pool.markUsed(ipToNumber(ip));
  }

  allocate(ip: string): boolean {
    return this.pool.allocate(ipToNumber(ip));
  }

  allocateNext(): string | undefined {
    const n = this.pool.next(true);
    return n === undefined ? undefined : numberToIp(n);
  }

  peek(): string | undefined {
    const n = this.pool.next(false);
    return n === undefined ? undefined : numberToIp(n);
  }

  release(ip: string): void {
    this.pool.release(ipToNumber(ip));
  }
}

export class PortAllocator {
  private readonly pool: RandomSetAllocator;

  constructor(first: number, last: number) {
    this.pool = new RandomSetAllocator(first, last - first + 1);
  }

  markUsed(port: number): void {
    this.pool.markUsed(port);
  }

  allocate(port: number): boolean {
    return this.pool.allocate(port);
  }

  allocateNext(): number | undefined {
    return this.pool.next(true);
  }

  peek(): number | undefined {
    return this.pool.next(false);
  }

  release(port: number): void {
    this.pool.release(port);
  }
}
