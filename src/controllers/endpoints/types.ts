// The fields of Service, Pod and Endpoints the endpoints controllers read and write.
import type { ObjectReference, KubeObject } from '../../api/meta.js';
import { findKind, type ResourceDescriptor } from '../../api/resources.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec?: {
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    type?: string;
    publishNotReadyAddresses?: boolean;
    ipFamilies?: string[];
    [field: string]: unknown;
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    restartPolicy?: string;
    containers?: Array<{ name: string; ports?: ContainerPort[]; [k: string]: unknown }>;
    [field: string]: unknown;
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    conditions?: Array<{ type: string; status: string }>;
    [field: string]: unknown;
  };
}

export type { ObjectReference };

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

function mustFind(group: string, version: string, kind: string): ResourceDescriptor {
  const desc = findKind(group, version, kind);
  if (!desc) throw new Error(`${kind} missing from the resource table`);
  return desc;
}

export const KINDS = {
  service: mustFind('', 'v1', 'Service'),
  pod: mustFind('', 'v1', 'Pod'),
  endpoints: mustFind('', 'v1', 'Endpoints'),
  endpointSlice: mustFind('discovery.k8s.io', 'v1', 'EndpointSlice'),
} as const;
