// NodeName: a pod that names its node fits only there.
import { unresolvable, type FilterPlugin, type Status } from '../../framework/interfaces.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { Pod } from '../../framework/types.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export function newNodeName(): FilterPlugin {
  return {
    name: NODE_NAME,
    filter(_state, pod: Pod, nodeInfo: NodeInfo): Status | undefined {
      const wanted = pod.spec?.nodeName;
      return wanted && wanted !== nodeInfo.name ? unresolvable(ERR_REASON_NODE_NAME) : undefined;
    },
  };
}
