/**
 * TMF654 Prepay Balance Management v4 (`/tmf-api/prepayBalanceManagement/v4/`): the charging
 * buckets of a customer's prepaid accounts (read live from the charging tables), top-ups,
 * adjustments, reservations, accumulated balances, the ledger as balance action history, and hub.
 * A customer token sees and acts on its own buckets only; adjustments and new buckets are staff's.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { PREPAY_BALANCE_API, adjustBalanceModel, reserveBalanceModel, topupBalanceModel } from '../db/prepay-models';
import type { prepaidTopUp } from '../workflows/prepaid-top-up';
import { requireRole, type Principal } from './auth';
import { commonErrors, errorResponse, json, ref, type JsonObject } from './openapi';
import type { ActionDeps } from './prepay-action-rules';
import { createAdjustment } from './prepay-adjustment';
import { createBucket } from './prepay-bucket-create';
import { cancelReservation, createReservation } from './prepay-reservation';
import { createTopup } from './prepay-topup';
import { accumulatedDocuments, bucketDocumentById, bucketDocuments, bucketViews, historyDocuments, type Doc, type ViewScope } from './prepay-balance-views';
import {
  accumulatedBalanceSchema,
  adjustBalanceSchema,
  balanceActionHistorySchema,
  bucketCreateSchema,
  bucketSchema,
  reserveBalanceSchema,
  topupBalanceSchema,
} from './schemas/tmf654';
import { badRequest, conflict, describeZodError, idempotencyKeyOf, notFound, TmfError } from './tmf/errors';
import { parseFields, parseFilters, parsePaging, projectFields } from './tmf/query';
import { TmfApi, type TmfApiDeps } from './tmf/resource';
import type { EqualityFilters } from '../db/tmf-resources';
import { patchTmfResource } from '../db/tmf-store';
import { jsonSchema } from './openapi';

export interface PrepayBalanceApiDeps extends TmfApiDeps {
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  lowBalanceThreshold: string;
}

/** The workflow id of a card top-up. */
export const topUpWorkflowId = (topupId: string) => `topup-${topupId}`;

const SERVER_OWNED = ['id', 'href', 'status', 'requestedDate', 'confirmationDate', 'statusReason'];

function body<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  if (!req.is(['application/json', 'application/merge-patch+json'])) throw new TmfError(415, 'Unsupported Media Type', 'send application/json');
  if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('(body): expected a JSON object');
  const copy = { ...(req.body as Record<string, unknown>) };
  for (const key of SERVER_OWNED) delete copy[key];
  const parsed = schema.safeParse(copy);
  if (!parsed.success) throw badRequest(describeZodError(parsed.error));
  return parsed.data;
}

const scopeOf = (p: Principal | undefined): ViewScope => (p && p.roles.every((r) => r === 'customer') ? { customerId: p.customerId ?? '' } : {});

const valueAt = (doc: Record<string, unknown>, path: string[]): unknown =>
  path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), doc);

function matches(doc: Doc, filters: EqualityFilters): boolean {
  return filters.every((f) => {
    const v = valueAt(doc, f.path);
    if (Array.isArray(v)) return v.some((item) => f.values.includes(String(item)));
    return v !== undefined && v !== null && typeof v !== 'object' && f.values.includes(String(v));
  });
}

/** Writes a list page with the TMF headers. */
function sendPage(req: Request, res: Response, all: Doc[]): void {
  const page = parsePaging(req.query);
  const fields = parseFields(req.query);
  const items = all.slice(page.offset, page.offset + page.limit);
  res.setHeader('X-Total-Count', String(all.length));
  res.setHeader('X-Result-Count', String(items.length));
  res.json(items.map((d) => projectFields(d, fields)));
}

/** Builds the TMF654 router. */
export function prepayBalanceApi(deps: PrepayBalanceApiDeps): TmfApi {
  const api = new TmfApi(PREPAY_BALANCE_API, deps);
  const { knex, clock, publicUrl } = deps;
  const router = api.router;
  const actionDeps: ActionDeps = { knex, publicUrl, lowBalanceThreshold: deps.lowBalanceThreshold };
  const anyone = requireRole('admin', 'agent', 'customer');
  const staff = requireRole('admin', 'agent');

  router.get('/bucket', anyone, async (req, res) => {
    const filters = parseFilters(req.query);
    sendPage(req, res, (await bucketDocuments(knex, scopeOf(req.principal), filters, clock.now(), publicUrl)).filter((d) => matches(d, filters)));
  });
  router.get('/bucket/:id', anyone, async (req, res) => {
    const doc = await bucketDocumentById(knex, scopeOf(req.principal), String(req.params.id), clock.now(), publicUrl);
    if (!doc) throw notFound(`Bucket ${req.params.id}`);
    res.json(projectFields(doc, parseFields(req.query)));
  });
  router.post('/bucket', requireRole('admin'), async (req, res) => {
    const id = await createBucket(actionDeps, body(req, bucketCreateSchema), clock.now());
    const doc = (await bucketDocumentById(knex, {}, id, clock.now(), publicUrl))!;
    res.status(201).location(doc.href as string).json(doc);
  });

  const accumulated = async (req: Request) => accumulatedDocuments(await bucketViews(knex, scopeOf(req.principal), [], clock.now(), publicUrl), publicUrl);
  router.get('/accumulatedBalance', anyone, async (req, res) => {
    const filters = parseFilters(req.query);
    sendPage(req, res, (await accumulated(req)).filter((d) => matches(d, filters)));
  });
  router.get('/accumulatedBalance/:id', anyone, async (req, res) => {
    const doc = (await accumulated(req)).find((d) => d.id === req.params.id);
    if (!doc) throw notFound(`AccumulatedBalance ${req.params.id}`);
    res.json(projectFields(doc, parseFields(req.query)));
  });

  router.get('/balanceActionHistory', anyone, async (req, res) => {
    const page = parsePaging(req.query);
    const { items, total } = await historyDocuments(knex, scopeOf(req.principal), parseFilters(req.query), page, publicUrl);
    res.setHeader('X-Total-Count', String(total));
    res.setHeader('X-Result-Count', String(items.length));
    res.json(items.map((d) => projectFields(d, parseFields(req.query))));
  });
  router.get('/balanceActionHistory/:id', anyone, async (req, res) => {
    const { items } = await historyDocuments(knex, scopeOf(req.principal), [{ path: ['id'], values: [String(req.params.id)] }], { offset: 0, limit: 1 }, publicUrl);
    if (!items[0]) throw notFound(`BalanceActionHistory ${req.params.id}`);
    res.json(projectFields(items[0], parseFields(req.query)));
  });

  router.post('/topupBalance', anyone, async (req, res) => {
    const key = idempotencyKeyOf(req);
    let stored;
    try {
      stored = await createTopup(actionDeps, req.principal!, body(req, topupBalanceSchema), clock.now(), key);
    } catch (err) {
      // The same key on another bucket at the same moment: the first one's id is taken.
      if (key !== undefined && (err as { code?: string }).code === '23505') throw conflict(`Idempotency-Key: ${key} was used for another top-up`);
      throw err;
    }
    const { doc, cardTopUp, repeated } = stored;
    if (cardTopUp) {
      try {
        await deps.temporal.workflow.start<typeof prepaidTopUp>('prepaidTopUp', {
          workflowId: topUpWorkflowId(cardTopUp.topupId),
          taskQueue: deps.taskQueue,
          args: [cardTopUp],
          // Found in the Web UI by customer, like the customer's orders.
          searchAttributes: { CustomerId: [cardTopUp.customerId] },
        });
      } catch (err) {
        if (repeated && err instanceof WorkflowExecutionAlreadyStartedError) return void res.status(200).location(doc.href as string).json(doc);
        // Nothing was charged yet: the top-up is failed rather than left waiting for a workflow
        // that never came (should it have started after all, it finds the top-up failed and charges nothing).
        deps.logger.error({ err, topupId: cardTopUp.topupId }, 'could not start the top-up workflow');
        await knex.transaction((trx) => patchTmfResource(trx, topupBalanceModel, cardTopUp.topupId, { status: 'failed', statusReason: 'the top-up could not be started; nothing was charged' }, clock.now()));
        throw new TmfError(503, 'Service Unavailable', 'the top-up could not be started; nothing was charged, try again (as a new top-up: with another Idempotency-Key, if one was sent)');
      }
    }
    res.status(repeated ? 200 : 201).location(doc.href as string).json(doc);
  });
  router.post('/adjustBalance', staff, async (req, res) => {
    const { doc } = await createAdjustment(actionDeps, req.principal!, body(req, adjustBalanceSchema), clock.now());
    res.status(201).location(doc.href as string).json(doc);
  });
  router.post('/reserveBalance', anyone, async (req, res) => {
    const { doc } = await createReservation(actionDeps, req.principal!, body(req, reserveBalanceSchema), clock.now());
    res.status(201).location(doc.href as string).json(doc);
  });
  router.patch('/reserveBalance/:id', anyone, async (req, res) => {
    if (!req.is(['application/json', 'application/merge-patch+json'])) throw new TmfError(415, 'Unsupported Media Type', 'send application/json or application/merge-patch+json');
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) throw badRequest('(body): expected a JSON object');
    res.json(await cancelReservation(actionDeps, scopeOf(req.principal), String(req.params.id), req.body as Record<string, unknown>, clock.now()));
  });

  // Lists and reads of the stored actions (customer-scoped by the generic machinery); they are
  // records of what happened, so they are not changed or deleted afterwards (405), but for the
  // cancellation of a reservation above.
  const access = { read: ['admin', 'agent', 'customer'] as const, write: ['admin', 'agent', 'customer'] as const };
  api.resource({ ...topupBalanceModel, schema: topupBalanceSchema, access: { read: [...access.read], write: [...access.write] }, readOnly: true });
  api.resource({ ...adjustBalanceModel, schema: adjustBalanceSchema, access: { read: [...access.read], write: ['admin', 'agent'] }, readOnly: true });
  api.resource({ ...reserveBalanceModel, schema: reserveBalanceSchema, access: { read: [...access.read], write: [...access.write] }, readOnly: true });
  return api;
}

const TAG = PREPAY_BALANCE_API;
const listOp = (name: string, schema: string) => ({
  tags: [`${TAG} ${name}`],
  operationId: `list${schema}`,
  parameters: [
    { name: 'fields', in: 'query', required: false, schema: { type: 'string' } },
    { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
    { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 0, maximum: 1000 } },
  ],
  responses: { '200': { description: 'Matching resources', content: json({ type: 'array', items: ref(schema) }) }, ...commonErrors },
});
const readOp = (name: string, schema: string) => ({
  tags: [`${TAG} ${name}`],
  operationId: `retrieve${schema}`,
  parameters: [
    { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    { name: 'fields', in: 'query', required: false, schema: { type: 'string' } },
  ],
  responses: { '200': { description: 'The resource', content: json(ref(schema)) }, ...commonErrors, '404': errorResponse('No such resource') },
});
const createOp = (name: string, schema: string, input: string) => ({
  tags: [`${TAG} ${name}`],
  operationId: `create${schema}`,
  requestBody: { required: true, content: json(ref(input)) },
  responses: {
    '201': { description: 'Created (an action naming an unknown bucket is recorded failed)', headers: { Location: { schema: { type: 'string' } } }, content: json(ref(schema)) },
    ...commonErrors,
    '415': errorResponse('Not JSON'),
    '422': errorResponse('A rule of the balance refuses it (credit limit, voucher used or expired, units, bucket expired); nothing changed'),
  },
});

/** Adds to the OpenAPI document what the generic machinery does not describe: the live views and the action POSTs. */
export function describePrepayBalance(doc: JsonObject): void {
  const base = `/tmf-api/${PREPAY_BALANCE_API}/v4`;
  const paths = doc.paths as JsonObject;
  const schemas = (doc.components as JsonObject).schemas as JsonObject;
  Object.assign(schemas, {
    Bucket: jsonSchema(bucketSchema.loose()),
    Bucket_Create: jsonSchema(bucketCreateSchema.loose()),
    AccumulatedBalance: jsonSchema(accumulatedBalanceSchema.loose()),
    BalanceActionHistory: jsonSchema(balanceActionHistorySchema.loose()),
    TopupBalance_Create: jsonSchema(topupBalanceSchema.loose()),
    AdjustBalance_Create: jsonSchema(adjustBalanceSchema.loose()),
    ReserveBalance_Create: jsonSchema(reserveBalanceSchema.loose()),
  });
  paths[`${base}/bucket`] = { get: listOp('bucket', 'Bucket'), post: createOp('bucket', 'Bucket', 'Bucket_Create') };
  paths[`${base}/bucket/{id}`] = { get: readOp('bucket', 'Bucket') };
  paths[`${base}/accumulatedBalance`] = { get: listOp('accumulatedBalance', 'AccumulatedBalance') };
  paths[`${base}/accumulatedBalance/{id}`] = { get: readOp('accumulatedBalance', 'AccumulatedBalance') };
  paths[`${base}/balanceActionHistory`] = { get: listOp('balanceActionHistory', 'BalanceActionHistory') };
  paths[`${base}/balanceActionHistory/{id}`] = { get: readOp('balanceActionHistory', 'BalanceActionHistory') };
  for (const [name, type] of [['topupBalance', 'TopupBalance'], ['adjustBalance', 'AdjustBalance'], ['reserveBalance', 'ReserveBalance']] as const) {
    (paths[`${base}/${name}`] as JsonObject).post = createOp(name, type, `${type}_Create`);
  }
  const topup = (paths[`${base}/topupBalance`] as JsonObject).post as JsonObject;
  topup.parameters = [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'The same key (per caller) returns the top-up stored the first time, charging nothing again', schema: { type: 'string', maxLength: 200 } }];
  topup.responses = {
    ...(topup.responses as JsonObject),
    '200': { description: 'Sent before with this Idempotency-Key: the top-up as it stands', content: json(ref('TopupBalance')) },
    '409': errorResponse('The Idempotency-Key was used for another top-up'),
  };
  (paths[`${base}/reserveBalance/{id}`] as JsonObject).patch = {
    tags: [`${TAG} reserveBalance`],
    operationId: 'patchReserveBalance',
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
    requestBody: { required: true, content: json({ type: 'object', required: ['status'], properties: { status: { const: 'cancelled' }, reason: { type: 'string' } } }) },
    responses: {
      '200': { description: 'Cancelled: what it held is given back', content: json(ref('ReserveBalance')) },
      ...commonErrors,
      '404': errorResponse('No such reservation'),
      '409': errorResponse('A failed reservation holds nothing'),
    },
  };
}
