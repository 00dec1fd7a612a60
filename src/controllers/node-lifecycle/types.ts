// The fields of Node, Lease and Pod the node lifecycle controller reads and writes.
import { findKind, type ResourceDescriptor } from '../../api/resources.js';
import type { KubeObject } from '../../api/meta.js';
import type { Taint, Toleration } from '../../machinery/tolerations.js';

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Node extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean; [field: string]: unknown };
  status?: { conditions?: NodeCondition[]; [field: string]: unknown };
}

export interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; [field: string]: unknown };
}

export interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; tolerations?: Toleration[]; [field: string]: unknown };
  status?: { phase?: string; conditions?: PodCondition[]; [field: string]: unknown };
}

function mustFind(group: string, version: string, kind: string): ResourceDescriptor {
  const desc = findKind(group, version, kind);
  if (!desc) throw new Error(`${kind} missing from the resource table`);
  return desc;
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export const KINDS = {
  node: mustFind('', 'v1', 'Node'),
  pod: mustFind('', 'v1', 'Pod'),
  lease: mustFind('coordination.k8s.io', 'v1', 'Lease'),
} as const;
