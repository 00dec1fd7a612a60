// What a write request carries beyond its body, and what every registry needs from the server.

import type { TypeRegistry } from '../../api/schema/dsl.js';
import type { KubeObject } from '../../api/meta.js';
import type { Store } from '../../store/store.js';
import type { UserInfo } from '../auth/token.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestContext {
  user?: UserInfo;
  userAgent?: string;
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
  /** Warnings to return as `Warning: 299 - "..."` headers. */
  warnings: string[];
  /** Set by server-side apply, which records its own managedFields entry. */
  skipManagedFields?: boolean;
}

export function defaultContext(overrides: Partial<RequestContext> = {}): RequestContext {
  return { dryRun: false, fieldValidation: 'Ignore', warnings: [], ...overrides };
}

/** Checks run on writes that need other objects (namespace lifecycle, IP allocation...). */
export interface Admission {
  /** Before a create: may throw an ApiError (e.g. namespace missing or terminating) or change the object. */
  admitCreate?(resource: string, group: string, obj: KubeObject, ctx: RequestContext): Promise<void>;
  /** After a delete removed an object from the store (e.g. release its cluster IP). */
  afterDelete?(resource: string, group: string, obj: KubeObject): Promise<void>;
}

export interface RegistryDeps {
  store: Store;
  types: TypeRegistry;
  now: () => Date;
  admission: Admission;
}
