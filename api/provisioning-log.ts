/**
 * `GET /api/provisioning-log` (admin, agent): the network commands sent for an order or a
 * service and what the network answered, oldest first. Query: `orderId`, `serviceId`, `limit`
 * (1–1000, default 200), `offset`; `X-Total-Count` gives the number of matching entries.
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { listProvisioningLog } from '../db/provisioning-log';
import { requireRole } from './auth';
import { commonErrors, json, ref, type OpenApiPart } from './openapi';
import { badRequest } from './tmf/errors';

export const PROVISIONING_LOG_PATH = '/api/provisioning-log';
const MAX_LIMIT = 1000;

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw badRequest(`${name}: give it once, not empty`);
  return value;
}

function integer(value: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw badRequest(`${name}: an integer from ${min} to ${max}`);
  return n;
}

export function provisioningLogRouter(knex: Knex): Router {
  const router = express.Router();
  router.get(PROVISIONING_LOG_PATH, requireRole('admin', 'agent'), async (req, res) => {
    const orderId = single(req.query.orderId, 'orderId');
    const serviceId = single(req.query.serviceId, 'serviceId');
    const limit = integer(single(req.query.limit, 'limit'), 'limit', 1, MAX_LIMIT, 200);
    const offset = integer(single(req.query.offset, 'offset'), 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
    const { entries, total } = await listProvisioningLog(knex, { orderId, serviceId, limit, offset });
    res.setHeader('X-Total-Count', String(total));
    res.setHeader('X-Result-Count', String(entries.length));
    res.json(entries);
  });
  return router;
}

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    orderId: { type: 'string' },
    serviceId: { type: 'string' },
    operation: { enum: ['activate', 'deactivate', 'suspend', 'restore', 'modify'] },
    element: { enum: ['HLR', 'PCRF', 'OLT', 'CONTENT'] },
    command: { type: 'string', description: 'The command as sent, e.g. `CREATE SUBSCRIBER: CTAG=17, MSISDN=+34600000001, …;`' },
    reply: { type: ['string', 'null'], description: 'The reply as received, e.g. `RESP: CTAG=17, RETCODE=0, DESC="Subscriber created";`' },
    retcode: { type: ['integer', 'null'] },
    status: {
      enum: ['sent', 'succeeded', 'rejected', 'failed', 'timeout', 'connectionError'],
      description: 'sent: no outcome yet; rejected: refused for good; failed: element failure (retried); timeout, connectionError: no reply (retried)',
    },
    error: { type: ['string', 'null'] },
    sentAt: { type: 'string', format: 'date-time' },
    answeredAt: { type: ['string', 'null'], format: 'date-time' },
    durationMs: { type: ['integer', 'null'] },
  },
  required: ['id', 'orderId', 'serviceId', 'operation', 'element', 'command', 'status', 'sentAt'],
};

/** The OpenAPI description of the provisioning log. */
export function provisioningLogOpenApi(): OpenApiPart {
  const text = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string', minLength: 1 } });
  return {
    schemas: { ProvisioningLogEntry: entrySchema },
    paths: {
      [PROVISIONING_LOG_PATH]: {
        get: {
          tags: ['provisioning'],
          operationId: 'listProvisioningLog',
          description: 'Network commands sent and their replies, oldest first (admin, agent)',
          parameters: [
            text('orderId', 'Only the commands of this order'),
            text('serviceId', 'Only the commands of this service'),
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 200 } },
            { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0, default: 0 } },
          ],
          responses: {
            '200': {
              description: 'The entries; X-Total-Count is the number matching',
              headers: { 'X-Total-Count': { schema: { type: 'integer' } }, 'X-Result-Count': { schema: { type: 'integer' } } },
              content: json({ type: 'array', items: ref('ProvisioningLogEntry') }),
            },
            ...commonErrors,
          },
        },
      },
    },
  };
}
