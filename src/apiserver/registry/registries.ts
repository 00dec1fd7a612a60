// One ResourceRegistry per served resource version, each with its kind's strategy and printer.

import { RESOURCES, type ResourceDescriptor } from '../../api/resources.js';
import type { KubeObject } from '../../api/meta.js';
import { PRINTERS } from '../printers/index.js';
import { CORE_STRATEGIES } from './strategies/core.js';
import { GROUP_STRATEGIES } from './strategies/groups.js';
import type { RegistryDeps } from './context.js';
import { eventsV1Conversion } from './conversion/events.js';
import { hpaV1Conversion } from './conversion/hpa.js';
import { ResourceRegistry, type VersionConversion } from './registry.js';
import type { Strategy } from './strategy.js';

function strategyFor(desc: ResourceDescriptor): Strategy {
  const base = desc.group === '' ? CORE_STRATEGIES[desc.resource] : GROUP_STRATEGIES[`${desc.group}/${desc.resource}`];
  const table = PRINTERS[`${desc.group}/${desc.resource}`];
  return { ...(base ?? {}), ...(table ? { table } : {}) };
}

function conversionFor(desc: ResourceDescriptor): VersionConversion | undefined {
  if (desc.group === 'autoscaling' && desc.version === 'v1' && desc.resource === 'horizontalpodautoscalers') return hpaV1Conversion;
  return undefined;
}

/** events.k8s.io Events are the core Events seen through another version, as in Kubernetes. */
function sharedStorageFor(desc: ResourceDescriptor): { conversion: VersionConversion; storage: { group: string; resource: string } } | undefined {
  if (desc.group === 'events.k8s.io' && desc.resource === 'events') return { conversion: eventsV1Conversion, storage: { group: '', resource: 'events' } };
  return undefined;
}

/** A strategy written for the storage version, applied to objects of another served version. */
function throughConversion(strategy: Strategy, conversion: VersionConversion): Strategy {
  const inStorage = <T>(obj: KubeObject, fn: (stored: KubeObject) => T): T => fn(conversion.toStorage(structuredClone(obj)));
  const replaceWith = (obj: KubeObject, next: KubeObject) => {
    for (const key of Object.keys(obj)) delete obj[key];
    Object.assign(obj, next);
  };
  return {
    ...strategy,
    defaults: strategy.defaults && ((obj) => inStorage(obj, (s) => { strategy.defaults!(s); replaceWith(obj, conversion.fromStorage(s)); })),
    validate: strategy.validate && ((obj) => inStorage(obj, (s) => strategy.validate!(s))),
    validateUpdate: strategy.validateUpdate && ((obj, old) => strategy.validateUpdate!(conversion.toStorage(structuredClone(obj)), conversion.toStorage(structuredClone(old)))),
    table: strategy.table && { columns: strategy.table.columns, cells: (obj, now) => strategy.table!.cells(conversion.toStorage(structuredClone(obj)), now) },
  };
}

export function createRegistries(deps: RegistryDeps): Map<string, ResourceRegistry> {
  const registries = new Map<string, ResourceRegistry>();
  for (const desc of RESOURCES) {
    const shared = sharedStorageFor(desc);
    const conversion = conversionFor(desc);
    let strategy = strategyFor(desc);
    if (conversion) strategy = throughConversion(strategy, conversion);
    const options = shared ?? { conversion };
    registries.set(`${desc.group}/${desc.version}/${desc.resource}`, new ResourceRegistry(desc, strategy, deps, options));
  }
  return registries;
}
