// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import { unresolvable, type FilterPlugin } from '../../framework/interfaces.js';
import { toleratedBy } from '../../../machinery/tolerations.js';
import type { Taint } from '../../framework/types.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const UNSCHEDULABLE_TAINT: Taint = Object.freeze({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });

export function newNodeUnschedulable(): FilterPlugin {
  return {
    name: NODE_UNSCHEDULABLE,
    filter(_state, pod, nodeInfo) {
      // NodeInfo's copy of spec.unschedulable: no walk into the node object per node.
      if (!nodeInfo.unschedulable || !nodeInfo.node) return undefined;
      return toleratedBy(pod.spec?.tolerations, UNSCHEDULABLE_TAINT) ? undefined : unresolvable(ERR_REASON_UNSCHEDULABLE);
    },
  };
}
