// PodDisruptionBudgets, HorizontalPodAutoscalers, PriorityClasses and Leases.

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { age, ageColumn, arr, column, int, intOrString, nameColumn, nameOf, obj, spec, status, str, type Json } from './columns.js';

export const podDisruptionBudgetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Min Available', 'string', 'Pods that must stay available, as a number or percentage.'),
    column('Max Unavailable', 'string', 'Pods that may be unavailable, as a number or percentage.'),
    column('Allowed Disruptions', 'integer', 'How many pods may be evicted right now.'),
    ageColumn(),
  ],
  cells(pdb: KubeObject, now: Date): unknown[] {
    const pdbSpec = spec(pdb);
    const min = pdbSpec.minAvailable === undefined || pdbSpec.minAvailable === null ? 'N/A' : intOrString(pdbSpec.minAvailable);
    const max = pdbSpec.maxUnavailable === undefined || pdbSpec.maxUnavailable === null ? 'N/A' : intOrString(pdbSpec.maxUnavailable);
    return [nameOf(pdb), min, max, int(status(pdb).disruptionsAllowed), age(pdb, now)];
  },
};

function quantity(value: unknown): string {
  return value === undefined || value === null ? '0' : String(value);
}

/** One `Targets` entry, e.g. `cpu: 40%/80%` or `<unknown>/500m`. */
function formatMetric(metric: Json, current: Json | undefined): string {
  const type = str(metric.type);
  const source = (name: string): Json => obj(metric[name]);
  const now = (name: string): Json | undefined => (current && current[name] !== undefined ? obj(current[name]) : undefined);
  switch (type) {
    case 'External':
    case 'Object': {
      const key = type === 'External' ? 'external' : 'object';
      const target = obj(source(key).target);
      const cur = now(key);
      if (target.averageValue !== undefined) {
        const value = cur && obj(cur.current).averageValue !== undefined ? quantity(obj(cur.current).averageValue) : '<unknown>';
        return `${value}/${quantity(target.averageValue)} (avg)`;
      }
      const value = cur ? quantity(obj(cur.current).value) : '<unknown>';
      return `${value}/${quantity(target.value)}`;
    }
    case 'Pods': {
      const cur = now('pods');
      const value = cur ? quantity(obj(cur.current).averageValue) : '<unknown>';
      return `${value}/${quantity(obj(source('pods').target).averageValue)}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = type === 'Resource' ? 'resource' : 'containerResource';
      const src = source(key);
      const target = obj(src.target);
      const cur = now(key);
      if (target.averageValue !== undefined) {
        const value = cur ? quantity(obj(cur.current).averageValue) : '<unknown>';
        return `${str(src.name)}: ${value}/${quantity(target.averageValue)}`;
      }
      const utilization = cur ? obj(cur.current).averageUtilization : undefined;
      const value = typeof utilization === 'number' ? `${utilization}%` : '<unknown>';
      const goal = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
      return `${str(src.name)}: ${value}/${goal}`;
    }
    default:
      return '<unknown type>';
  }
}

/** The Targets cell for autoscaling/v2 (metrics) or v1 (targetCPUUtilizationPercentage) objects. */
export function hpaTargets(hpa: KubeObject): string {
  const hpaSpec = spec(hpa);
  const hpaStatus = status(hpa);
  let metrics = arr(hpaSpec.metrics).map(obj);
  let currents = arr(hpaStatus.currentMetrics).map(obj);
  if (hpaSpec.metrics === undefined && typeof hpaSpec.targetCPUUtilizationPercentage === 'number') {
    metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpaSpec.targetCPUUtilizationPercentage } } }];
    const current = hpaStatus.currentCPUUtilizationPercentage;
    currents = typeof current === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }] : [];
  }
  if (metrics.length === 0) return '<none>';
  const max = 2;
  const list = metrics.map((metric, i) => formatMetric(metric, currents[i]));
  const shown = list.slice(0, max).join(', ');
  return list.length > max ? `${shown} + ${list.length - max} more...` : shown;
}

export const horizontalPodAutoscalerPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Reference', 'string', 'The workload being scaled, as Kind/name.'),
    column('Targets', 'string', 'Current and target values of the metrics that drive scaling.'),
    column('MinPods', 'string', 'The fewest replicas the autoscaler will set.'),
    column('MaxPods', 'string', 'The most replicas the autoscaler will set.'),
    column('Replicas', 'string', 'The replica count the autoscaler last observed.'),
    ageColumn(),
  ],
  cells(hpa: KubeObject, now: Date): unknown[] {
    const hpaSpec = spec(hpa);
    const ref = obj(hpaSpec.scaleTargetRef);
    const minPods = typeof hpaSpec.minReplicas === 'number' ? String(hpaSpec.minReplicas) : '<unset>';
    return [nameOf(hpa), `${str(ref.kind)}/${str(ref.name)}`, hpaTargets(hpa), minPods, int(hpaSpec.maxReplicas), int(status(hpa).currentReplicas), age(hpa, now)];
  },
};

export const priorityClassPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Value', 'integer', 'The priority given to pods that use this class.'),
    column('Global-Default', 'boolean', 'Whether pods without a priority class get this one.'),
    ageColumn(),
    column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods.', 1),
  ],
  cells(pc: KubeObject, now: Date): unknown[] {
    return [nameOf(pc), int(pc.value), pc.globalDefault === true, age(pc, now), str(pc.preemptionPolicy)];
  },
};

export const leasePrinter: TablePrinter = {
  columns: [nameColumn(), column('Holder', 'string', 'The identity that currently holds the lease.'), ageColumn()],
  cells(lease: KubeObject, now: Date): unknown[] {
    return [nameOf(lease), str(spec(lease).holderIdentity), age(lease, now)];
  },
};
