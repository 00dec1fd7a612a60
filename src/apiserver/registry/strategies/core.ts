// The strategies of the core/v1 kinds, keyed by resource (plural) name.

import type { Strategy } from '../strategy.js';
import { configmapStrategy } from './configmap.js';
import { endpointsStrategy } from './endpoints.js';
import { eventStrategy } from './event.js';
import { limitrangeStrategy } from './limitrange.js';
import { namespaceStrategy } from './namespace.js';
import { nodeStrategy } from './node.js';
import { persistentvolumeStrategy } from './persistentvolume.js';
import { persistentvolumeclaimStrategy } from './persistentvolumeclaim.js';
import { podStrategy } from './pod.js';
import { resourcequotaStrategy } from './resourcequota.js';
import { secretStrategy } from './secret.js';
import { serviceStrategy } from './service.js';
import { serviceaccountStrategy } from './serviceaccount.js';

export const CORE_STRATEGIES: Record<string, Strategy> = {
  namespaces: namespaceStrategy,
  pods: podStrategy,
  services: serviceStrategy,
  endpoints: endpointsStrategy,
  configmaps: configmapStrategy,
  secrets: secretStrategy,
  nodes: nodeStrategy,
  events: eventStrategy,
  serviceaccounts: serviceaccountStrategy,
  persistentvolumes: persistentvolumeStrategy,
  persistentvolumeclaims: persistentvolumeclaimStrategy,
  limitranges: limitrangeStrategy,
  resourcequotas: resourcequotaStrategy,
};

export {
  configmapStrategy, endpointsStrategy, eventStrategy, limitrangeStrategy, namespaceStrategy, nodeStrategy, persistentvolumeStrategy,
  persistentvolumeclaimStrategy, podStrategy, resourcequotaStrategy, secretStrategy, serviceStrategy, serviceaccountStrategy,
};
