// The generic registry: one instance per served resource version, doing for every kind what
// Kubernetes' generic registry store does (metadata, validation, optimistic concurrency,
// generation, status split, dry run), with the kind's own rules supplied by its Strategy.

import { badRequest, conflict, internal, invalid, notFound, alreadyExists, isApiError, ApiError, fieldErrors, type FieldError } from '../../api/errors.js';
import type { KubeList, KubeObject } from '../../api/meta.js';
import { apiVersionOf, storageKey, storagePrefix, type ResourceDescriptor } from '../../api/resources.js';
import type { ObjectType } from '../../api/schema/dsl.js';
import { isDeepStrictEqual } from 'node:util';
import { isStoreError, type KeyValue } from '../../store/store.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../machinery/validation/object-meta.js';
import { decodeMutable, decodeObject, encodeObject, rememberWritten } from './codec.js';
import type { RegistryDeps, RequestContext } from './context.js';
import { checkObject } from './field-validation.js';
import { carryOverMeta, fillCreateMeta, generateNameFrom, keepAllButStatus, keepStatus, specChanged } from './object-meta.js';
import { buildSelection, type Selection } from './selection.js';
import type { Strategy } from './strategy.js';
import { recordManagedFields } from './managed-fields.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WriteResult {
  object: KubeObject;
  /** True when the write created the object (201 instead of 200). */
  created: boolean;
}

/** Converts between a served version and the storage version (only for groups served in several versions). */
export interface VersionConversion {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

/**
 * Compare-and-swap rounds of one update without a resourceVersion precondition. Every lost round
 * means another write to the object went in, so contention always makes progress; Kubernetes'
 * store retries without limit (100 concurrent patches of one object need up to 99 rounds). The
 * bound only stops a loop that would make none.
 */
const MAX_UPDATE_RETRIES = 1000;

/**
 * Subresources that change fields of the main resource the kind's update rules forbid: pods/binding
 * sets spec.nodeName on an immutable pod spec, namespaces/finalize changes spec.finalizers.
 */
const PRIVILEGED_WRITES = new Set(['binding', 'finalize']);

export class ResourceRegistry {
  readonly desc: ResourceDescriptor;
  readonly strategy: Strategy;
  readonly deps: RegistryDeps;
  readonly statusFields: readonly string[];
  readonly apiVersion: string;
  readonly type: ObjectType | undefined;
  private readonly conversion?: VersionConversion;
  /** Where objects live: the resource's own prefix, or another resource's it shares storage with. */
  private readonly storage: { group: string; resource: string; namespaced: boolean };

  constructor(desc: ResourceDescriptor, strategy: Strategy, deps: RegistryDeps, options: { conversion?: VersionConversion; storage?: { group: string; resource: string } } = {}) {
    this.desc = desc;
    this.strategy = strategy;
    this.deps = deps;
    this.statusFields = strategy.statusFields ?? ['status'];
    this.apiVersion = apiVersionOf(desc);
    this.type = deps.types.forKind(desc.group, desc.version, desc.kind);
    this.conversion = options.conversion;
    this.storage = { ...(options.storage ?? desc), namespaced: desc.namespaced };
  }

  get ref() {
    return { group: this.desc.group, resource: this.desc.resource };
  }

  key(namespace: string | undefined, name: string): string {
    return storageKey(this.storage, namespace, name);
  }

  /** The prefix of all objects in a namespace, or of all objects when namespace is empty. */
  prefix(namespace?: string): string {
    const base = storagePrefix(this.storage);
    return this.desc.namespaced && namespace ? `${base}${namespace}/` : base;
  }

  /** Stored object → the served version (apiVersion/kind set, conversion applied). Shared: clone before changing. */
  present(kv: KeyValue): KubeObject {
    const obj = decodeObject(kv);
    const converted = this.conversion ? this.conversion.fromStorage(structuredClone(obj)) : obj;
    if (converted.apiVersion === this.apiVersion && converted.kind === this.desc.kind) return converted;
    return { apiVersion: this.apiVersion, kind: this.desc.kind, ...converted };
  }

  private presentMutable(kv: KeyValue): KubeObject {
    const obj = decodeMutable(kv);
    const converted = this.conversion ? this.conversion.fromStorage(obj) : obj;
    converted.apiVersion = this.apiVersion;
    converted.kind = this.desc.kind;
    return converted;
  }

  private toStorage(obj: KubeObject): KubeObject {
    return this.conversion ? this.conversion.toStorage(structuredClone(obj)) : obj;
  }

  tracksGeneration(obj: KubeObject): boolean {
    return this.strategy.tracksGeneration ?? 'spec' in obj;
  }

  async getStored(namespace: string | undefined, name: string): Promise<KeyValue> {
    const kv = await this.deps.store.get(this.key(namespace, name));
    if (!kv) throw notFound(this.ref, name);
    return kv;
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.present(await this.getStored(namespace, name));
  }

  selection(options: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>): Selection {
    return buildSelection(this.desc, this.strategy, options.labelSelector, options.fieldSelector);
  }

  async list(namespace: string | undefined, options: ListOptions = {}): Promise<KubeList> {
    const selection = this.selection(options);
    const store = this.deps.store;
    let revision: number | undefined;
    let startAfter: string | undefined;
    if (options.continueToken) {
      const token = decodeContinue(options.continueToken);
      revision = token.rv;
      startAfter = token.start;
    } else if (options.resourceVersion && options.resourceVersion !== '0') {
      const wanted = parseResourceVersion(options.resourceVersion);
      if (options.resourceVersionMatch === 'Exact') revision = wanted;
      else await this.waitForRevision(wanted);
    }
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const items: KubeObject[] = [];
    let listRevision = 0;
    let continueKey: string | undefined;
    let remaining: number | undefined;
    const prefix = this.prefix(namespace);
    // Page through the store until `limit` objects matched or the range is exhausted.
    for (;;) {
      let page;
      try {
        page = await store.list(prefix, { revision, startAfter, limit: limit ? Math.max(limit - items.length, 1) : 0 });
      } catch (err) {
        throw translateStoreError(err, options.continueToken !== undefined);
      }
      listRevision = page.revision;
      revision = page.revision;
      for (const kv of page.items) {
        const obj = this.present(kv);
        if (selection.matches(obj)) items.push(obj);
      }
      if (!page.continueKey) {
        continueKey = undefined;
        break;
      }
      startAfter = page.continueKey;
      continueKey = page.continueKey;
      if (limit && items.length >= limit) {
        remaining = selection.empty ? page.remaining : undefined;
        break;
      }
    }
    const metadata: KubeList['metadata'] = { resourceVersion: String(listRevision) };
    if (continueKey) {
      metadata.continue = encodeContinue(listRevision, continueKey);
      if (remaining !== undefined) metadata.remainingItemCount = remaining;
    }
    return { apiVersion: this.apiVersion, kind: `${this.desc.kind}List`, metadata, items };
  }

  /** "Not older than": wait briefly for the store to reach a revision a client has seen. */
  async waitForRevision(revision: number): Promise<void> {
    const deadline = Date.now() + 3000;
    while ((await this.deps.store.currentRevision()) < revision) {
      if (Date.now() > deadline) {
        throw new ApiError('Timeout', 504, `Timeout: Too large resource version: ${revision}, current: ${await this.deps.store.currentRevision()}`, {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Checks kind/apiVersion/namespace of a body against the request, then (unless `fields` is
   * false, for an object whose fields were checked before: see checkFields) its fields.
   */
  checkBody(body: KubeObject, namespace: string | undefined, ctx: RequestContext, options: { fields?: boolean } = {}): void {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body of the request must be a JSON object');
    if (body.apiVersion !== undefined && body.apiVersion !== this.apiVersion) {
      throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${this.apiVersion})`);
    }
    if (body.kind !== undefined && body.kind !== this.desc.kind) {
      throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${this.desc.kind})`);
    }
    if (body.metadata !== undefined && (typeof body.metadata !== 'object' || body.metadata === null || Array.isArray(body.metadata))) {
      throw badRequest(`${this.desc.kind} in version "${this.desc.version}" cannot be handled as a ${this.desc.kind}: json: cannot unmarshal ${Array.isArray(body.metadata) ? 'array' : typeof body.metadata} into Go struct field ${this.desc.kind}.metadata of type v1.ObjectMeta`);
    }
    if (!body.metadata) body.metadata = {};
    if (this.desc.namespaced && namespace !== undefined) {
      if (body.metadata.namespace && body.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      body.metadata.namespace = namespace;
    }
    if (!this.desc.namespaced) delete body.metadata.namespace;
    if (options.fields !== false) this.checkFields(body, ctx);
  }

  /**
   * Unknown fields (an error with fieldValidation Strict, else dropped, with a warning for Warn)
   * and values of the wrong JSON type (always an error), in an object or in a part of one, or in
   * a merge patch (`mergePatch`: an unknown field set to null only deletes, as in the result).
   */
  checkFields(value: unknown, ctx: RequestContext, options: { mergePatch?: boolean } = {}): void {
    if (!this.type) return;
    const problems = checkObject(value, this.type, this.deps.types, { prune: ctx.fieldValidation !== 'Strict', nullDeletes: options.mergePatch });
    const cannotHandle = `${this.desc.kind} in version "${this.desc.version}" cannot be handled as a ${this.desc.kind}`;
    if (problems.typeErrors.length > 0) throw badRequest(`${cannotHandle}: ${problems.typeErrors[0]}`);
    if (problems.unknownFields.length === 0) return;
    const unknown = problems.unknownFields.map((f) => `unknown field "${f}"`);
    if (ctx.fieldValidation === 'Strict') throw badRequest(`${cannotHandle}: strict decoding error: ${unknown.join(', ')}`);
    if (ctx.fieldValidation === 'Warn') ctx.warnings.push(...unknown);
  }

  private validateNew(obj: KubeObject): void {
    const errors: FieldError[] = validateObjectMeta(obj.metadata, {
      namespaced: this.desc.namespaced,
      nameOptional: this.strategy.nameOptional,
      nameValidator: this.strategy.nameValidator,
    });
    if (this.strategy.validate) errors.push(...this.strategy.validate(obj));
    if (errors.length) throw invalid(this.desc.kind, this.desc.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errors);
  }

  async create(namespace: string | undefined, body: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    this.checkBody(body, namespace, ctx);
    const obj = body;
    obj.apiVersion = this.apiVersion;
    obj.kind = this.desc.kind;
    if (obj.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateNameFrom(obj.metadata.generateName);
    if (!obj.metadata.name && this.strategy.nameOptional) obj.metadata.name = '';
    fillCreateMeta(obj, this.deps.now(), this.tracksGeneration(obj));
    if (this.desc.subresources?.includes('status') && !this.strategy.keepStatusOnCreate) {
      for (const field of this.statusFields) delete obj[field];
    }
    this.strategy.defaults?.(obj);
    // Kubernetes records the creator's fields here: what it sent plus defaults, not what
    // prepareForCreate (a pod's status) or mutating admission (a service account's token volume,
    // default tolerations) add afterwards.
    recordManagedFields(this, undefined, obj, ctx);
    this.strategy.prepareForCreate?.(obj);
    this.validateNew(obj);
    await this.deps.admission.admitCreate?.(this.desc.resource, this.desc.group, obj, ctx);
    if (ctx.dryRun || this.strategy.nameOptional) return obj;
    const name = obj.metadata.name ?? '';
    try {
      const stored = this.toStorage(obj);
      const kv = await this.deps.store.create(this.key(obj.metadata.namespace, name), encodeObject(stored));
      rememberWritten(kv, stored);
      return this.present(kv);
    } catch (err) {
      if (isStoreError(err, 'KeyExists')) throw alreadyExists(this.ref, name);
      throw translateStoreError(err);
    }
  }

  /**
   * Read-modify-write of one object with compare-and-swap. `mutate` gets a private copy of the
   * current object (or undefined when absent) and returns the desired object; it runs again on conflict.
   * With `preconditionRv`, a different stored revision is a 409 instead of a retry.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    ctx: RequestContext,
    mutate: (current: KubeObject | undefined) => Promise<KubeObject> | KubeObject,
    options: { subresource?: string; allowCreate?: boolean; preconditionRv?: string } = {},
  ): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.deps.store.get(this.key(namespace, name));
      if (!kv && !options.allowCreate) throw notFound(this.ref, name);
      // `current` is the shared decoding (often still cached from the write that made it); only
      // the copy handed to `mutate` is parsed anew. Nothing below changes `current`.
      const current = kv ? this.present(kv) : undefined;
      const desired = await mutate(kv ? this.presentMutable(kv) : undefined);
      if (!current) {
        const created = await this.create(namespace, desired, ctx);
        return { object: created, created: true };
      }
      const rv = options.preconditionRv ?? desired.metadata.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw conflict(this.ref, name);
      const next = this.prepareUpdate(desired, current, ctx, options.subresource);
      if (ctx.dryRun) return { object: next, created: false };
      if (this.shouldDeleteNow(next)) {
        const deleted = await this.removeFromStore(next, kv!.modRevision);
        if (deleted) return { object: deleted, created: false };
        if (attempt < MAX_UPDATE_RETRIES) continue;
        throw conflict(this.ref, name);
      }
      // The encoding is needed for the write anyway; equal bytes (the usual no-op) skip the deep compare.
      const stored = this.toStorage(next);
      const encoded = encodeObject(stored);
      // Content equal up to key order has the same length, so only then is the deep compare worth it.
      if (Buffer.compare(encoded, kv!.value) === 0 || (encoded.length === kv!.value.length && sameContent(next, current))) return { object: current, created: false };
      try {
        const written = await this.deps.store.update(kv!.key, encoded, kv!.modRevision);
        rememberWritten(written, stored);
        return { object: this.present(written), created: false };
      } catch (err) {
        if (isStoreError(err, 'Conflict') && !rv && attempt < MAX_UPDATE_RETRIES) continue;
        if (isStoreError(err, 'Conflict')) throw conflict(this.ref, name);
        if (isStoreError(err, 'NotFound')) throw notFound(this.ref, name);
        throw translateStoreError(err);
      }
    }
  }

  /** Applies metadata carry-over, the status split, defaults, generation and validation to an update. */
  prepareUpdate(desiredIn: KubeObject, current: KubeObject, ctx: RequestContext, subresource?: string): KubeObject {
    let desired = desiredIn;
    desired.apiVersion = this.apiVersion;
    desired.kind = this.desc.kind;
    if (!desired.metadata) desired.metadata = {};
    const privileged = subresource !== undefined && PRIVILEGED_WRITES.has(subresource);
    // Defaults apply to what the client sent, before the parts it may not change are taken from the
    // stored object (Kubernetes' order too): those parts are shared with it and already defaulted.
    this.strategy.defaults?.(desired);
    const partial = subresource !== undefined && this.strategy.partialSubresources?.includes(subresource) ? this.strategy.prepareSubresourceUpdate?.(subresource, desired, current) : undefined;
    if (partial) {
      partial.metadata.resourceVersion = desired.metadata.resourceVersion;
      desired = partial;
    } else if (subresource === 'status') {
      desired = keepAllButStatus(desired, current, this.statusFields);
    } else {
      carryOverMeta(desired, current);
      // Privileged writes set status themselves (pods/binding adds PodScheduled in the same write).
      if (this.desc.subresources?.includes('status') && !privileged) keepStatus(desired, current, this.statusFields);
    }
    if (subresource !== 'status' && !privileged && !partial) {
      this.strategy.prepareForUpdate?.(desired, current);
      if (this.tracksGeneration(desired) && specChanged(desired, current, this.statusFields)) {
        desired.metadata.generation = (current.metadata.generation ?? 0) + 1;
      }
    }
    const errors: FieldError[] = [];
    errors.push(...validateObjectMetaUpdate(desired.metadata, current.metadata));
    if (subresource === 'status') {
      if (this.strategy.validateStatusUpdate) errors.push(...this.strategy.validateStatusUpdate(desired, current));
    } else if (partial) {
      errors.push(...(this.strategy.validateSubresourceUpdate?.(subresource!, desired, current) ?? []));
    } else {
      errors.push(...validateObjectMeta(desired.metadata, { namespaced: this.desc.namespaced, nameOptional: this.strategy.nameOptional, nameValidator: this.strategy.nameValidator }));
      if (privileged) {
        // nothing more: the subresource handler checked its own input
      } else if (this.strategy.validateUpdate) errors.push(...this.strategy.validateUpdate(desired, current));
      else if (this.strategy.validate) errors.push(...this.strategy.validate(desired));
    }
    if (errors.length) throw invalid(this.desc.kind, this.desc.group, desired.metadata.name ?? '', errors);
    recordManagedFields(this, current, desired, ctx, subresource);
    return desired;
  }

  /** PUT. */
  async update(namespace: string | undefined, name: string, body: KubeObject, ctx: RequestContext, subresource?: string): Promise<WriteResult> {
    this.checkBody(body, namespace, ctx);
    if (body.metadata.name !== undefined && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    body.metadata.name = name;
    return this.guaranteedUpdate(namespace, name, ctx, () => structuredClone(body), {
      subresource,
      allowCreate: this.strategy.allowCreateOnUpdate === true && subresource === undefined,
    });
  }

  /** Deletion finishes once a terminating object has no finalizers left and no grace period to wait for. */
  shouldDeleteNow(obj: KubeObject): boolean {
    const meta = obj.metadata;
    return Boolean(meta.deletionTimestamp) && (meta.finalizers?.length ?? 0) === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0 && !this.strategy.holdsDeletion?.(obj);
  }

  /** Removes an object whose deletion completed; undefined if it changed meanwhile (caller retries). */
  async removeFromStore(obj: KubeObject, expectedRevision: number): Promise<KubeObject | undefined> {
    try {
      const kv = await this.deps.store.delete(this.key(obj.metadata.namespace, obj.metadata.name ?? ''), expectedRevision);
      const deleted = this.present(kv);
      await this.deps.admission.afterDelete?.(this.desc.resource, this.desc.group, deleted);
      return deleted;
    } catch (err) {
      if (isStoreError(err, 'Conflict')) return undefined;
      if (isStoreError(err, 'NotFound')) throw notFound(this.ref, obj.metadata.name ?? '');
      throw translateStoreError(err);
    }
  }
}

/** Equal apart from resourceVersion: an update that would change nothing is not written. */
function sameContent(next: KubeObject, current: KubeObject): boolean {
  const { resourceVersion: _a, ...nextMeta } = next.metadata;
  const { resourceVersion: _b, ...currentMeta } = current.metadata;
  return isDeepStrictEqual({ ...next, metadata: nextMeta }, { ...current, metadata: currentMeta });
}

export function parseResourceVersion(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw invalid('', '', '', [fieldErrors.invalid('resourceVersion', value, 'must be a valid resource version')]);
  }
  return n;
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

export function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string') return { rv: parsed.rv, start: parsed.start };
  } catch {
    // falls through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export function translateStoreError(err: unknown, continuing = false): ApiError {
  if (isApiError(err)) return err;
  if (isStoreError(err, 'Compacted')) {
    if (continuing) {
      return new ApiError('Expired', 410, 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    return new ApiError('Expired', 410, `too old resource version: ${err.message}`);
  }
  if (isStoreError(err, 'FutureRevision')) {
    return new ApiError('Timeout', 504, `Timeout: Too large resource version: ${err.message}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] });
  }
  if (isStoreError(err, 'Unavailable')) return new ApiError('ServiceUnavailable', 503, `storage is unavailable: ${err.message}`);
  return internal(err);
}
