// Deployments, ReplicaSets, StatefulSets, DaemonSets and ControllerRevisions.

import { controllerOf, type KubeObject } from '../../api/meta.js';
import { parseApiVersion } from '../../api/resources.js';
import type { TablePrinter } from '../registry/strategy.js';
import {
  age,
  ageColumn,
  column,
  CONTAINERS_COLUMN,
  containerCells,
  formatLabels,
  formatLabelSelector,
  IMAGES_COLUMN,
  int,
  nameColumn,
  nameOf,
  obj,
  selectorString,
  spec,
  status,
} from './columns.js';

function templatePodSpec(o: KubeObject): unknown {
  return obj(spec(o).template).spec;
}

/** A missing replicas field means the default of one. */
function desiredReplicas(o: KubeObject): number {
  const replicas = spec(o).replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

export const deploymentPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Ready pods out of the desired number.'),
    column('Up-to-date', 'string', 'Pods already running the latest pod template.'),
    column('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'The label selector of the pods the deployment manages.', 1),
  ],
  cells(d: KubeObject, now: Date): unknown[] {
    const st = status(d);
    const [containers, images] = containerCells(templatePodSpec(d));
    const selector = spec(d).selector === undefined ? '' : selectorString(spec(d).selector) ?? '<invalid>';
    return [nameOf(d), `${int(st.readyReplicas)}/${desiredReplicas(d)}`, int(st.updatedReplicas), int(st.availableReplicas), age(d, now), containers, images, selector];
  },
};

export const replicaSetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'The number of pods the replica set should run.'),
    column('Current', 'integer', 'The number of pods it currently runs.'),
    column('Ready', 'integer', 'The number of its pods that are ready.'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'The label selector of the pods the replica set manages.', 1),
  ],
  cells(rs: KubeObject, now: Date): unknown[] {
    const st = status(rs);
    const [containers, images] = containerCells(templatePodSpec(rs));
    return [nameOf(rs), desiredReplicas(rs), int(st.replicas), int(st.readyReplicas), age(rs, now), containers, images, formatLabelSelector(spec(rs).selector)];
  },
};

export const statefulSetPrinter: TablePrinter = {
  columns: [nameColumn(), column('Ready', 'string', 'Ready pods out of the desired number.'), ageColumn(), CONTAINERS_COLUMN, IMAGES_COLUMN],
  cells(sts: KubeObject, now: Date): unknown[] {
    const [containers, images] = containerCells(templatePodSpec(sts));
    return [nameOf(sts), `${int(status(sts).readyReplicas)}/${desiredReplicas(sts)}`, age(sts, now), containers, images];
  },
};

export const daemonSetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    column('Current', 'integer', 'Nodes that run at least one daemon pod.'),
    column('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    column('Up-to-date', 'integer', 'Nodes whose daemon pod runs the latest template.'),
    column('Available', 'integer', 'Nodes whose daemon pod has been ready for minReadySeconds.'),
    column('Node Selector', 'string', 'The node labels the daemon pods are restricted to.'),
    ageColumn(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'The label selector of the pods the daemon set manages.', 1),
  ],
  cells(ds: KubeObject, now: Date): unknown[] {
    const st = status(ds);
    const podSpec = templatePodSpec(ds);
    const [containers, images] = containerCells(podSpec);
    return [
      nameOf(ds),
      int(st.desiredNumberScheduled),
      int(st.currentNumberScheduled),
      int(st.numberReady),
      int(st.updatedNumberScheduled),
      int(st.numberAvailable),
      formatLabels(obj(podSpec).nodeSelector),
      age(ds, now),
      containers,
      images,
      formatLabelSelector(spec(ds).selector),
    ];
  },
};

export const controllerRevisionPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'The object that owns this revision, as kind.group/name.'),
    column('Revision', 'string', 'The revision number.'),
    ageColumn(),
  ],
  cells(cr: KubeObject, now: Date): unknown[] {
    const owner = controllerOf(cr);
    let controller = '<none>';
    if (owner) {
      const { group } = parseApiVersion(owner.apiVersion);
      const groupKind = group ? `${owner.kind}.${group}` : owner.kind;
      controller = groupKind ? `${groupKind.toLowerCase()}/${owner.name}` : owner.name;
    }
    return [nameOf(cr), controller, int(cr.revision), age(cr, now)];
  },
};
