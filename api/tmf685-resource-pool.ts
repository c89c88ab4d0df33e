/**
 * TMF685 Resource Pool Management (`/tmf-api/resourcePoolManagement/v4/resourcePool`), read only:
 * the capacity of each pool the inventory allocates from, counted live from its tables. Pools:
 * `msisdn` (mobile numbers), `sim` (SIM cards) and `ftth-<area>` (the FTTH ports of a service area,
 * its access nodes as the resource collection and the area as `place`).
 *
 * `capacity` is our extension of the ResourcePool (the published TMF685 has no counts on it):
 * `{ units, total, available, reserved, inUse }`, plus `byStatus` for every status a pool knows.
 * Readable by staff; customers see no pools. The usual list rules apply (`fields`, equality
 * filters on attributes, `offset`/`limit` with X-Total-Count and X-Result-Count).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Knex } from 'knex';
import { poolCapacity, serviceAreaCapacity, type AreaCapacity } from '../db/resource-inventory';
import { requireRole } from './auth';
import { commonErrors, errorResponse, idParam, json, ref, type OpenApiPart } from './openapi';
import { addHubRoutes } from './tmf/hub';
import { notFound, TmfError } from './tmf/errors';
import { parseFields, parseFilters, parsePaging, projectFields } from './tmf/query';

export const RESOURCE_POOL_API = 'resourcePoolManagement';
const BASE_PATH = `/tmf-api/${RESOURCE_POOL_API}/v4`;

type PoolDocument = Record<string, unknown> & { id: string };

function capacityOf(units: string, byStatus: Record<string, number>) {
  const total = Object.values(byStatus).reduce((s, n) => s + n, 0);
  return { '@type': 'PoolCapacity', units, total, available: byStatus.available ?? 0, reserved: byStatus.reserved ?? 0, inUse: byStatus.inUse ?? 0, byStatus };
}

/** Every pool with its live counts. */
export async function resourcePools(knex: Knex, publicUrl: string): Promise<PoolDocument[]> {
  const href = (id: string) => `${publicUrl}${BASE_PATH}/resourcePool/${id}`;
  const pools = await poolCapacity(knex);
  const areas = await serviceAreaCapacity(knex);
  const areaPool = (a: AreaCapacity): PoolDocument => ({
    id: `ftth-${a.areaId}`,
    href: href(`ftth-${a.areaId}`),
    '@type': 'ResourcePool',
    name: `FTTH ports ${a.name}`,
    description: `Access ports of the FTTH service area ${a.name} (postal codes ${a.postalCodes.map((p) => `${p}…`).join(', ')})`,
    resourceType: 'FTTH port',
    place: { id: a.areaId, name: a.name, '@referredType': 'ServiceArea' },
    capacity: capacityOf('port', { available: a.available, reserved: a.reserved, inUse: a.inUse }),
    resourceCollection: a.accessNodes.map((n) => ({
      name: n.id,
      '@referredType': 'AccessNode',
      capacity: capacityOf('port', { available: n.available, reserved: n.reserved, inUse: n.inUse }),
    })),
  });
  return [
    {
      id: 'msisdn',
      href: href('msisdn'),
      '@type': 'ResourcePool',
      name: 'Mobile numbers',
      description: 'MSISDNs for mobile subscriptions',
      resourceType: 'MSISDN',
      capacity: capacityOf('MSISDN', pools.msisdn),
    },
    {
      id: 'sim',
      href: href('sim'),
      '@type': 'ResourcePool',
      name: 'SIM cards',
      description: 'SIM card stock (ICCID and IMSI)',
      resourceType: 'SIM card',
      capacity: capacityOf('SIM card', pools.sim),
    },
    ...areas.map(areaPool),
  ];
}

const valueAt = (doc: Record<string, unknown>, path: string[]): unknown =>
  path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), doc);

export function resourcePoolRouter(deps: { knex: Knex; publicUrl: string }): { basePath: string; router: Router } {
  const router = express.Router();
  const read = requireRole('admin', 'agent', 'network', 'technician');
  // The specification's hub; pools change only with the inventory, which publishes no pool events yet.
  addHubRoutes(router, RESOURCE_POOL_API, deps.knex);

  router.get('/resourcePool', read, async (req, res) => {
    const page = parsePaging(req.query);
    const fields = parseFields(req.query);
    const filters = parseFilters(req.query);
    const matching = (await resourcePools(deps.knex, deps.publicUrl)).filter((doc) =>
      filters.every((f) => {
        const v = valueAt(doc, f.path);
        return v !== undefined && v !== null && typeof v !== 'object' && f.values.includes(String(v));
      }),
    );
    const items = matching.slice(page.offset, page.offset + page.limit);
    res.setHeader('X-Total-Count', String(matching.length));
    res.setHeader('X-Result-Count', String(items.length));
    res.json(items.map((doc) => projectFields(doc, fields)));
  });

  router.get('/resourcePool/:id', read, async (req, res) => {
    const pool = (await resourcePools(deps.knex, deps.publicUrl)).find((p) => p.id === req.params.id);
    if (!pool) throw notFound(`ResourcePool ${req.params.id}`);
    res.json(projectFields(pool, parseFields(req.query)));
  });

  // Pools are counted from the inventory, never written here: the writes the specification
  // describes answer 405 (one of its documented answers), not 404 as an unknown route would.
  const refuse = (req: Request, res: Response) => {
    res.setHeader('Allow', 'GET');
    throw new TmfError(405, 'Method Not Allowed', `${req.method} is not allowed on ResourcePool: pools are counted from the inventory`);
  };
  router.post('/resourcePool', read, refuse);
  router.patch('/resourcePool/:id', read, refuse);
  router.delete('/resourcePool/:id', read, refuse);

  return { basePath: BASE_PATH, router };
}

const capacitySchema = {
  type: 'object',
  description: 'Our extension: counts of the pool by status',
  properties: {
    '@type': { type: 'string' },
    units: { type: 'string' },
    total: { type: 'integer' },
    available: { type: 'integer' },
    reserved: { type: 'integer' },
    inUse: { type: 'integer' },
    byStatus: { type: 'object', additionalProperties: { type: 'integer' } },
  },
  required: ['units', 'total', 'available', 'reserved', 'inUse'],
};

/** The OpenAPI description of the TMF685 read views and hub. */
export function resourcePoolOpenApi(): OpenApiPart {
  const tags = [`${RESOURCE_POOL_API} resourcePool`];
  const hubTags = [`${RESOURCE_POOL_API} hub`];
  const fields = { name: 'fields', in: 'query', required: false, description: 'Comma-separated attributes to return (id and href always come back)', schema: { type: 'string' } };
  return {
    schemas: {
      ResourcePool: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          href: { type: 'string' },
          '@type': { type: 'string' },
          name: { type: 'string' },
          description: { type: 'string' },
          resourceType: { type: 'string' },
          place: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, '@referredType': { type: 'string' } } },
          capacity: capacitySchema,
          resourceCollection: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' }, '@referredType': { type: 'string' }, capacity: capacitySchema } },
          },
        },
        required: ['id', 'href', 'name', 'capacity'],
      },
    },
    paths: {
      [`${BASE_PATH}/resourcePool`]: {
        get: {
          tags,
          operationId: 'listResourcePool',
          description: 'Pools and their capacity: mobile numbers, SIM cards and FTTH ports per service area (staff)',
          parameters: [
            fields,
            { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 0, maximum: 1000 } },
            { name: 'resourceType', in: 'query', required: false, description: 'Equality filter', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'Matching pools',
              headers: { 'X-Total-Count': { schema: { type: 'integer' } }, 'X-Result-Count': { schema: { type: 'integer' } } },
              content: json({ type: 'array', items: ref('ResourcePool') }),
            },
            ...commonErrors,
          },
        },
      },
      [`${BASE_PATH}/resourcePool/{id}`]: {
        get: {
          tags,
          operationId: 'retrieveResourcePool',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, fields],
          responses: { '200': { description: 'The pool', content: json(ref('ResourcePool')) }, ...commonErrors, '404': errorResponse('No such pool') },
        },
      },
      [`${BASE_PATH}/hub`]: {
        post: {
          tags: hubTags,
          operationId: 'registerResourcePoolManagementListener',
          requestBody: { required: true, content: json(ref('EventSubscriptionInput')) },
          responses: { '201': { description: 'Registered', content: json(ref('EventSubscription')) }, ...commonErrors },
        },
      },
      [`${BASE_PATH}/hub/{id}`]: {
        get: {
          tags: hubTags,
          operationId: 'retrieveResourcePoolManagementListener',
          parameters: [idParam],
          responses: { '200': { description: 'The listener', content: json(ref('EventSubscription')) }, ...commonErrors, '404': errorResponse('No such listener') },
        },
        delete: {
          tags: hubTags,
          operationId: 'unregisterResourcePoolManagementListener',
          parameters: [idParam],
          responses: { '204': { description: 'Removed' }, ...commonErrors, '404': errorResponse('No such listener') },
        },
      },
    },
  };
}
