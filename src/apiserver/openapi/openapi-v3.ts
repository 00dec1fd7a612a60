// OpenAPI v3: one document per group-version, generated from the type schemas and the resource
// table. kubectl needs the PATCH operation of each kind (with fieldValidation) to validate on the
// server, the schemas with their patch extensions to compute strategic merge patches, and the
// descriptions for `kubectl explain`.

import { createHash } from 'node:crypto';
import { RESOURCES, VERSIONS_BY_GROUP, type ResourceDescriptor } from '../../api/resources.js';
import type { TypeRegistry } from '../../api/schema/dsl.js';
import { objectSchema, QUANTITY, QUANTITY_DESCRIPTION, SCALAR_DEFINITIONS, type Json, type SchemaDialect } from './schema-walk.js';

const REF_PREFIX = '#/components/schemas/';
const DIALECT: SchemaDialect = { refPrefix: REF_PREFIX, wrapDescribedRefs: true };

/** Types with their own JSON form; Quantity may be written as a string or a number. */
const SPECIAL_SCHEMAS: Record<string, Json> = { [QUANTITY]: { description: QUANTITY_DESCRIPTION, oneOf: [{ type: 'string' }, { type: 'number' }] }, ...SCALAR_DEFINITIONS };

/** All schemas reachable from the given type names. */
function collectSchemas(roots: string[], types: TypeRegistry): Json {
  const schemas: Json = {};
  const pending = [...roots];
  const seen = new Set<string>();
  while (pending.length) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (SPECIAL_SCHEMAS[name]) {
      schemas[name] = SPECIAL_SCHEMAS[name];
      continue;
    }
    const type = types.get(name);
    if (!type) {
      schemas[name] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      continue;
    }
    const used = new Set<string>();
    schemas[name] = objectSchema(type, used, DIALECT);
    for (const u of used) if (!seen.has(u)) pending.push(u);
  }
  return schemas;
}

const QUERY_PARAMS: Json = {
  dryRun: { name: 'dryRun', in: 'query', description: 'When All, the request is checked but nothing is stored.', schema: { type: 'string', uniqueItems: true } },
  fieldManager: { name: 'fieldManager', in: 'query', description: 'Names the actor making the change, for field ownership.', schema: { type: 'string', uniqueItems: true } },
  fieldValidation: {
    name: 'fieldValidation',
    in: 'query',
    description: 'What to do with unknown or duplicate fields: Ignore, Warn or Strict.',
    schema: { type: 'string', uniqueItems: true },
  },
  force: { name: 'force', in: 'query', description: 'Server-side apply only: take ownership of conflicting fields.', schema: { type: 'boolean', uniqueItems: true } },
  pretty: { name: 'pretty', in: 'query', description: 'Pretty-print the output.', schema: { type: 'string', uniqueItems: true } },
};

const param = (name: string): Json => QUERY_PARAMS[name] as Json;

function pathsFor(desc: ResourceDescriptor, typeName: string | undefined): Record<string, Json> {
  const base = desc.group ? `/apis/${desc.group}/${desc.version}` : `/api/${desc.version}`;
  const scope = desc.namespaced ? `${base}/namespaces/{namespace}/${desc.resource}` : `${base}/${desc.resource}`;
  const gvk = { group: desc.group, version: desc.version, kind: desc.kind };
  const body = typeName ? { $ref: `${REF_PREFIX}${typeName}` } : { type: 'object' };
  const pathParams: Json[] = [{ name: 'name', in: 'path', required: true, description: `name of the ${desc.kind}`, schema: { type: 'string', uniqueItems: true } }];
  if (desc.namespaced) pathParams.push({ name: 'namespace', in: 'path', required: true, description: 'object name and auth scope, such as for teams and projects', schema: { type: 'string', uniqueItems: true } });
  const response = { '200': { description: 'OK', content: { 'application/json': { schema: body } } } };
  const op = (action: string, extra: Json = {}): Json => ({
    tags: [desc.group ? `${desc.group.split('.')[0]}_${desc.version}` : `core_${desc.version}`],
    operationId: `${action}${desc.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: response,
    ...extra,
  });
  const verbs = new Set(desc.verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  const item: Json = { parameters: [...pathParams, param('pretty')] };
  if (verbs.has('get')) item.get = op('get');
  if (verbs.has('update')) item.put = op('put', { parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')], requestBody: { content: { '*/*': { schema: body } }, required: true } });
  if (verbs.has('delete')) item.delete = op('delete', { parameters: [param('dryRun')] });
  if (verbs.has('patch')) {
    item.patch = op('patch', {
      parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation'), param('force')],
      requestBody: {
        content: {
          'application/apply-patch+yaml': { schema: { type: 'object' } },
          'application/json-patch+json': { schema: { type: 'object' } },
          'application/merge-patch+json': { schema: { type: 'object' } },
          'application/strategic-merge-patch+json': { schema: { type: 'object' } },
        },
        required: true,
      },
    });
  }
  const collection: Json = { parameters: desc.namespaced ? [pathParams[1], param('pretty')] : [param('pretty')] };
  if (verbs.has('list')) collection.get = op('list');
  if (verbs.has('create')) collection.post = op('post', { parameters: [param('dryRun'), param('fieldManager'), param('fieldValidation')], requestBody: { content: { '*/*': { schema: body } }, required: true } });
  if (verbs.has('deletecollection')) collection.delete = op('deletecollection');
  const paths: Record<string, Json> = { [scope]: collection };
  if (desc.resource !== 'selfsubjectaccessreviews') paths[`${scope}/{name}`] = item;
  else paths[scope] = collection;
  return paths;
}

export interface OpenApiDocument {
  path: string;
  document: Json;
  json: string;
  hash: string;
}

export function buildOpenApiDocuments(types: TypeRegistry): Map<string, OpenApiDocument> {
  const documents = new Map<string, OpenApiDocument>();
  for (const [group, versions] of VERSIONS_BY_GROUP) {
    for (const version of versions) {
      const path = group ? `apis/${group}/${version}` : `api/${version}`;
      const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
      const roots: string[] = [];
      let paths: Record<string, Json> = {};
      for (const desc of resources) {
        const type = types.forKind(desc.group, desc.version, desc.kind);
        if (type) roots.push(type.name);
        paths = { ...paths, ...pathsFor(desc, type?.name) };
      }
      const document = {
        openapi: '3.0.0',
        info: { title: 'Kijabi', version: 'v1.32.4' },
        paths,
        components: { schemas: collectSchemas(roots, types), parameters: QUERY_PARAMS },
      };
      const json = JSON.stringify(document);
      const hash = createHash('sha512').update(json).digest('hex').toUpperCase().slice(0, 128);
      documents.set(path, { path, document, json, hash });
    }
  }
  return documents;
}

export function openApiIndex(documents: Map<string, OpenApiDocument>): Json {
  const paths: Json = {};
  for (const doc of documents.values()) paths[doc.path] = { serverRelativeURL: `/openapi/v3/${doc.path}?hash=${doc.hash}` };
  return { paths };
}
