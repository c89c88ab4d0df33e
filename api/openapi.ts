/**
 * `GET /openapi.json`: the OpenAPI 3.1 document, generated from the same zod schemas that
 * validate the requests (zod's own JSON Schema output, which is the dialect OpenAPI 3.1 uses).
 */
import { z } from 'zod';
import { hubSubscriptionSchema } from './tmf/hub';
import type { TmfApi, TmfResourceSpec } from './tmf/resource';

export type JsonObject = Record<string, unknown>;

/** Paths (and the component schemas they name) of a router that is not a TMF resource. */
export interface OpenApiPart {
  paths: JsonObject;
  schemas?: JsonObject;
}

export function jsonSchema(schema: z.ZodType): JsonObject {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  return rest;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: JsonObject) => ({ 'application/json': { schema } });
/** A raw file body in any of `types`. */
export const binaryContent = (types: string[]) => Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', contentEncoding: 'binary' } }]));
export const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });

const errorSchema = z.object({
  code: z.string(),
  reason: z.string(),
  message: z.string(),
  status: z.string(),
  '@type': z.string().optional(),
});

export const commonErrors = {
  '400': errorResponse('Bad request: the message names each invalid field'),
  '401': errorResponse('Missing or invalid bearer token'),
  '403': errorResponse('The token lacks the role'),
};

export const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const fieldsParam = { name: 'fields', in: 'query', required: false, description: 'Comma-separated attributes to return (id and href always come back)', schema: { type: 'string' } };
const pagingParams = [
  { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 0, maximum: 1000 } },
];
const listHeaders = {
  'X-Total-Count': { schema: { type: 'integer' }, description: 'Number of matching resources' },
  'X-Result-Count': { schema: { type: 'integer' }, description: 'Number returned in this page' },
};

function resourcePaths(api: TmfApi, spec: TmfResourceSpec, schemas: JsonObject): JsonObject {
  const createName = `${spec.type}_Create`;
  schemas[createName] = jsonSchema(spec.schema.loose());
  schemas[spec.type] = jsonSchema(
    spec.schema.safeExtend({ id: z.string(), href: z.string(), '@type': z.string() }).loose(),
  );
  const tag = `${api.apiName} ${spec.name}`;
  const filterParams = ['id', ...Object.keys(spec.schema.shape)]
    .filter((k) => !k.startsWith('@'))
    .map((k) => ({ name: k, in: 'query', required: false, description: `Equality filter on ${k}; comma = any of`, schema: { type: 'string' } }));
  const paths: JsonObject = {
    [`${api.basePath}/${spec.name}`]: {
      get: {
        tags: [tag],
        operationId: `list${spec.type}`,
        parameters: [fieldsParam, ...pagingParams, ...filterParams],
        responses: {
          '200': { description: 'Matching resources', headers: listHeaders, content: json({ type: 'array', items: ref(spec.type) }) },
          ...commonErrors,
        },
      },
      post: {
        tags: [tag],
        operationId: `create${spec.type}`,
        requestBody: { required: true, content: json(ref(createName)) },
        responses: {
          '201': { description: 'Created', headers: { Location: { schema: { type: 'string' } } }, content: json(ref(spec.type)) },
          ...commonErrors,
          '413': errorResponse('Body larger than 1 MB'),
          '415': errorResponse('Not JSON'),
        },
      },
    },
    [`${api.basePath}/${spec.name}/{id}`]: {
      get: {
        tags: [tag],
        operationId: `retrieve${spec.type}`,
        parameters: [idParam, fieldsParam],
        responses: { '200': { description: 'The resource', content: json(ref(spec.type)) }, ...commonErrors, '404': errorResponse('No such resource') },
      },
      patch: {
        tags: [tag],
        operationId: `patch${spec.type}`,
        parameters: [idParam],
        requestBody: {
          required: true,
          content: { 'application/merge-patch+json': { schema: ref(createName) }, 'application/json': { schema: ref(createName) } },
        },
        responses: {
          '200': { description: 'The whole updated resource', content: json(ref(spec.type)) },
          ...commonErrors,
          '404': errorResponse('No such resource'),
          '415': errorResponse('Not JSON'),
        },
      },
      delete: {
        tags: [tag],
        operationId: `delete${spec.type}`,
        parameters: [idParam],
        responses: { '204': { description: 'Deleted' }, ...commonErrors, '404': errorResponse('No such resource') },
      },
    },
  };
  for (const op of spec.refuse ?? []) {
    if (op === 'create') delete (paths[`${api.basePath}/${spec.name}`] as JsonObject).post;
    else delete (paths[`${api.basePath}/${spec.name}/{id}`] as JsonObject)[op];
  }
  if (spec.readOnly) {
    // Clients only list and read it.
    delete (paths[`${api.basePath}/${spec.name}`] as JsonObject).post;
    const item = paths[`${api.basePath}/${spec.name}/{id}`] as JsonObject;
    delete item.patch;
    delete item.delete;
    delete schemas[createName];
  }
  return paths;
}

function hubPaths(api: TmfApi): JsonObject {
  const tag = `${api.apiName} hub`;
  const prefix = api.apiName.charAt(0).toUpperCase() + api.apiName.slice(1);
  return {
    [`${api.basePath}/hub`]: {
      post: {
        tags: [tag],
        operationId: `register${prefix}Listener`,
        requestBody: { required: true, content: json(ref('EventSubscriptionInput')) },
        responses: { '201': { description: 'Registered', content: json(ref('EventSubscription')) }, ...commonErrors },
      },
    },
    [`${api.basePath}/hub/{id}`]: {
      get: {
        tags: [tag],
        operationId: `retrieve${prefix}Listener`,
        parameters: [idParam],
        responses: { '200': { description: 'The listener', content: json(ref('EventSubscription')) }, ...commonErrors, '404': errorResponse('No such listener') },
      },
      delete: {
        tags: [tag],
        operationId: `unregister${prefix}Listener`,
        parameters: [idParam],
        responses: { '204': { description: 'Removed' }, ...commonErrors, '404': errorResponse('No such listener') },
      },
    },
  };
}

/** The whole document for the given TMF APIs and other routers. */
export function buildOpenApiDocument(apis: TmfApi[], serverUrl: string, parts: OpenApiPart[] = []): JsonObject {
  const schemas: JsonObject = {
    Error: jsonSchema(errorSchema),
    EventSubscriptionInput: jsonSchema(hubSubscriptionSchema),
    EventSubscription: jsonSchema(hubSubscriptionSchema.extend({ id: z.string() })),
  };
  const paths: JsonObject = {
    '/health': {
      get: {
        tags: ['operations'],
        operationId: 'health',
        security: [],
        responses: { '200': { description: 'PostgreSQL and Temporal answer' }, '503': { description: 'One of them is down' } },
      },
    },
    '/metrics': {
      get: { tags: ['operations'], operationId: 'metrics', responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': commonErrors['401'], '403': commonErrors['403'] } },
    },
    '/openapi.json': {
      get: { tags: ['operations'], operationId: 'openapi', responses: { '200': { description: 'This document', content: json({ type: 'object' }) }, '401': commonErrors['401'] } },
    },
  };
  const operationIds = new Set<string>();
  for (const api of apis) {
    for (const spec of api.resources) {
      const added = resourcePaths(api, spec, schemas);
      // Two APIs may serve a resource of the same type (TMF638 and TMF640 `Service`): the later one's operations name their API.
      for (const item of Object.values(added) as JsonObject[]) {
        for (const op of Object.values(item) as JsonObject[]) {
          if (operationIds.has(op.operationId as string)) op.operationId = `${String(op.operationId)}_${api.apiName}`;
          operationIds.add(op.operationId as string);
        }
      }
      Object.assign(paths, added);
    }
    Object.assign(paths, hubPaths(api));
  }
  for (const part of parts) {
    Object.assign(paths, part.paths);
    Object.assign(schemas, part.schemas);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Telecom BSS/OSS API', version: '0.1.0', description: 'TM Forum Open API v4 resources of the BSS/OSS' },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
