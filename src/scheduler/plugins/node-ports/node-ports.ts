// NodePorts: a pod's hostPorts must be free on the node (0.0.0.0 clashes with every address).
import { FrozenState } from '../../framework/cycle-state.js';
import { SKIP, unschedulable, type FilterPlugin, type PreFilterPlugin } from '../../framework/interfaces.js';
import { podHostPorts, type HostPortUse } from '../../../machinery/host-ports.js';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
const STATE_KEY = 'PreFilter' + NODE_PORTS;

export function newNodePorts(): PreFilterPlugin & FilterPlugin {
  return {
    name: NODE_PORTS,
    preFilter(state, pod) {
      const ports = podHostPorts(pod);
      if (ports.length === 0) return { status: SKIP };
      state.write(STATE_KEY, new FrozenState(ports));
      return undefined;
    },
    filter(state, pod, nodeInfo) {
      const ports = state.read<FrozenState<HostPortUse[]>>(STATE_KEY)?.value ?? podHostPorts(pod);
      for (const use of ports) if (nodeInfo.portInUse(use)) return unschedulable(ERR_REASON_NODE_PORTS);
      return undefined;
    },
  };
}
