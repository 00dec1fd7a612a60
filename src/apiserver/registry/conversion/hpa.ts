// autoscaling/v1 HorizontalPodAutoscaler served from autoscaling/v2 storage. v1 has only a CPU
// utilisation target; richer v2 metrics are not visible through v1 (Kubernetes keeps them in an
// annotation, which we do not).

import type { KubeObject } from '../../../api/meta.js';
import type { VersionConversion } from '../registry.js';

interface MetricSpec {
  type?: string;
  resource?: { name?: string; target?: { type?: string; averageUtilization?: number } };
}

interface MetricStatus {
  type?: string;
  resource?: { name?: string; current?: { averageUtilization?: number } };
}

export const hpaV1Conversion: VersionConversion = {
  toStorage(obj: KubeObject): KubeObject {
    const spec = (obj.spec ?? {}) as Record<string, unknown>;
    const { targetCPUUtilizationPercentage, ...rest } = spec as { targetCPUUtilizationPercentage?: number };
    const v2spec: Record<string, unknown> = { ...rest };
    if (targetCPUUtilizationPercentage !== undefined) {
      v2spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }];
    }
    const out: KubeObject = { ...obj, apiVersion: 'autoscaling/v2', spec: v2spec };
    const status = obj.status as { currentCPUUtilizationPercentage?: number } & Record<string, unknown> | undefined;
    if (status) {
      const { currentCPUUtilizationPercentage, ...statusRest } = status;
      const v2status: Record<string, unknown> = { ...statusRest };
      if (currentCPUUtilizationPercentage !== undefined) {
        v2status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPUUtilizationPercentage } } }];
      }
      out.status = v2status;
    }
    return out;
  },
  fromStorage(obj: KubeObject): KubeObject {
    const spec = { ...((obj.spec ?? {}) as Record<string, unknown>) };
    const metrics = (spec.metrics ?? []) as MetricSpec[];
    delete spec.metrics;
    delete spec.behavior;
    const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization');
    if (cpu?.resource?.target?.averageUtilization !== undefined) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
    const out: KubeObject = { ...obj, apiVersion: 'autoscaling/v1', spec };
    const status = obj.status as Record<string, unknown> | undefined;
    if (status) {
      const { currentMetrics, conditions: _conditions, ...rest } = status as { currentMetrics?: MetricStatus[]; conditions?: unknown };
      const v1status: Record<string, unknown> = { ...rest };
      const current = currentMetrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
      if (current?.resource?.current?.averageUtilization !== undefined) v1status.currentCPUUtilizationPercentage = current.resource.current.averageUtilization;
      out.status = v1status;
    }
    return out;
  },
};
