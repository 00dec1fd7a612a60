// Where the node agent reads the API objects that volumes and env refer to (an informer cache or
// direct GETs). `undefined` means "not found"; other failures are thrown.

import type { KubeObject } from '../../api/meta.js';

export interface ObjectSource {
  getConfigMap(ns: string, name: string): Promise<KubeObject | undefined>;
  getSecret(ns: string, name: string): Promise<KubeObject | undefined>;
  /** Needed for persistentVolumeClaim volumes; without it such volumes fail to mount. */
  getPersistentVolumeClaim?(ns: string, name: string): Promise<KubeObject | undefined>;
  getPersistentVolume?(name: string): Promise<KubeObject | undefined>;
  /** Every Service (for the service link variables); without it containers get none. */
  listServices?(): Promise<KubeObject[]>;
  /** Needed for serviceAccountToken projections: POST the TokenRequest, resolve with the answer. */
  requestServiceAccountToken?(namespace: string, serviceAccount: string, tokenRequest: KubeObject): Promise<KubeObject>;
}
