// DefaultBinder: binds through the API (pods/binding) with the function the scheduler provides.
import { errorStatus, type BindPlugin } from '../../framework/interfaces.js';
import type { Pod } from '../../framework/types.js';

export const DEFAULT_BINDER = 'DefaultBinder';

export type BindFunction = (pod: Pod, nodeName: string, signal: AbortSignal) => Promise<void>;

export function newDefaultBinder(bind: BindFunction): BindPlugin {
  return {
    name: DEFAULT_BINDER,
    async bind(pod, nodeName, signal) {
      try {
        await bind(pod, nodeName, signal);
        return undefined;
      } catch (err) {
        return errorStatus(err instanceof Error ? err.message : String(err));
      }
    },
  };
}
