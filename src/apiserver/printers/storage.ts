// PersistentVolumes, PersistentVolumeClaims and StorageClasses.

import type { KubeObject } from '../../api/meta.js';
import type { TablePrinter } from '../registry/strategy.js';
import { age, ageColumn, arr, column, nameColumn, nameOf, obj, spec, status, str } from './columns.js';

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

const ACCESS_MODE_SHORT: readonly [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** `RWO,RWX` in Kubernetes' fixed order, whatever order the list has. */
export function accessModes(modes: unknown): string {
  const present = new Set(arr(modes).map(String));
  return ACCESS_MODE_SHORT.filter(([mode]) => present.has(mode)).map(([, short]) => short).join(',');
}

function storageClassOf(o: KubeObject): string {
  const annotated = o.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if (annotated !== undefined) return annotated;
  return str(spec(o).storageClassName);
}

function quantity(value: unknown): string {
  return value === undefined || value === null ? '0' : String(value);
}

function terminatingOr(o: KubeObject, phase: string): string {
  return o.metadata.deletionTimestamp ? 'Terminating' : phase;
}

export const persistentVolumePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Capacity', 'string', 'The size of the volume.'),
    column('Access Modes', 'string', 'How the volume can be mounted (RWO, ROX, RWX, RWOP).'),
    column('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
    column('Status', 'string', 'The phase of the volume (Available, Bound, Released, Failed).'),
    column('Claim', 'string', 'The claim bound to the volume, as namespace/name.'),
    column('StorageClass', 'string', 'The storage class of the volume.'),
    column('VolumeAttributesClass', 'string', 'The volume attributes class of the volume.'),
    column('Reason', 'string', 'Why the volume is in its phase, if something went wrong.'),
    ageColumn(),
    column('VolumeMode', 'string', 'Filesystem or Block.', 1),
  ],
  cells(pv: KubeObject, now: Date): unknown[] {
    const pvSpec = spec(pv);
    const claimRef = pvSpec.claimRef === undefined ? undefined : obj(pvSpec.claimRef);
    const claim = claimRef ? `${str(claimRef.namespace)}/${str(claimRef.name)}` : '';
    return [
      nameOf(pv),
      quantity(obj(pvSpec.capacity).storage),
      accessModes(pvSpec.accessModes),
      str(pvSpec.persistentVolumeReclaimPolicy),
      terminatingOr(pv, str(status(pv).phase)),
      claim,
      storageClassOf(pv),
      str(pvSpec.volumeAttributesClassName) || '<unset>',
      str(status(pv).reason),
      age(pv, now),
      str(pvSpec.volumeMode) || '<unset>',
    ];
  },
};

export const persistentVolumeClaimPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The phase of the claim (Pending, Bound, Lost).'),
    column('Volume', 'string', 'The volume bound to the claim.'),
    column('Capacity', 'string', 'The size of the bound volume.'),
    column('Access Modes', 'string', 'How the bound volume can be mounted.'),
    column('StorageClass', 'string', 'The storage class the claim asks for.'),
    column('VolumeAttributesClass', 'string', 'The volume attributes class the claim asks for.'),
    ageColumn(),
    column('VolumeMode', 'string', 'Filesystem or Block.', 1),
  ],
  cells(pvc: KubeObject, now: Date): unknown[] {
    const pvcSpec = spec(pvc);
    const volumeName = str(pvcSpec.volumeName);
    const bound = volumeName !== '';
    return [
      nameOf(pvc),
      terminatingOr(pvc, str(status(pvc).phase)),
      volumeName,
      bound ? quantity(obj(status(pvc).capacity).storage) : '',
      bound ? accessModes(status(pvc).accessModes) : '',
      storageClassOf(pvc),
      str(pvcSpec.volumeAttributesClassName) || '<unset>',
      age(pvc, now),
      str(pvcSpec.volumeMode) || '<unset>',
    ];
  },
};

export function isDefaultStorageClass(sc: KubeObject): boolean {
  const annotations = sc.metadata.annotations ?? {};
  return annotations[DEFAULT_CLASS_ANNOTATION] === 'true' || annotations[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

export const storageClassPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Provisioner', 'string', 'The volume plugin that creates volumes of this class.'),
    column('ReclaimPolicy', 'string', 'What happens to volumes of this class when released.'),
    column('VolumeBindingMode', 'string', 'When claims are bound: Immediate or WaitForFirstConsumer.'),
    column('AllowVolumeExpansion', 'string', 'Whether claims of this class may be resized.'),
    ageColumn(),
  ],
  cells(sc: KubeObject, now: Date): unknown[] {
    const name = isDefaultStorageClass(sc) ? `${nameOf(sc)} (default)` : nameOf(sc);
    return [
      name,
      str(sc.provisioner),
      str(sc.reclaimPolicy) || 'Delete',
      str(sc.volumeBindingMode) || 'Immediate',
      sc.allowVolumeExpansion === true,
      age(sc, now),
    ];
  },
};
