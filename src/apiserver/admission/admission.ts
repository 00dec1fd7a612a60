// Built-in admission: namespace lifecycle (no new objects in missing or terminating namespaces)
// and Service address allocation (cluster IPs from the service CIDR, node ports from their range).

import { forbidden, invalid, notFound, fieldErrors, qualifiedResource } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import type { Admission, RequestContext } from '../registry/context.js';
import type { ResourceRegistry } from '../registry/registry.js';
import { PortAllocator, ServiceIpAllocator } from './allocators.js';
import { admitPod, type PodAdmissionOptions } from './pod-admission.js';
import { RegistryCache } from './registry-cache.js';
import { ANN_BETA_STORAGE_CLASS, defaultStorageClass, type StorageClassInfo } from '../../machinery/volumes/claim-matching.js';

export interface AdmissionOptions {
  namespaces: () => ResourceRegistry | undefined;
  services: () => ResourceRegistry | undefined;
  serviceCidr: string;
  nodePortRange: [number, number];
  pods?: PodAdmissionOptions;
  /** StorageClasses, for the default class of claims that name none. */
  storageClasses?: () => ResourceRegistry | undefined;
}

/** Objects that exist outside any namespace lifecycle check (the namespace itself, and kinds without one). */
const EXEMPT_RESOURCES = new Set(['namespaces', 'selfsubjectaccessreviews']);

export class BuiltinAdmission implements Admission {
  private readonly options: AdmissionOptions;
  readonly ips: ServiceIpAllocator;
  readonly ports: PortAllocator;
  private loaded = false;

  private readonly namespaceCache: RegistryCache;
  private readonly storageClassCache?: RegistryCache;
  private readonly stop = new AbortController();

  constructor(options: AdmissionOptions) {
    this.options = options;
    this.namespaceCache = new RegistryCache(options.namespaces, this.stop.signal);
    if (options.storageClasses) this.storageClassCache = new RegistryCache(options.storageClasses, this.stop.signal);
    if (options.pods) options.pods.cache = new RegistryCache(options.pods.priorityClasses, this.stop.signal);
    if (options.pods?.serviceAccounts) options.pods.serviceAccountCache = new RegistryCache(options.pods.serviceAccounts, this.stop.signal);
    this.ips = new ServiceIpAllocator(options.serviceCidr);
    this.ports = new PortAllocator(options.nodePortRange[0], options.nodePortRange[1]);
  }

  /** Marks addresses of existing Services as taken (once, before the first allocation). */
  private async loadAllocations(): Promise<void> {
    if (this.loaded) return;
    const services = this.options.services();
    if (!services) return;
    const list = await services.list(undefined);
    for (const svc of list.items) this.markUsed(svc);
    this.loaded = true;
  }

  private markUsed(svc: KubeObject): void {
    const spec = (svc.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[]; ports?: { nodePort?: number }[] };
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) this.ips.markUsed(ip);
    for (const port of spec.ports ?? []) if (port.nodePort) this.ports.markUsed(port.nodePort);
  }

  async admitCreate(resource: string, group: string, obj: KubeObject, ctx: RequestContext): Promise<void> {
    const namespace = obj.metadata.namespace;
    if (namespace && !EXEMPT_RESOURCES.has(resource)) await this.checkNamespace(resource, group, namespace, obj.metadata.name ?? '');
    if (group === '' && resource === 'services') await this.allocateServiceAddresses(obj, ctx);
    if (group === '' && resource === 'pods' && this.options.pods) await admitPod(obj, this.options.pods);
    if (group === '' && resource === 'persistentvolumeclaims') await this.defaultStorageClass(obj);
    if (group === '') addProtectionFinalizer(resource, obj);
  }

  /** DefaultStorageClass: a claim that names no class (not even "") gets the default one, if any. */
  private async defaultStorageClass(claim: KubeObject): Promise<void> {
    const spec = claim.spec as { storageClassName?: string | null } | undefined;
    if (!spec || (spec.storageClassName !== undefined && spec.storageClassName !== null)) return;
    if (claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined || !this.storageClassCache) return;
    await this.storageClassCache.ready();
    const chosen = defaultStorageClass(this.storageClassCache.values() as IterableIterator<KubeObject & StorageClassInfo>);
    if (chosen?.metadata.name) spec.storageClassName = chosen.metadata.name;
  }

  /** Ends the caches' watches (server shutdown). */
  close(): void {
    this.stop.abort();
  }

  async afterDelete(resource: string, group: string, obj: KubeObject): Promise<void> {
    if (group !== '' || resource !== 'services') return;
    const spec = (obj.spec ?? {}) as { clusterIPs?: string[]; clusterIP?: string; ports?: { nodePort?: number }[] };
    for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) this.ips.release(ip);
    for (const port of spec.ports ?? []) if (port.nodePort) this.ports.release(port.nodePort);
  }

  private async checkNamespace(resource: string, group: string, namespace: string, name: string): Promise<void> {
    const namespaces = this.options.namespaces();
    if (!namespaces) return;
    await this.namespaceCache.ready();
    let ns = this.namespaceCache.get(namespace);
    if (!ns) {
      // Not (yet) in the cache: a namespace created a moment ago is still found by a live read.
      try {
        ns = await namespaces.get(undefined, namespace);
      } catch {
        throw notFound({ group: '', resource: 'namespaces' }, namespace);
      }
    }
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(`${qualifiedResource({ group, resource })} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name,
        group: group || undefined,
        kind: resource,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  private async allocateServiceAddresses(svc: KubeObject, ctx: RequestContext): Promise<void> {
    await this.loadAllocations();
    const spec = (svc.spec ?? {}) as { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: { nodePort?: number }[] };
    const name = svc.metadata.name ?? '';
    if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
      let ip = spec.clusterIP;
      if (ip) {
        if (!this.ips.contains(ip)) {
          throw invalid('Service', '', name, [fieldErrors.invalid('spec.clusterIPs', [ip], `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.options.serviceCidr}`)]);
        }
        if (!ctx.dryRun && !this.ips.allocate(ip)) {
          throw invalid('Service', '', name, [fieldErrors.invalid('spec.clusterIPs', [ip], `failed to allocate IP ${ip}: provided IP is already allocated`)]);
        }
      } else {
        ip = ctx.dryRun ? this.ips.peek() : this.ips.allocateNext();
        if (!ip) throw forbidden(`Internal error occurred: failed to allocate a serviceIP: range is full`);
      }
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      for (const port of spec.ports ?? []) {
        if (port.nodePort) {
          if (!ctx.dryRun && !this.ports.allocate(port.nodePort)) {
            throw invalid('Service', '', name, [fieldErrors.invalid('spec.ports[0].nodePort', port.nodePort, 'provided port is already allocated')]);
          }
        } else {
          const next = ctx.dryRun ? this.ports.peek() : this.ports.allocateNext();
          if (!next) throw forbidden('Internal error occurred: failed to allocate a nodePort: range is full');
          port.nodePort = next;
        }
      }
    }
    svc.spec = spec;
  }
}

/**
 * StorageObjectInUseProtection: claims and volumes are created with a finalizer that the
 * pvc-protection and pv-protection controllers remove once nothing uses them, so deleting a claim
 * a pod still mounts (or a bound volume) waits instead of pulling storage from under it.
 */
export const PROTECTION_FINALIZERS: Readonly<Record<string, string>> = {
  persistentvolumeclaims: 'kubernetes.io/pvc-protection',
  persistentvolumes: 'kubernetes.io/pv-protection',
};

function addProtectionFinalizer(resource: string, obj: KubeObject): void {
  const finalizer = PROTECTION_FINALIZERS[resource];
  if (!finalizer) return;
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) obj.metadata.finalizers = [...finalizers, finalizer];
}
