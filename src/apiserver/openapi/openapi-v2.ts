// OpenAPI v2 (Swagger 2.0): one document for the whole API, generated from the same type schemas
// and resource table as the v3 documents. Older kubectl (1.28 and before) reads it, in protobuf
// only, to find the patch merge keys for client-side apply and the query parameters a PATCH
// accepts. kubectl parses every definition and rejects the whole document on a dangling $ref, so
// every referenced name gets a definition.

import { createHash } from 'node:crypto';
import { RESOURCES, type ResourceDescriptor } from '../../api/resources.js';
import type { TypeRegistry } from '../../api/schema/dsl.js';
import { encodeSwaggerDocument } from './openapi-v2-proto.js';
import { objectSchema, QUANTITY, QUANTITY_DESCRIPTION, SCALAR_DEFINITIONS, type Json, type SchemaDialect } from './schema-walk.js';

/**
 * The Content-Type of the protobuf v2 document. kubectl asks for `...spec.v2@v1.0+protobuf`, but '@'
 * is not a valid MIME token character and Go's mime.ParseMediaType rejects it in the response
 * (kubectl then prints "mime: unexpected content after media subtype"), so like Kubernetes we
 * answer with the dotted spelling.
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const REF_PREFIX = '#/definitions/';
const DIALECT: SchemaDialect = { refPrefix: REF_PREFIX, wrapDescribedRefs: false };
const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';

/** Types with their own JSON form; Swagger 2.0 has no oneOf, so Quantity is a string as in Kubernetes. */
const SPECIAL_DEFINITIONS: Record<string, Json> = { [QUANTITY]: { description: QUANTITY_DESCRIPTION, type: 'string' }, ...SCALAR_DEFINITIONS };

/** Every registered type plus everything they reference, sorted by name as Kubernetes serves them. */
function buildDefinitions(types: TypeRegistry): Json {
  const definitions: Record<string, Json> = {};
  const pending = [...types.all()].map((t) => t.name);
  pending.push(STATUS, DELETE_OPTIONS);
  while (pending.length) {
    const name = pending.pop()!;
    if (definitions[name]) continue;
    const type = types.get(name);
    if (SPECIAL_DEFINITIONS[name] && !type) {
      definitions[name] = SPECIAL_DEFINITIONS[name];
      continue;
    }
    if (!type) {
      // A name used but not described: any object, so the reference still resolves.
      definitions[name] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      continue;
    }
    const used = new Set<string>();
    definitions[name] = objectSchema(type, used, DIALECT);
    for (const u of used) if (!definitions[u]) pending.push(u);
  }
  const sorted: Json = {};
  for (const name of Object.keys(definitions).sort()) sorted[name] = definitions[name];
  return sorted;
}

// ---- paths ----

const queryParam = (name: string, type: string, description: string): Json => ({ uniqueItems: true, type, description, name, in: 'query' });
const PARAMS = {
  dryRun: queryParam('dryRun', 'string', 'When All, the request is checked but nothing is stored.'),
  fieldManager: queryParam('fieldManager', 'string', 'Names the actor making the change, for field ownership.'),
  fieldValidation: queryParam('fieldValidation', 'string', 'What to do with unknown or duplicate fields: Ignore, Warn or Strict.'),
  force: queryParam('force', 'boolean', 'Server-side apply only: take ownership of conflicting fields.'),
  pretty: queryParam('pretty', 'string', 'Pretty-print the output.'),
  labelSelector: queryParam('labelSelector', 'string', 'Only objects whose labels match this selector.'),
  fieldSelector: queryParam('fieldSelector', 'string', 'Only objects whose fields match this selector.'),
  limit: queryParam('limit', 'integer', 'The most objects to return in one response.'),
  continue: queryParam('continue', 'string', 'The token from the previous page of a chunked list.'),
  resourceVersion: queryParam('resourceVersion', 'string', 'Which version of the data the read may be served from.'),
  watch: queryParam('watch', 'boolean', 'Stream changes instead of returning a list.'),
  timeoutSeconds: queryParam('timeoutSeconds', 'integer', 'How long a list or watch call may last.'),
  gracePeriodSeconds: queryParam('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; zero means at once.'),
  propagationPolicy: queryParam('propagationPolicy', 'string', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.'),
};

const bodyParam = (schema: Json): Json => ({ name: 'body', in: 'body', required: true, schema });
const pathParam = (name: string, description: string): Json => ({ uniqueItems: true, type: 'string', description, name, in: 'path', required: true });
const refTo = (name: string | undefined): Json => (name ? { $ref: REF_PREFIX + name } : { type: 'object' });

const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

function pathsFor(desc: ResourceDescriptor, types: TypeRegistry): Record<string, Json> {
  const base = desc.group ? `/apis/${desc.group}/${desc.version}` : `/api/${desc.version}`;
  const collectionPath = desc.namespaced ? `${base}/namespaces/{namespace}/${desc.resource}` : `${base}/${desc.resource}`;
  const gvk = { group: desc.group, kind: desc.kind, version: desc.version };
  const kindType = types.forKind(desc.group, desc.version, desc.kind)?.name;
  const listType = types.forKind(desc.group, desc.version, `${desc.kind}List`)?.name;
  const tag = desc.group ? `${desc.group.split('.')[0]}_${desc.version}` : `core_${desc.version}`;
  const scopeName = desc.namespaced ? 'Namespaced' : '';
  const op = (action: string, operationId: string, response: Json, extra: Json = {}): Json => ({
    description: `${action} ${desc.kind}`,
    consumes: ['*/*'],
    produces: action === 'list' ? [...PRODUCES, 'application/json;stream=watch'] : PRODUCES,
    schemes: ['https'],
    tags: [tag],
    operationId: `${operationId}${scopeName}${desc.kind}`,
    responses: { '200': { description: 'OK', schema: response }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const verbs = new Set(desc.verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  const namespaceParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const scopeParams = desc.namespaced ? [namespaceParam, PARAMS.pretty] : [PARAMS.pretty];
  const writeParams = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation];

  const collection: Json = {};
  if (verbs.has('list')) {
    collection.get = op('list', 'list', refTo(listType), {
      parameters: [PARAMS.continue, PARAMS.fieldSelector, PARAMS.labelSelector, PARAMS.limit, PARAMS.resourceVersion, PARAMS.timeoutSeconds, PARAMS.watch],
    });
  }
  if (verbs.has('create')) collection.post = op('post', 'create', refTo(kindType), { parameters: [bodyParam(refTo(kindType)), ...writeParams] });
  if (verbs.has('deletecollection')) {
    collection.delete = op('deletecollection', 'deleteCollection', refTo(STATUS), {
      parameters: [bodyParam(refTo(DELETE_OPTIONS)), PARAMS.dryRun, PARAMS.fieldSelector, PARAMS.labelSelector, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy],
    });
  }
  const paths: Record<string, Json> = {};
  if (Object.keys(collection).length) paths[collectionPath] = { ...collection, parameters: scopeParams };

  const item: Json = {};
  if (verbs.has('get')) item.get = op('get', 'read', refTo(kindType));
  if (verbs.has('update')) item.put = op('put', 'replace', refTo(kindType), { parameters: [bodyParam(refTo(kindType)), ...writeParams] });
  if (verbs.has('delete')) {
    item.delete = op('delete', 'delete', refTo(STATUS), {
      parameters: [bodyParam(refTo(DELETE_OPTIONS)), PARAMS.dryRun, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy],
    });
  }
  if (verbs.has('patch')) {
    item.patch = op('patch', 'patch', refTo(kindType), {
      consumes: PATCH_TYPES,
      parameters: [bodyParam({ type: 'object' }), ...writeParams, PARAMS.force],
    });
  }
  if (Object.keys(item).length) {
    item.parameters = [pathParam('name', `name of the ${desc.kind}`), ...scopeParams];
    paths[`${collectionPath}/{name}`] = item;
  }
  return paths;
}

/** The Swagger 2.0 document as plain JSON (the shape `kubectl get --raw /openapi/v2` would show). */
export function buildSwaggerDocument(types: TypeRegistry): Json {
  let paths: Record<string, Json> = {};
  for (const desc of RESOURCES) paths = { ...paths, ...pathsFor(desc, types) };
  return {
    swagger: '2.0',
    info: { title: 'Kijabi', version: 'v1.32.4' },
    paths,
    definitions: buildDefinitions(types),
    securityDefinitions: { BearerToken: { description: 'Bearer token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}

export interface OpenApiV2Document {
  document: Json;
  /** The gnostic openapi.v2.Document protobuf encoding, the only form kubectl reads. */
  protobuf: Uint8Array;
  /** Strong ETag value (without quotes) of the protobuf bytes. */
  etag: string;
}

export function buildOpenApiV2(types: TypeRegistry): OpenApiV2Document {
  const document = buildSwaggerDocument(types);
  const protobuf = encodeSwaggerDocument(document);
  const etag = createHash('sha512').update(protobuf).digest('hex').toUpperCase().slice(0, 128);
  return { document, protobuf, etag };
}
