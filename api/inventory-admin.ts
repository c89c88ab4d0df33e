/**
 * `/api/inventory`: FTTH capacity for admins and the network team. Ports are added to an access
 * node, or a node with its ports to a service area; after the change is committed,
 * `onCapacityAdded(areaId)` tells the order side, which wakes the orders waiting for that area.
 */
import express, { type Request, type Router } from 'express';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { addAccessNode, addPorts, serviceAreaCapacity } from '../db/resource-inventory';
import { requireRole } from './auth';
import { commonErrors, errorResponse, json, jsonSchema, ref, type OpenApiPart } from './openapi';
import { accessNodeId, addAccessNodeRequestSchema, addPortsRequestSchema } from './schemas/inventory';
import { badRequest, describeZodError, notFound } from './tmf/errors';

export interface InventoryAdminDeps {
  knex: Knex;
  /** Called after capacity was added to an area (and committed). A failure is logged, not answered. */
  onCapacityAdded?(areaId: string): Promise<void>;
}

function parse<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  if (!req.is('application/json')) throw badRequest('(body): send application/json');
  const result = schema.safeParse(req.body);
  if (!result.success) throw badRequest(describeZodError(result.error));
  return result.data;
}

export function inventoryAdminRouter(deps: InventoryAdminDeps): Router {
  const router = express.Router();
  const capacityAdmin = requireRole('admin', 'network');
  const staff = requireRole('admin', 'agent', 'network', 'technician');

  const notify = async (req: Request, areaId: string) => {
    try {
      await deps.onCapacityAdded?.(areaId);
    } catch (err) {
      req.log?.error({ err, areaId }, 'onCapacityAdded failed; waiting orders are not yet woken');
    }
  };

  router.get('/service-areas', staff, async (_req, res) => {
    res.json(await serviceAreaCapacity(deps.knex));
  });

  router.get('/service-areas/:id', staff, async (req, res) => {
    const [area] = await serviceAreaCapacity(deps.knex, String(req.params.id));
    if (!area) throw notFound(`service area ${req.params.id}`);
    res.json(area);
  });

  router.post('/access-nodes', capacityAdmin, async (req, res) => {
    const body = parse(addAccessNodeRequestSchema, req);
    const added = await addAccessNode(deps.knex, { areaId: body.areaId, id: body.id, ports: body.ports });
    if (added.ports.length) await notify(req, added.areaId);
    res.status(201).location(`${req.baseUrl}/service-areas/${added.areaId}`).json(added);
  });

  router.post('/access-nodes/:id/ports', capacityAdmin, async (req, res) => {
    const id = accessNodeId.safeParse(req.params.id);
    if (!id.success) throw badRequest(`id: ${id.error.issues[0].message}`);
    const body = parse(addPortsRequestSchema, req);
    const added = await addPorts(deps.knex, { accessNode: id.data, count: body.count });
    await notify(req, added.areaId);
    res.status(201).location(`${req.baseUrl}/service-areas/${added.areaId}`).json(added);
  });

  return router;
}

const portCapacity = { total: { type: 'integer' }, available: { type: 'integer' }, reserved: { type: 'integer' }, inUse: { type: 'integer' } };

/** The OpenAPI description of `/api/inventory`. */
export function inventoryAdminOpenApi(): OpenApiPart {
  const tags = ['inventory'];
  const capacityAdded = {
    description: 'Added; Location names the service area',
    headers: { Location: { schema: { type: 'string' } } },
    content: json(ref('CapacityAdded')),
  };
  return {
    schemas: {
      AddPortsRequest: jsonSchema(addPortsRequestSchema),
      AddAccessNodeRequest: jsonSchema(addAccessNodeRequestSchema),
      CapacityAdded: {
        type: 'object',
        properties: { areaId: { type: 'string' }, accessNode: { type: 'string' }, ports: { type: 'array', items: { type: 'string' } } },
        required: ['areaId', 'accessNode', 'ports'],
      },
      ServiceAreaCapacity: {
        type: 'object',
        properties: {
          areaId: { type: 'string' },
          name: { type: 'string' },
          postalCodes: { type: 'array', items: { type: 'string' }, description: 'Postal codes or prefixes the area covers' },
          ...portCapacity,
          accessNodes: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, ...portCapacity } } },
        },
        required: ['areaId', 'name', 'postalCodes', 'total', 'available', 'reserved', 'inUse', 'accessNodes'],
      },
    },
    paths: {
      '/api/inventory/service-areas': {
        get: {
          tags,
          operationId: 'listServiceAreaCapacity',
          description: 'FTTH ports per service area and access node, by status (staff)',
          responses: { '200': { description: 'Every area', content: json({ type: 'array', items: ref('ServiceAreaCapacity') }) }, ...commonErrors },
        },
      },
      '/api/inventory/service-areas/{id}': {
        get: {
          tags,
          operationId: 'getServiceAreaCapacity',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The area', content: json(ref('ServiceAreaCapacity')) }, ...commonErrors, '404': errorResponse('No such area') },
        },
      },
      '/api/inventory/access-nodes': {
        post: {
          tags,
          operationId: 'addAccessNode',
          description: 'A new access node with its ports in a service area (admin or network); orders waiting for the area resume',
          requestBody: { required: true, content: json(ref('AddAccessNodeRequest')) },
          responses: {
            '201': capacityAdded,
            ...commonErrors,
            '404': errorResponse('No such service area'),
            '409': errorResponse('The access node exists already'),
          },
        },
      },
      '/api/inventory/access-nodes/{id}/ports': {
        post: {
          tags,
          operationId: 'addAccessNodePorts',
          description: 'More ports on an access node (admin or network), numbered after its last one; orders waiting for its area resume',
          parameters: [{ name: 'id', in: 'path', required: true, schema: jsonSchema(accessNodeId) }],
          requestBody: { required: true, content: json(ref('AddPortsRequest')) },
          responses: { '201': capacityAdded, ...commonErrors, '404': errorResponse('No such access node') },
        },
      },
    },
  };
}
