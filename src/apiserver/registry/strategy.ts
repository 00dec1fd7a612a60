// What a resource adds to the generic registry: its defaulting, validation, how its status splits
// from its spec, the fields it can be selected by, and how `kubectl get` prints it.
// One strategy file per resource (strategies/<kind>.ts); the registry does everything else.

import type { FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TablePrinter {
  columns: readonly ColumnDefinition[];
  /** One row's cells, in column order. `now` is injected so ages are testable. */
  cells(obj: KubeObject, now: Date): unknown[];
}

export interface Strategy {
  /** Defaults applied to every incoming object before validation (create, update, patch, apply). */
  defaults?(obj: KubeObject): void;
  /** Kind-specific changes on create, e.g. clearing status or setting an initial phase. */
  prepareForCreate?(obj: KubeObject): void;
  /** Kind-specific changes on update of the main resource (status is already carried over from `old`). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Errors for a new object (the registry already checked metadata). Field paths are full, e.g. `spec.replicas`. */
  validate?(obj: KubeObject): FieldError[];
  /** Errors for an update, including immutable fields. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Errors for a status update. */
  validateStatusUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Subresources that read and write one part of the spec (pods/ephemeralcontainers). */
  partialSubresources?: readonly string[];
  /** For those: the object to store, made from the stored one and the part the client sent. */
  prepareSubresourceUpdate?(subresource: string, desired: KubeObject, current: KubeObject): KubeObject | undefined;
  /** Errors for a write through such a subresource. */
  validateSubresourceUpdate?(subresource: string, obj: KubeObject, old: KubeObject): FieldError[];
  /**
   * Top-level fields that belong to status (default ['status']). Writes to the main resource keep
   * them from the stored object; writes to /status change only them.
   */
  statusFields?: readonly string[];
  /** False for kinds whose generation does not follow a spec (default: true when the kind has `spec`). */
  tracksGeneration?: boolean;
  /** Field-selector attributes beyond metadata.name and metadata.namespace (e.g. spec.nodeName). */
  fieldAttributes?(obj: KubeObject): Record<string, string>;
  /** Table output for `kubectl get`; without one the registry prints Name and Age. */
  table?: TablePrinter;
  /** Name syntax check (default: DNS-1123 subdomain); RBAC kinds accept any path segment. */
  nameValidator?: (name: string, prefix?: boolean) => string[];
  /** Cluster-scoped kinds whose objects need no name (SelfSubjectAccessReview). */
  nameOptional?: boolean;
  /** Keep the status a client sends on create (Node: the agent registers with its status). */
  keepStatusOnCreate?: boolean;
  /** PUT of a missing object creates it (Events, Leases, Endpoints in Kubernetes). */
  allowCreateOnUpdate?: boolean;
  /** Keeps a terminating object even with no finalizers left (Namespace: until spec.finalizers is empty). */
  holdsDeletion?(obj: KubeObject): boolean;
  /** Changes when deletion starts (Namespace: status.phase Terminating). */
  prepareForDelete?(obj: KubeObject): void;
}
